//! `metrics.k8s.io/v1beta1`, as metrics-server serves it, from the processes the kubelet
//! runs: each container's resident memory and its CPU averaged over its life, so
//! `kubectl top pod|node` work. Pods without processes (the instant runtime, or not
//! started yet) have no metrics, as on a cluster before metrics-server has scraped them.

use serde_json::{Value, json};

use super::ApiState;
use crate::kubelet::usage::{ContainerUsage, PodUsage};
use crate::meta;
use crate::resources::{NODE, POD};
use crate::selector::LabelSelector;
use crate::status::ApiError;

/// The group version served.
pub const GROUP_VERSION: &str = "metrics.k8s.io/v1beta1";

/// Which metrics a request asks for.
#[derive(Debug, Clone)]
pub enum Query {
    /// Pods, in one namespace or all; one by name.
    Pods {
        /// The namespace (None: all).
        namespace: Option<String>,
        /// One pod.
        name: Option<String>,
    },
    /// Nodes; one by name.
    Nodes {
        /// One node.
        name: Option<String>,
    },
}

/// The discovery document of the group version.
pub fn resource_list() -> Value {
    json!({
        "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": GROUP_VERSION,
        "resources": [
            {"name": "nodes", "singularName": "", "namespaced": false, "kind": "NodeMetrics", "verbs": ["get", "list"]},
            {"name": "pods", "singularName": "", "namespaced": true, "kind": "PodMetrics", "verbs": ["get", "list"]},
        ],
    })
}

/// The usage of one pod's running containers; None when none runs.
fn pod_usage(s: &ApiState, pod: &Value) -> Option<Vec<ContainerUsage>> {
    s.kubelet.as_ref()?.usage(pod)
}

fn pod_metrics(pod: &Value, usage: &[ContainerUsage]) -> Value {
    json!({
        "metadata": {
            "name": pod["metadata"]["name"], "namespace": pod["metadata"]["namespace"],
            "creationTimestamp": meta::now(), "labels": pod["metadata"]["labels"],
        },
        "timestamp": meta::now(),
        "window": "10s",
        "containers": usage.iter().map(|u| json!({
            "name": u.container,
            "usage": {"cpu": format!("{}m", u.cpu_milli), "memory": format!("{}Ki", u.memory_bytes / 1024)},
        })).collect::<Vec<_>>(),
    })
}

/// Answers a metrics request.
pub fn answer(s: &ApiState, q: &Query, label_selector: &str) -> Result<Value, ApiError> {
    let selector = LabelSelector::parse(label_selector).map_err(ApiError::BadRequest)?;
    let pods = s.store.all_shared(&POD);
    match q {
        Query::Pods { namespace, name } => {
            let items: Vec<Value> = pods
                .iter()
                .filter(|p| {
                    namespace
                        .as_deref()
                        .is_none_or(|n| p["metadata"]["namespace"] == n)
                })
                .filter(|p| name.as_deref().is_none_or(|n| p["metadata"]["name"] == n))
                .filter(|p| selector.matches(p["metadata"]["labels"].as_object()))
                .filter_map(|p| pod_usage(s, p).map(|u| pod_metrics(p, &u)))
                .collect();
            match name {
                Some(n) => items
                    .into_iter()
                    .next()
                    .ok_or_else(|| ApiError::NotFound {
                        kind: "pods.metrics.k8s.io".into(),
                        name: n.clone(),
                    })
                    .map(|mut m| {
                        m["kind"] = json!("PodMetrics");
                        m["apiVersion"] = json!(GROUP_VERSION);
                        m
                    }),
                None => Ok(
                    json!({"kind": "PodMetricsList", "apiVersion": GROUP_VERSION, "metadata": {}, "items": items}),
                ),
            }
        }
        Query::Nodes { name } => {
            let items: Vec<Value> = s
                .store
                .all(&NODE)
                .iter()
                .filter(|n| name.as_deref().is_none_or(|x| n["metadata"]["name"] == x))
                .filter(|n| selector.matches(n["metadata"]["labels"].as_object()))
                .filter(|_| s.kubelet.is_some())
                .map(|n| {
                    let node = n["metadata"]["name"].as_str().unwrap_or_default();
                    let (cpu, mem) = pods
                        .iter()
                        .filter(|p| p["spec"]["nodeName"] == node)
                        .filter_map(|p| pod_usage(s, p))
                        .flatten()
                        .fold((0, 0), |(c, m), u| (c + u.cpu_milli, m + u.memory_bytes));
                    json!({
                        "metadata": {"name": node, "creationTimestamp": meta::now(), "labels": n["metadata"]["labels"]},
                        "timestamp": meta::now(), "window": "10s",
                        "usage": {"cpu": format!("{cpu}m"), "memory": format!("{}Ki", mem / 1024)},
                    })
                })
                .collect();
            match name {
                Some(n) => items.into_iter().next().ok_or_else(|| ApiError::NotFound {
                    kind: "nodes.metrics.k8s.io".into(),
                    name: n.clone(),
                }),
                None => Ok(
                    json!({"kind": "NodeMetricsList", "apiVersion": GROUP_VERSION, "metadata": {}, "items": items}),
                ),
            }
        }
    }
}
