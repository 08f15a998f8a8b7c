//! Requests to create objects, read into manifests the `apply` tool takes: a pod (its
//! image, name, container, requests and limits), a HorizontalPodAutoscaler, and access for
//! a ServiceAccount (a Role with the verbs on the resource asked, bound to the account), each
//! in the namespace named (made too, as `kubectl create namespace` would). Everything comes
//! from the words of the request; a request that leaves out what a manifest needs is not
//! guessed at.

use serde_json::{Value, json};

/// The request's words with their case (names and quantities keep theirs: `62Mi`).
fn tokens(request: &str) -> Vec<String> {
    request
        .split(|c: char| !(c.is_alphanumeric() || "-._=%:/@".contains(c)))
        .map(|w| w.trim_matches(|c: char| ".,:;!?".contains(c)).to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Words that never name anything.
const FILLER: &[&str] = &[
    "a", "an", "the", "my", "new", "to", "with", "and", "that", "in", "for", "of", "on", "using",
    "should", "have", "has", "which", "is", "it", "named", "called",
];

fn lower(t: &[String]) -> Vec<String> {
    t.iter().map(|w| w.to_lowercase()).collect()
}

/// The first word after `marker` that is not filler.
fn after(t: &[String], marker: &str) -> Option<String> {
    let l = lower(t);
    let at = l.iter().position(|w| w == marker)?;
    t[at + 1..]
        .iter()
        .find(|w| !FILLER.contains(&w.to_lowercase().as_str()))
        .cloned()
}

/// The word just before `marker`, when it is not filler.
fn before(t: &[String], marker: &str) -> Option<String> {
    let l = lower(t);
    let at = l.iter().position(|w| w == marker)?;
    let w = t.get(at.checked_sub(1)?)?;
    (!FILLER.contains(&w.to_lowercase().as_str())).then(|| w.clone())
}

/// A Kubernetes name: lower-case letters, digits, `-` and `.`.
fn is_name(w: &str) -> bool {
    !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && w.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
}

/// The namespace a request names: "namespace X", "X namespace", "in namespace 'X'".
pub fn namespace(t: &[String]) -> Option<String> {
    // "the session namespace" first: after "namespace" may come the next part of the
    // request ("… namespace and a service").
    before(t, "namespace")
        .filter(|w| {
            is_name(w) && !is_filler_kind(w) && !["make", "new", "own"].contains(&w.as_str())
        })
        .or_else(|| {
            after(t, "namespace")
                .filter(|w| is_name(w) && !["namespace", "to"].contains(&w.as_str()))
        })
}

/// A resource quantity (`60m`, `62Mi`, `1.5`, `2Gi`).
fn quantity(w: &str) -> bool {
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &w[digits.len()..];
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && ["", "m", "k", "Ki", "M", "Mi", "G", "Gi", "T", "Ti"].contains(&unit)
}

/// (requests, limits) for `resource` (`cpu`, `memory`) from the words after it up to the
/// next resource: "CPU request 60m, limit 600m", "memory request/limit of 62Mi".
fn resource(t: &[String], resource: &str, until: &str) -> (Option<String>, Option<String>) {
    let l = lower(t);
    let Some(start) = l.iter().position(|w| w == resource) else {
        return (None, None);
    };
    let end = l[start + 1..]
        .iter()
        .position(|w| w == until)
        .map_or(l.len(), |i| start + 1 + i);
    let (mut request, mut limit) = (None, None);
    let mut pending: Vec<&str> = Vec::new();
    for (w, lw) in t[start + 1..end].iter().zip(&l[start + 1..end]) {
        if lw.starts_with("request") || lw.starts_with("limit") {
            pending.extend(lw.split('/'));
        } else if quantity(w) && !pending.is_empty() {
            for p in pending.drain(..) {
                if p.starts_with("request") {
                    request = Some(w.clone());
                } else if p.starts_with("limit") {
                    limit = Some(w.clone());
                }
            }
        }
    }
    (request, limit)
}

/// A namespace object, so the objects in it can be created even when it is new.
fn namespace_object(ns: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
}

/// "Create a nginx pod named web-server in the web-server namespace", "a pod 'x' using
/// httpd:alpine image. Container 'c' should have CPU request 60m, limit 600m, …".
fn pod(t: &[String]) -> Option<Vec<Value>> {
    let name = after(t, "named")
        .or_else(|| after(t, "called"))
        .or_else(|| after(t, "pod"))
        .filter(|w| is_name(w))?;
    let image = before(t, "image")
        .or_else(|| before(t, "pod"))
        .filter(|w| !is_filler_kind(w))?;
    let container = after(t, "container")
        .filter(|w| is_name(w))
        .unwrap_or(name.clone());
    let mut resources = json!({});
    for (res, until) in [("cpu", "memory"), ("memory", "cpu")] {
        let (request, limit) = resource(t, res, until);
        if let Some(q) = request {
            resources["requests"][res] = json!(q);
        }
        if let Some(q) = limit {
            resources["limits"][res] = json!(q);
        }
    }
    let mut c = json!({"name": container, "image": image});
    if resources.as_object().is_some_and(|r| !r.is_empty()) {
        c["resources"] = resources;
    }
    let mut docs = Vec::new();
    let mut meta = json!({"name": name, "labels": {"run": name}});
    if let Some(ns) = namespace(t) {
        docs.push(namespace_object(&ns));
        meta["namespace"] = json!(ns);
    }
    docs.push(json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta,
                     "spec": {"containers": [c]}}));
    Some(docs)
}

/// Words that say what kind of thing, not which image.
fn is_filler_kind(w: &str) -> bool {
    [
        "pod",
        "namespace",
        "container",
        "create",
        "run",
        "start",
        "deploy",
    ]
    .contains(&w.to_lowercase().as_str())
}

/// A number after `key=`, `key:`, `key of` or `key` (min=1, minimum 1, max of 3).
fn number_after(t: &[String], keys: &[&str]) -> Option<i64> {
    let l = lower(t);
    for (i, w) in l.iter().enumerate() {
        for key in keys {
            if let Some(n) = w
                .strip_prefix(&format!("{key}="))
                .and_then(|n| n.parse().ok())
            {
                return Some(n);
            }
            if w == key
                && let Some(n) = l[i + 1..]
                    .iter()
                    .take(3)
                    .find_map(|x| x.parse::<i64>().ok())
            {
                return Some(n);
            }
        }
    }
    None
}

/// "Create a HorizontalPodAutoscaler for deployment 'web-app' in namespace 'hpa-test'
/// targeting 50% CPU utilization with min=1 and max=3 replicas".
fn autoscaler(t: &[String]) -> Option<Vec<Value>> {
    let l = lower(t);
    let target = after(t, "deployment").filter(|w| is_name(w))?;
    let max = number_after(t, &["max", "maximum"])?;
    let min = number_after(t, &["min", "minimum"]).unwrap_or(1);
    let percent = l
        .iter()
        .find_map(|w| w.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()))?;
    let resource = if l.iter().any(|w| w == "memory") {
        "memory"
    } else {
        "cpu"
    };
    let mut meta = json!({"name": target});
    let mut docs = Vec::new();
    if let Some(ns) = namespace(t) {
        docs.push(namespace_object(&ns));
        meta["namespace"] = json!(ns);
    }
    docs.push(json!({
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta,
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
            "minReplicas": min, "maxReplicas": max,
            "metrics": [{"type": "Resource", "resource": {"name": resource,
                "target": {"type": "Utilization", "averageUtilization": percent}}}],
        },
    }));
    Some(docs)
}

/// The verbs "read-only" and its kin stand for, as the `view` role grants them.
const READ: [&str; 3] = ["get", "list", "watch"];
/// Verbs a request may name.
const VERBS: [&str; 8] = [
    "get", "list", "watch", "create", "update", "patch", "delete", "read",
];

/// Access for a ServiceAccount: "a read-only role for pods bound to my reader-sa service
/// account in NS", "why can't I list pods with my pod-reader service account in NS? fix it".
fn access(t: &[String]) -> Option<Vec<Value>> {
    let l = lower(t);
    let account = before(t, "service")
        .filter(|_| l.windows(2).any(|w| w[0] == "service" && w[1] == "account"))
        .or_else(|| before(t, "serviceaccount"))
        .filter(|w| is_name(w))?;
    let ns = namespace(t)?;
    let resource = l
        .iter()
        .find(|w| {
            [
                "pods",
                "deployments",
                "services",
                "configmaps",
                "secrets",
                "jobs",
                "nodes",
            ]
            .contains(&w.as_str())
        })?
        .clone();
    let read_only = l
        .iter()
        .any(|w| w == "read-only" || w == "readonly" || w == "view");
    let mut verbs: Vec<String> = if read_only {
        READ.iter().map(|v| v.to_string()).collect()
    } else {
        l.iter()
            .filter(|w| VERBS.contains(&w.as_str()))
            .flat_map(|w| match w.as_str() {
                "read" => READ.iter().map(|v| v.to_string()).collect(),
                v => vec![v.to_string()],
            })
            .collect()
    };
    verbs.dedup();
    if verbs.is_empty() {
        return None;
    }
    let group = if resource == "deployments" {
        "apps"
    } else {
        ""
    };
    let role = format!(
        "{account}-{resource}-{}",
        if read_only { "read-only" } else { "access" }
    );
    Some(vec![
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
               "metadata": {"name": role, "namespace": ns},
               "rules": [{"apiGroups": [group], "resources": [resource], "verbs": verbs}]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
               "metadata": {"name": role, "namespace": ns},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role},
               "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": ns}]}),
    ])
}

/// Whether the request asks for access a ServiceAccount lacks ("why can't I list pods with
/// my X service account … fix it", "give X access to …").
pub fn asks_for_access(request: &str) -> bool {
    let l = request.to_lowercase();
    let lacking = l.contains("can't") || l.contains("cannot") || l.contains("can not");
    let account = l.contains("service account") || l.contains("serviceaccount");
    account && ((lacking && (l.contains("fix") || l.contains("allow"))) || l.contains("grant"))
}

/// The manifests a creation request describes, if it says enough for one.
pub fn manifests(request: &str) -> Option<Vec<Value>> {
    let t = tokens(request);
    let l = lower(&t);
    let has = |w: &str| l.iter().any(|x| x == w);
    if has("horizontalpodautoscaler") || has("hpa") || has("autoscaler") {
        return autoscaler(&t);
    }
    if has("role") || asks_for_access(request) {
        return access(&t);
    }
    if has("pod") {
        return pod(&t);
    }
    if has("deployment") {
        return deployment(&t);
    }
    None
}

/// A Deployment of the image said before "deployment" (or before "image"), named after
/// "called"/"named", with the replicas said; with "service", a Service in front of it on
/// the port said ("on port 6379").
fn deployment(t: &[String]) -> Option<Vec<Value>> {
    let l = lower(t);
    let name = after(t, "called")
        .or_else(|| after(t, "named"))
        .filter(|w| is_name(w))?;
    let image = before(t, "image")
        .or_else(|| before(t, "deployment"))
        .filter(|w| !is_filler_kind(w) && !["a", "the"].contains(&w.as_str()))?;
    let replicas = l
        .windows(2)
        .find(|p| p[1].starts_with("replica"))
        .and_then(|p| p[0].parse::<i64>().ok());
    let port = after(t, "port").and_then(|p| p.parse::<i64>().ok());
    let labels = json!({"app": name});
    // The container is named after the image's repository, as `kubectl create deployment`.
    let cname = image.rsplit('/').next().unwrap_or(&image);
    let cname = cname.split(':').next().unwrap_or(cname).to_string();
    let mut container = json!({"name": cname, "image": image});
    if let Some(p) = port {
        container["ports"] = json!([{"containerPort": p}]);
    }
    let mut docs = Vec::new();
    let mut meta = json!({"name": name, "labels": labels});
    if let Some(ns) = namespace(t) {
        docs.push(namespace_object(&ns));
        meta["namespace"] = json!(ns);
    }
    docs.push(json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
        "spec": {"replicas": replicas.unwrap_or(1), "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}}}}));
    if l.iter().any(|w| w == "service" || w == "svc") {
        // A Service needs a port; one the request does not say is not guessed.
        let p = port?;
        docs.push(
            json!({"apiVersion": "v1", "kind": "Service", "metadata": meta,
            "spec": {"selector": labels, "ports": [{"port": p, "targetPort": p}]}}),
        );
    }
    Some(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pod_with_its_image_name_namespace_and_resources() {
        let docs =
            manifests("Please create a nginx pod named web-server in the web-server namespace")
                .unwrap();
        assert_eq!(docs[0]["metadata"]["name"], "web-server");
        assert_eq!(docs[1]["metadata"]["namespace"], "web-server");
        assert_eq!(docs[1]["spec"]["containers"][0]["image"], "nginx");
        let docs = manifests(
            "Create namespace 'limits-test' with a pod 'resource-limits-pod' using httpd:alpine image. \
             Container 'my-container' should have CPU request 60m, limit 600m, and memory request/limit of 62Mi.",
        )
        .unwrap();
        let c = &docs[1]["spec"]["containers"][0];
        assert_eq!(docs[1]["metadata"]["name"], "resource-limits-pod");
        assert_eq!(docs[1]["metadata"]["namespace"], "limits-test");
        assert_eq!(
            (c["name"].as_str(), c["image"].as_str()),
            (Some("my-container"), Some("httpd:alpine"))
        );
        assert_eq!(
            c["resources"]["requests"],
            json!({"cpu": "60m", "memory": "62Mi"})
        );
        assert_eq!(
            c["resources"]["limits"],
            json!({"cpu": "600m", "memory": "62Mi"})
        );
    }

    #[test]
    fn a_deployment_and_its_service_on_the_port_said() {
        let docs = manifests(
            "Create a redis deployment called cache in the session namespace and a service for it on port 6379.",
        )
        .unwrap();
        assert_eq!(docs[1]["kind"], "Deployment");
        assert_eq!(docs[1]["metadata"]["namespace"], "session");
        assert_eq!(
            docs[1]["spec"]["template"]["spec"]["containers"][0]["image"],
            "redis"
        );
        assert_eq!(docs[2]["kind"], "Service");
        assert_eq!(docs[2]["spec"]["ports"][0]["port"], 6379);
        assert_eq!(docs[2]["spec"]["selector"], json!({"app": "cache"}));
    }

    #[test]
    fn an_autoscaler_and_access_for_an_account() {
        let docs = manifests("Create a HorizontalPodAutoscaler for deployment 'web-app' in namespace 'hpa-test' targeting 50% CPU utilization with min=1 and max=3 replicas").unwrap();
        let spec = &docs[1]["spec"];
        assert_eq!(
            (spec["minReplicas"].as_i64(), spec["maxReplicas"].as_i64()),
            (Some(1), Some(3))
        );
        assert_eq!(
            spec["metrics"][0]["resource"]["target"]["averageUtilization"],
            50
        );
        assert_eq!(spec["scaleTargetRef"]["name"], "web-app");
        let docs = manifests("Create a read-only role for pods bound to my reader-sa service account in the create-simple-rbac namespace.").unwrap();
        assert_eq!(
            docs[0]["rules"][0]["verbs"],
            json!(["get", "list", "watch"])
        );
        assert_eq!(docs[1]["subjects"][0]["name"], "reader-sa");
        assert_eq!(docs[1]["metadata"]["namespace"], "create-simple-rbac");
        let docs = manifests("Why can't I list pods with my pod-reader service account in simple-rbac-setup namespace ? Please fix it.").unwrap();
        assert_eq!(
            docs[0]["rules"][0],
            json!({"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]})
        );
        // Not enough said: no guess.
        assert!(manifests("create a pod").is_none());
        assert!(manifests("make a role").is_none());
    }
}
