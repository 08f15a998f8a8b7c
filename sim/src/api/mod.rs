//! The HTTP API: path parsing, authentication and dispatch to discovery, objects and watches.

pub mod attach;
pub mod channel;
pub mod discovery;
pub mod exec;
pub mod metrics;
pub mod objects;
pub mod openapi;
pub mod pagination;
pub mod pod_proxy;
pub mod portforward;
pub mod table;
pub mod validation;
pub mod watch;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::auth::tokens::Tokens;
use crate::auth::{Attributes, UserInfo, forbidden, rbac};
use crate::resources::{self, ResourceType};
use crate::status::ApiError;
use crate::store::Store;

/// What every request handler shares.
#[derive(Clone)]
pub struct ApiState {
    /// The objects.
    pub store: Arc<Store>,
    /// The accepted tokens.
    pub tokens: Tokens,
    /// `host:port` the server listens on.
    pub server_address: String,
    /// Turns true when the server stops, ending open watches.
    pub stopping: tokio::sync::watch::Receiver<bool>,
    /// Container logs, when pods run as processes.
    pub logs: Option<crate::kubelet::logs::LogStore>,
    /// The process kubelet, when pods run as processes (exec joins its containers).
    pub kubelet: Option<Arc<crate::kubelet::Kubelet>>,
    /// API requests served (for benchmarks of clients).
    pub requests: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// A request against a resource, parsed from its path.
#[derive(Debug, Clone)]
pub struct Target {
    /// The resource type.
    pub rt: &'static ResourceType,
    /// Namespace from the path, if any.
    pub namespace: Option<String>,
    /// Object name, if any.
    pub name: Option<String>,
    /// Subresource, if any.
    pub sub: Option<String>,
}

enum Route {
    Json(serde_json::Value),
    OpenApiV2,
    Object(Target),
    Review(Review),
    Metrics(metrics::Query),
    NotFound,
}

/// The self reviews: asked with a POST, answered from the caller's own identity.
#[derive(Clone, Copy)]
enum Review {
    Access,
    Rules,
    Subject,
}

fn parse(path: &str) -> Route {
    let parts: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    let (group, version, rest): (&str, &str, &[&str]) = match parts.as_slice() {
        ["version"] => return Route::Json(discovery::version()),
        ["openapi", "v3"] => return Route::Json(openapi::root()),
        ["openapi", "v2"] => return Route::OpenApiV2,
        ["openapi", "v3", gv @ ..] => {
            return openapi::group_version(&gv.join("/")).map_or(Route::NotFound, Route::Json);
        }
        ["api"] => return Route::Json(json!(null)),
        ["apis"] => return Route::Json(discovery::group_list()),
        ["apis", g] => return discovery::group(g).map_or(Route::NotFound, Route::Json),
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return Route::NotFound,
    };
    if (group, version) == ("metrics.k8s.io", "v1beta1") {
        return match rest {
            [] => Route::Json(metrics::resource_list()),
            ["pods", name @ ..] if name.len() <= 1 => Route::Metrics(metrics::Query::Pods {
                namespace: None,
                name: name.first().map(|n| n.to_string()),
            }),
            ["namespaces", ns, "pods", name @ ..] if name.len() <= 1 => {
                Route::Metrics(metrics::Query::Pods {
                    namespace: Some(ns.to_string()),
                    name: name.first().map(|n| n.to_string()),
                })
            }
            ["nodes", name @ ..] if name.len() <= 1 => Route::Metrics(metrics::Query::Nodes {
                name: name.first().map(|n| n.to_string()),
            }),
            _ => Route::NotFound,
        };
    }
    if rest.is_empty() {
        return discovery::resource_list(group, version).map_or(Route::NotFound, Route::Json);
    }
    match (group, rest) {
        ("authorization.k8s.io", ["selfsubjectaccessreviews"]) => {
            return Route::Review(Review::Access);
        }
        ("authorization.k8s.io", ["selfsubjectrulesreviews"]) => {
            return Route::Review(Review::Rules);
        }
        ("authentication.k8s.io", ["selfsubjectreviews"]) => {
            return Route::Review(Review::Subject);
        }
        _ => {}
    }
    let (namespace, rest) = match rest {
        ["namespaces", ns, plural, more @ ..] if !matches!(*plural, "status" | "finalize") => {
            (Some(ns.to_string()), [&[*plural][..], more].concat())
        }
        _ => (None, rest.to_vec()),
    };
    let Some(rt) = rest
        .first()
        .and_then(|p| resources::find(group, version, p))
    else {
        return Route::NotFound;
    };
    if rest.len() > 3 || (rest.len() == 3 && !rt.subresources.contains(&rest[2])) {
        return Route::NotFound;
    }
    Route::Object(Target {
        rt,
        namespace,
        name: rest.get(1).map(|s| s.to_string()),
        sub: rest.get(2).map(|s| s.to_string()),
    })
}

/// The single entry point: every path of the API.
pub async fn handle(
    State(s): State<ApiState>,
    method: Method,
    uri: Uri,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if std::env::var_os("KUBESIM_TRACE").is_some() {
        eprintln!("{method} {uri}");
    }
    match dispatch(&s, &method, &uri, &query, &headers, body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn dispatch(
    s: &ApiState,
    method: &Method,
    uri: &Uri,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let path = uri.path();
    if matches!(path, "/healthz" | "/livez" | "/readyz") {
        return Ok("ok".into_response());
    }
    let who = s.tokens.authenticate(&s.store, headers)?;
    let route = parse(path);
    if let Route::Json(_) | Route::NotFound | Route::OpenApiV2 = route {
        let a = Attributes {
            verb: "get".into(),
            path: Some(path.to_string()),
            ..Attributes::default()
        };
        if !rbac::authorize(&s.store, &who, &a).allowed {
            return Err(forbidden(&who, &a));
        }
    }
    match route {
        Route::Json(v) if v.is_null() => {
            Ok(Json(discovery::core_versions(&s.server_address)).into_response())
        }
        Route::Json(v) => Ok(Json(v).into_response()),
        Route::OpenApiV2 => {
            let accept = headers
                .get("accept")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            Ok(if accept.contains("protobuf") {
                (
                    [("content-type", openapi::V2_PROTOBUF)],
                    openapi::v2_protobuf(),
                )
                    .into_response()
            } else {
                Json(openapi::v2_json()).into_response()
            })
        }
        Route::NotFound => Err(ApiError::NotFound {
            kind: "the server could not find the requested resource".into(),
            name: path.to_string(),
        }),
        Route::Review(r) if *method == Method::POST => {
            Ok(Json(review(s, &who, r, &body)?).into_response())
        }
        Route::Review(_) => Err(ApiError::MethodNotAllowed),
        Route::Metrics(q) => {
            let (resource, namespace, name) = match &q {
                metrics::Query::Pods { namespace, name } => {
                    ("pods", namespace.clone(), name.clone())
                }
                metrics::Query::Nodes { name } => ("nodes", None, name.clone()),
            };
            let verb = if name.is_some() { "get" } else { "list" };
            let mut a =
                Attributes::resource(verb, "metrics.k8s.io", resource, namespace.as_deref());
            a.name = name.unwrap_or_default();
            if !rbac::authorize(&s.store, &who, &a).allowed {
                return Err(forbidden(&who, &a));
            }
            let selector = query.get("labelSelector").map_or("", String::as_str);
            Ok(Json(metrics::answer(s, &q, selector)?).into_response())
        }
        Route::Object(t) => {
            let watch = query.get("watch").is_some_and(|w| w == "true" || w == "1");
            let a = Attributes {
                verb: verb(method, t.name.is_some(), watch).into(),
                group: t.rt.group.into(),
                resource: t.rt.plural.into(),
                subresource: t.sub.clone().unwrap_or_default(),
                name: t.name.clone().unwrap_or_default(),
                namespace: t.namespace.clone(),
                path: None,
            };
            if !rbac::authorize(&s.store, &who, &a).allowed {
                return Err(forbidden(&who, &a));
            }
            if watch {
                let accept = headers
                    .get("accept")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                return watch::stream(s, &t, query, accept);
            }
            objects::handle(s, &t, method, query, headers, &body)
        }
    }
}

/// The Kubernetes verb of a request.
pub fn verb(method: &Method, has_name: bool, watch: bool) -> &'static str {
    match *method {
        Method::GET if watch => "watch",
        Method::GET if has_name => "get",
        Method::GET => "list",
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE if has_name => "delete",
        Method::DELETE => "deletecollection",
        _ => "get",
    }
}

fn review(
    s: &ApiState,
    who: &UserInfo,
    kind: Review,
    body: &[u8],
) -> Result<serde_json::Value, ApiError> {
    let mut review = objects::body_json(body)?;
    review["status"] = match kind {
        Review::Access => {
            let ra = &review["spec"]["resourceAttributes"];
            let nra = &review["spec"]["nonResourceAttributes"];
            let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
            let a = if nra.is_object() {
                Attributes {
                    verb: text(&nra["verb"]),
                    path: Some(text(&nra["path"])),
                    ..Attributes::default()
                }
            } else {
                Attributes {
                    verb: text(&ra["verb"]),
                    group: text(&ra["group"]),
                    resource: text(&ra["resource"]),
                    subresource: text(&ra["subresource"]),
                    name: text(&ra["name"]),
                    namespace: ra["namespace"].as_str().map(str::to_string),
                    path: None,
                }
            };
            let d = rbac::authorize(&s.store, who, &a);
            let mut status = json!({"allowed": d.allowed});
            if !d.reason.is_empty() {
                status["reason"] = json!(d.reason);
            }
            status
        }
        Review::Rules => {
            let ns = review["spec"]["namespace"]
                .as_str()
                .unwrap_or("default")
                .to_string();
            rbac::rules_review(&s.store, who, &ns)
        }
        Review::Subject => json!({"userInfo": who.to_json()}),
    };
    if review["metadata"].is_null() {
        review["metadata"] = json!({});
    }
    review["metadata"]["creationTimestamp"] = serde_json::Value::Null;
    Ok(review)
}
