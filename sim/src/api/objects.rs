//! get, list, create, update, patch and delete of objects and their `status` and `scale`.

use std::collections::HashMap;

use axum::Json;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::pagination;
use super::validation::{self, FieldValidation};
use super::{ApiState, Target};
use crate::ownership::{self, Manager};
use crate::patch;
use crate::resources::NAMESPACE;
use crate::selector::{FieldSelector, LabelSelector};
use crate::status::ApiError;
use crate::store::UpdateScope;
use crate::structure::Cursor;

fn ns_of(t: &Target) -> Result<&str, ApiError> {
    if !t.rt.namespaced {
        return Ok("");
    }
    t.namespace.as_deref().ok_or_else(|| {
        ApiError::BadRequest(format!(
            "{} are namespaced: use /namespaces/NAMESPACE/{}",
            t.rt.plural, t.rt.plural
        ))
    })
}

/// A request body as JSON: JSON as sent, or protobuf from typed clients, decoded.
pub fn body_json(body: &[u8]) -> Result<Value, ApiError> {
    if body.starts_with(crate::proto::MAGIC) {
        return crate::proto::decode(body).map_err(ApiError::UnsupportedMediaType);
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError::BadRequest(format!(
            "the request body is not valid JSON ({e}); kubesim accepts JSON bodies only"
        ))
    })
}

/// False for `dryRun=All`: everything is validated and computed, nothing is stored.
fn commits(q: &HashMap<String, String>) -> bool {
    q.get("dryRun").is_none_or(|d| d.is_empty())
}

/// Handles a request on a resource (not a watch).
pub fn handle(
    s: &ApiState,
    t: &Target,
    method: &Method,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let commit = commits(q);
    let store = &s.store;
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if *method == Method::GET && super::table::wanted(accept) && t.sub.is_none() {
        let full = q.get("includeObject").is_some_and(|i| i == "Object");
        let (items, rv) = match t.name.as_deref() {
            Some(name) => (
                vec![std::sync::Arc::new(store.get(t.rt, ns_of(t)?, name)?)],
                store.resource_version(),
            ),
            None if crate::conversion::view_of(t.rt).is_some() => {
                let (items, rv) = list_items(t, q, store)?;
                (items.into_iter().map(std::sync::Arc::new).collect(), rv)
            }
            None => {
                let (labels, fields, ns) = list_filter(t, q)?;
                store.list_shared(t.rt, ns, &labels, &fields)
            }
        };
        let page = pagination::page(items, rv, q)?;
        let mut table = super::table::render(t.rt, &page.items, &rv.to_string(), full);
        page.annotate(&mut table);
        return Ok(Json(table).into_response());
    }
    match (method.clone(), t.name.as_deref(), t.sub.as_deref()) {
        (Method::GET, None, _) => list(s, t, q),
        (Method::POST, None, _) => {
            let ns = ns_of(t)?;
            let mut obj = body_json(body)?;
            let warnings = validation::check(t.rt, &mut obj, FieldValidation::from_query(q)?)?;
            if let Some(body_ns) = obj["metadata"]["namespace"].as_str()
                && t.rt.namespaced
                && !body_ns.is_empty()
                && body_ns != ns
            {
                return Err(ApiError::BadRequest(format!(
                    "the namespace of the provided object ({body_ns}) does not match the namespace sent on the request ({ns})"
                )));
            }
            let who = manager_of(t, q, headers, None);
            let created = store.create_with(t.rt, ns, obj, commit, Some(&who))?;
            Ok(with_warnings(
                (StatusCode::CREATED, Json(created)).into_response(),
                &warnings,
            ))
        }
        (Method::DELETE, None, _) => {
            let commit = commit && !dry_run_in_body(body);
            let ns = t.namespace.as_deref();
            let labels = LabelSelector::parse(q.get("labelSelector").map_or("", String::as_str))
                .map_err(ApiError::BadRequest)?;
            let fields = FieldSelector::parse(q.get("fieldSelector").map_or("", String::as_str))
                .map_err(ApiError::BadRequest)?;
            let (items, _) = store.list(t.rt, ns, &labels, &fields);
            let mut deleted = Vec::new();
            for i in items {
                let name = i["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let ins = i["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                if let Ok(d) = if commit {
                    store.delete(t.rt, &ins, &name)
                } else {
                    store.get(t.rt, &ins, &name)
                } {
                    deleted.push(d);
                }
            }
            Ok(Json(list_body(t, deleted, store.resource_version())).into_response())
        }
        (Method::GET, Some(name), None | Some("status")) => {
            Ok(Json(store.get(t.rt, ns_of(t)?, name)?).into_response())
        }
        (Method::GET, Some(name), Some("log")) => pod_log(s, t, name, q),
        (Method::GET, Some(name), Some("scale")) => {
            Ok(Json(scale_of(&store.get(t.rt, ns_of(t)?, name)?)).into_response())
        }
        (Method::PUT, Some(name), sub) => {
            let ns = ns_of(t)?;
            let mut obj = body_json(body)?;
            let warnings = if sub == Some("scale") {
                Vec::new()
            } else {
                validation::check(t.rt, &mut obj, FieldValidation::from_query(q)?)?
            };
            let who = manager_of(t, q, headers, sub);
            let updated = match sub {
                None => {
                    store.update_with(t.rt, ns, name, obj, UpdateScope::Main, commit, Some(&who))?
                }
                Some("status") => store.update_with(
                    t.rt,
                    ns,
                    name,
                    obj,
                    UpdateScope::Status,
                    commit,
                    Some(&who),
                )?,
                Some("scale") => set_replicas(s, t, ns, name, &obj, commit, &who)?,
                Some(other) => {
                    return Err(ApiError::BadRequest(format!(
                        "{other} does not support PUT"
                    )));
                }
            };
            let body = if sub == Some("scale") {
                scale_of(&updated)
            } else {
                updated
            };
            Ok(with_warnings(Json(body).into_response(), &warnings))
        }
        (Method::PATCH, Some(name), sub) => patch_object(s, t, name, sub, q, headers, body),
        (Method::POST, Some(name), Some("token")) => token_request(s, t, name, body),
        (Method::POST, Some(name), Some("eviction")) if t.rt == &crate::resources::POD => {
            crate::controllers::disruption::evict(store, ns_of(t)?, name, commit)?;
            Ok((
                axum::http::StatusCode::CREATED,
                Json(json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201})),
            )
                .into_response())
        }
        (Method::DELETE, Some(name), None) => {
            let commit = commit && !dry_run_in_body(body);
            Ok(Json(if commit && t.rt == &NAMESPACE {
                // A namespace is Terminating until the namespace controller has removed it.
                store.modify(t.rt, "", name, |ns| {
                    if !ns["metadata"]["deletionTimestamp"].is_string() {
                        ns["metadata"]["deletionTimestamp"] = json!(crate::meta::now());
                    }
                    ns["status"]["phase"] = json!("Terminating");
                    Ok(())
                })?
            } else if commit && orphaning(q, body) {
                store.delete_orphaning(t.rt, ns_of(t)?, name)?
            } else if commit && t.rt == &crate::resources::POD {
                crate::graceful::delete_pod(store, ns_of(t)?, name, grace_period(q, body))?
            } else if commit {
                store.delete(t.rt, ns_of(t)?, name)?
            } else {
                store.get(t.rt, ns_of(t)?, name)?
            })
            .into_response())
        }
        _ => Err(ApiError::MethodNotAllowed),
    }
}

/// Whether a delete's DeleteOptions body asks for a dry run (`dryRun: ["All"]`, which
/// kubectl's `--dry-run=server` and kube-rs send there rather than in the query).
fn dry_run_in_body(body: &[u8]) -> bool {
    let opts: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    opts["dryRun"].as_array().is_some_and(|d| !d.is_empty())
}

/// The grace period a delete asks for (DeleteOptions' `gracePeriodSeconds`, in its body or
/// the query): kubectl's `--grace-period`, 0 with `--force`.
fn grace_period(q: &std::collections::HashMap<String, String>, body: &[u8]) -> Option<i64> {
    let opts: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    opts["gracePeriodSeconds"]
        .as_i64()
        .or_else(|| q.get("gracePeriodSeconds").and_then(|g| g.parse().ok()))
}

/// Whether a delete asks to orphan the object's dependents (`kubectl delete
/// --cascade=orphan` sends `propagationPolicy: Orphan` in its DeleteOptions body; the
/// older `orphanDependents: true` and the query parameter mean the same).
fn orphaning(q: &std::collections::HashMap<String, String>, body: &[u8]) -> bool {
    let opts: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    q.get("propagationPolicy").is_some_and(|p| p == "Orphan")
        || opts["propagationPolicy"] == "Orphan"
        || opts["orphanDependents"] == true
}

/// `serviceaccounts/NAME/token`: a token that authenticates as the service account.
fn token_request(s: &ApiState, t: &Target, name: &str, body: &[u8]) -> Result<Response, ApiError> {
    let ns = ns_of(t)?;
    s.store.get(t.rt, ns, name)?;
    let mut req = if body.is_empty() {
        json!({})
    } else {
        body_json(body)?
    };
    let seconds = req["spec"]["expirationSeconds"].as_i64().unwrap_or(3600);
    if seconds < 600 {
        return Err(ApiError::BadRequest(format!(
            "spec.expirationSeconds: Invalid value: {seconds}: may not specify a duration less than 10 minutes"
        )));
    }
    let now = crate::meta::parse_rfc3339(&crate::meta::now()).unwrap_or(0);
    let expires = now + seconds;
    let token = s.tokens.issue(ns, name, expires);
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(expires.max(0) as u64);
    req["apiVersion"] = json!("authentication.k8s.io/v1");
    req["kind"] = json!("TokenRequest");
    req["metadata"] =
        json!({"name": name, "namespace": ns, "creationTimestamp": crate::meta::now()});
    req["spec"]["expirationSeconds"] = json!(seconds);
    if !req["spec"]["audiences"].is_array() {
        req["spec"]["audiences"] = json!(["https://kubernetes.default.svc.cluster.local"]);
    }
    req["status"] = json!({"token": token, "expirationTimestamp": crate::meta::rfc3339(at)});
    Ok((StatusCode::CREATED, Json(req)).into_response())
}

fn with_warnings(mut r: Response, warnings: &[String]) -> Response {
    validation::add_warnings(r.headers_mut(), warnings);
    r
}

fn list_body(t: &Target, items: Vec<Value>, rv: u64) -> Value {
    json!({
        "kind": format!("{}List", t.rt.kind),
        "apiVersion": t.rt.api_version(),
        "metadata": {"resourceVersion": rv.to_string()},
        "items": items,
    })
}

/// The selectors and namespace of a list request.
fn list_filter<'a>(
    t: &'a Target,
    q: &HashMap<String, String>,
) -> Result<(LabelSelector, FieldSelector, Option<&'a str>), ApiError> {
    let labels = LabelSelector::parse(q.get("labelSelector").map_or("", String::as_str))
        .map_err(ApiError::BadRequest)?;
    let fields = FieldSelector::parse(q.get("fieldSelector").map_or("", String::as_str))
        .map_err(ApiError::BadRequest)?;
    let ns = if t.rt.namespaced {
        t.namespace.as_deref()
    } else {
        None
    };
    Ok((labels, fields, ns))
}

fn list_items(
    t: &Target,
    q: &HashMap<String, String>,
    store: &crate::store::Store,
) -> Result<(Vec<Value>, u64), ApiError> {
    let (labels, fields, ns) = list_filter(t, q)?;
    Ok(store.list(t.rt, ns, &labels, &fields))
}

/// A list answer that borrows the stored objects instead of copying them.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ListBody<'a> {
    kind: String,
    api_version: String,
    metadata: Value,
    items: Vec<&'a Value>,
}

fn list(s: &ApiState, t: &Target, q: &HashMap<String, String>) -> Result<Response, ApiError> {
    if crate::conversion::view_of(t.rt).is_some() {
        let (items, rv) = list_items(t, q, &s.store)?;
        let mut page = pagination::page(items, rv, q)?;
        let mut body = list_body(t, std::mem::take(&mut page.items), rv);
        page.annotate(&mut body);
        return Ok(Json(body).into_response());
    }
    let (labels, fields, ns) = list_filter(t, q)?;
    let (items, rv) = s.store.list_shared(t.rt, ns, &labels, &fields);
    let page = pagination::page(items, rv, q)?;
    let mut meta = json!({"metadata": {"resourceVersion": rv.to_string()}});
    page.annotate(&mut meta);
    Ok(Json(ListBody {
        kind: format!("{}List", t.rt.kind),
        api_version: t.rt.api_version(),
        metadata: meta["metadata"].take(),
        items: page.items.iter().map(|o| &**o).collect(),
    })
    .into_response())
}

/// The autoscaling/v1 Scale view of a workload.
pub fn scale_of(obj: &Value) -> Value {
    let selector = obj["spec"]["selector"]["matchLabels"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": obj["metadata"]["name"],
            "namespace": obj["metadata"]["namespace"],
            "uid": obj["metadata"]["uid"],
            "resourceVersion": obj["metadata"]["resourceVersion"],
            "creationTimestamp": obj["metadata"]["creationTimestamp"],
        },
        "spec": {"replicas": obj["spec"]["replicas"].as_i64().unwrap_or(1)},
        "status": {"replicas": obj["status"]["replicas"].as_i64().unwrap_or(0), "selector": selector},
    })
}

fn set_replicas(
    s: &ApiState,
    t: &Target,
    ns: &str,
    name: &str,
    scale: &Value,
    commit: bool,
    who: &Manager,
) -> Result<Value, ApiError> {
    let replicas = scale["spec"]["replicas"]
        .as_i64()
        .filter(|r| *r >= 0)
        .ok_or_else(|| ApiError::Invalid {
            kind: "Scale.autoscaling".into(),
            name: name.to_string(),
            causes: vec![crate::status::Cause {
                reason: "FieldValueInvalid",
                field: "spec.replicas".into(),
                message: "must be greater than or equal to 0".into(),
            }],
        })?;
    s.store.modify_with(
        t.rt,
        ns,
        name,
        |obj| {
            obj["spec"]["replicas"] = json!(replicas);
            Ok(())
        },
        commit,
        Some(who),
    )
}

/// The field manager of a request.
fn manager_of(
    t: &Target,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
    sub: Option<&str>,
) -> Manager {
    Manager::of_request(
        q.get("fieldManager").map(String::as_str),
        headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok()),
        t.rt,
        sub,
    )
}

fn patch_object(
    s: &ApiState,
    t: &Target,
    name: &str,
    sub: Option<&str>,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let commit = commits(q);
    let ns = ns_of(t)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let p = body_json(body)?;
    let mode = FieldValidation::from_query(q)?;
    let who = manager_of(t, q, headers, sub);
    if content_type == "application/apply-patch+yaml" {
        if q.get("fieldManager").is_none_or(|m| m.is_empty()) {
            return Err(ApiError::BadRequest(
                "PATCH with application/apply-patch+yaml requires a fieldManager".into(),
            ));
        }
        let force = q.get("force").is_some_and(|f| f == "true");
        return server_side_apply(s, t, name, sub, &p, &who, force, mode, commit);
    }
    let patched_by = |cur: &Value| -> Result<Value, ApiError> {
        let r = match content_type.as_str() {
            "application/merge-patch+json" => {
                let mut merged = cur.clone();
                json_patch::merge(&mut merged, &p);
                Ok(merged)
            }
            "application/json-patch+json" => patch::json_patch(cur, &p),
            "application/strategic-merge-patch+json" => {
                patch::strategic_merge(Cursor::of(t.rt), cur, &p)
            }
            other => {
                return Err(ApiError::UnsupportedMediaType(format!(
                    "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got {other:?})"
                )));
            }
        };
        r.map_err(|e| ApiError::Invalid {
            kind: crate::store::qualified_kind(t.rt),
            name: name.to_string(),
            causes: vec![crate::status::Cause {
                reason: "FieldValueInvalid",
                field: "patch".into(),
                message: e,
            }],
        })
    };
    let mut warnings = Vec::new();
    let result = match sub {
        Some("scale") => {
            let cur = s.store.get(t.rt, ns, name)?;
            let scale = patched_by(&scale_of(&cur))?;
            scale_of(&set_replicas(s, t, ns, name, &scale, commit, &who)?)
        }
        None | Some("status") => s.store.modify_with(
            t.rt,
            ns,
            name,
            |obj| {
                let mut next = patched_by(obj)?;
                warnings = validation::check(t.rt, &mut next, mode)?;
                keep_the_other_part(t, sub, obj, next);
                Ok(())
            },
            commit,
            Some(&who),
        )?,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "{other} does not support PATCH"
            )));
        }
    };
    Ok(with_warnings(Json(result).into_response(), &warnings))
}

/// Stores `next` into `obj`: only its status for the status subresource; everything but
/// the status for the main resource of a kind that has one.
fn keep_the_other_part(t: &Target, sub: Option<&str>, obj: &mut Value, mut next: Value) {
    if sub == Some("status") {
        obj["status"] = next.get("status").cloned().unwrap_or(Value::Null);
        return;
    }
    if t.rt.has_status {
        next["status"] = obj.get("status").cloned().unwrap_or(Value::Null);
    }
    *obj = next;
}

/// `PATCH` with `application/apply-patch+yaml`: the configuration merged with field
/// ownership, conflicts refused unless `force`; an object that does not exist is created.
#[allow(clippy::too_many_arguments)]
fn server_side_apply(
    s: &ApiState,
    t: &Target,
    name: &str,
    sub: Option<&str>,
    config: &Value,
    who: &Manager,
    force: bool,
    mode: FieldValidation,
    commit: bool,
) -> Result<Response, ApiError> {
    if !matches!(sub, None | Some("status")) {
        return Err(ApiError::BadRequest(format!(
            "{} does not support apply",
            sub.unwrap_or_default()
        )));
    }
    let ns = ns_of(t)?;
    let mut warnings = Vec::new();
    let patched = s.store.modify_with(
        t.rt,
        ns,
        name,
        |obj| {
            let mut next = ownership::apply(t.rt, Some(obj), config, who, force)
                .map_err(ApiError::ApplyConflict)?;
            warnings = validation::check(t.rt, &mut next, mode)?;
            keep_the_other_part(t, sub, obj, next);
            Ok(())
        },
        commit,
        None,
    );
    match patched {
        Err(ApiError::NotFound { .. }) if sub.is_none() => {
            let mut obj = ownership::apply(t.rt, None, config, who, force)
                .map_err(ApiError::ApplyConflict)?;
            obj["metadata"]["name"] = json!(name);
            let warnings = validation::check(t.rt, &mut obj, mode)?;
            let created = s.store.create_with(t.rt, ns, obj, commit, None)?;
            Ok(with_warnings(
                (StatusCode::CREATED, Json(created)).into_response(),
                &warnings,
            ))
        }
        other => Ok(with_warnings(Json(other?).into_response(), &warnings)),
    }
}

fn pod_log(
    s: &ApiState,
    t: &Target,
    name: &str,
    q: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let ns = ns_of(t)?;
    let pod = s.store.get(t.rt, ns, name)?;
    let names: Vec<String> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect();
    let init_names: Vec<String> = pod["spec"]["initContainers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect();
    let container = match q.get("container") {
        Some(c) if names.contains(c) || init_names.contains(c) => c.clone(),
        Some(c) => {
            return Err(ApiError::BadRequest(format!(
                "container {c} is not valid for pod {name}"
            )));
        }
        None if names.len() == 1 => names[0].clone(),
        None => {
            return Err(ApiError::BadRequest(format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                names.join(" ")
            )));
        }
    };
    let Some(logs) = &s.logs else {
        return Ok(([(header::CONTENT_TYPE, "text/plain")], String::new()).into_response());
    };
    let query = crate::kubelet::logs::LogQuery {
        previous: q.get("previous").is_some_and(|v| v == "true"),
        tail_lines: q.get("tailLines").and_then(|v| v.parse().ok()),
        since_seconds: q.get("sinceSeconds").and_then(|v| v.parse().ok()),
        timestamps: q.get("timestamps").is_some_and(|v| v == "true"),
        running: pod["status"]["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["name"] == container.as_str() && c["state"]["running"].is_object()),
    };
    let text = logs
        .read(ns, name, &container, &query)
        .map_err(ApiError::BadRequest)?;
    if q.get("follow").is_none_or(|v| v != "true") {
        return Ok(([(header::CONTENT_TYPE, "text/plain")], text).into_response());
    }
    // follow: what is there, then new lines as they come, until the pod goes away.
    let (store, logs, rt, ns, name) = (
        s.store.clone(),
        logs.clone(),
        t.rt,
        ns.to_string(),
        name.to_string(),
    );
    let full = crate::kubelet::logs::LogQuery {
        tail_lines: None,
        ..query.clone()
    };
    let sent = logs
        .read(&ns, &name, &container, &full)
        .unwrap_or_default()
        .lines()
        .count();
    let state = (text, sent, store, logs, ns, name, container, query);
    let stream = futures::stream::unfold(Some(state), move |st| async move {
        let (first, mut sent, store, logs, ns, name, container, mut query) = st?;
        if !first.is_empty() {
            let next = (String::new(), sent, store, logs, ns, name, container, query);
            return Some((
                Ok::<_, std::convert::Infallible>(axum::body::Bytes::from(first)),
                Some(next),
            ));
        }
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            if store.get(rt, &ns, &name).is_err() {
                return None;
            }
            query.tail_lines = None;
            let all = logs
                .read(&ns, &name, &container, &query)
                .unwrap_or_default();
            let lines: Vec<&str> = all.lines().collect();
            if lines.len() > sent {
                let mut chunk = lines[sent..].join("\n");
                chunk.push('\n');
                sent = lines.len();
                let next = (String::new(), sent, store, logs, ns, name, container, query);
                return Some((Ok(axum::body::Bytes::from(chunk)), Some(next)));
            }
        }
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "text/plain")
        .body(axum::body::Body::from_stream(stream))
        .map_err(|e| ApiError::Internal(e.to_string()))
}
