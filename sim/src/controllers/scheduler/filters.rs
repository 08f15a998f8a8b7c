//! The scheduler's filters, one question each about a pod and a node, in kube-scheduler's
//! order and with its reasons: cordoned, untolerated taints, node selector and required
//! node affinity, then resources.

use serde_json::Value;

/// Why a node cannot take a pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The reason as the scheduler words it (`Insufficient cpu`).
    pub reason: String,
    /// Evicting other pods could not help (preemption says "not helpful").
    pub unresolvable: bool,
}

fn unresolvable(reason: impl Into<String>) -> Rejection {
    Rejection {
        reason: reason.into(),
        unresolvable: true,
    }
}

/// Whether one of the pod's tolerations tolerates `taint`.
pub(super) fn tolerates(pod: &Value, taint: &Value) -> bool {
    pod["spec"]["tolerations"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|t| {
            let effect_ok = t["effect"]
                .as_str()
                .is_none_or(|e| e.is_empty() || Some(e) == taint["effect"].as_str());
            let key = t["key"].as_str().unwrap_or_default();
            let key_ok = key.is_empty() || Some(key) == taint["key"].as_str();
            let value_ok = match t["operator"].as_str().unwrap_or("Equal") {
                "Exists" => true,
                _ => {
                    t["value"].as_str().unwrap_or_default()
                        == taint["value"].as_str().unwrap_or_default()
                }
            };
            // An empty key with Exists tolerates everything.
            effect_ok && key_ok && value_ok
        })
}

/// `spec.unschedulable` (kubectl cordon), unless the pod tolerates the cordon's taint.
pub fn cordoned(pod: &Value, node: &Value) -> Option<Rejection> {
    let taint =
        serde_json::json!({"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"});
    (node["spec"]["unschedulable"] == true && !tolerates(pod, &taint))
        .then(|| unresolvable("node(s) were unschedulable"))
}

/// The first NoSchedule or NoExecute taint the pod does not tolerate.
pub fn untolerated_taint(pod: &Value, node: &Value) -> Option<Rejection> {
    node["spec"]["taints"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| matches!(t["effect"].as_str(), Some("NoSchedule" | "NoExecute")))
        .find(|t| !tolerates(pod, t))
        .map(|t| {
            unresolvable(format!(
                "node(s) had untolerated taint {{{}: {}}}",
                t["key"].as_str().unwrap_or_default(),
                t["value"].as_str().unwrap_or_default()
            ))
        })
}

/// `nodeSelector` and required node affinity.
pub fn affinity(pod: &Value, node: &Value) -> Option<Rejection> {
    let labels = node["metadata"]["labels"].as_object();
    let selector_ok = pod["spec"]["nodeSelector"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v));
    let terms = pod["spec"]["affinity"]["nodeAffinity"]
        ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
        .as_array();
    // Terms are ORed; an empty list of terms matches nothing, no affinity matches anything.
    let affinity_ok = terms.is_none_or(|terms| terms.iter().any(|t| term_matches(t, node)));
    (!(selector_ok && affinity_ok))
        .then(|| unresolvable("node(s) didn't match Pod's node affinity/selector"))
}

/// Whether a node selector term matches the node.
pub(super) fn term_matches(term: &Value, node: &Value) -> bool {
    let exprs = term["matchExpressions"].as_array();
    let fields = term["matchFields"].as_array();
    if exprs.is_none_or(Vec::is_empty) && fields.is_none_or(Vec::is_empty) {
        return false;
    }
    let labels = node["metadata"]["labels"].as_object();
    let exprs_ok = exprs
        .into_iter()
        .flatten()
        .all(|e| expression_matches(e, |k| labels.and_then(|l| l.get(k)).and_then(Value::as_str)));
    let name = node["metadata"]["name"].as_str();
    let fields_ok = fields
        .into_iter()
        .flatten()
        .all(|e| expression_matches(e, |k| (k == "metadata.name").then_some(name).flatten()));
    exprs_ok && fields_ok
}

fn expression_matches<'a>(e: &Value, get: impl Fn(&str) -> Option<&'a str>) -> bool {
    let key = e["key"].as_str().unwrap_or_default();
    let values: Vec<&str> = e["values"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let have = get(key);
    let number = |s: &str| s.parse::<i64>().ok();
    match e["operator"].as_str().unwrap_or_default() {
        "In" => have.is_some_and(|h| values.contains(&h)),
        "NotIn" => have.is_none_or(|h| !values.contains(&h)),
        "Exists" => have.is_some(),
        "DoesNotExist" => have.is_none(),
        "Gt" => {
            matches!((have.and_then(number), values.first().and_then(|v| number(v))), (Some(h), Some(v)) if h > v)
        }
        "Lt" => {
            matches!((have.and_then(number), values.first().and_then(|v| number(v))), (Some(h), Some(v)) if h < v)
        }
        _ => false,
    }
}

/// What a node still has: CPU (millicores), memory (bytes), pod slots.
#[derive(Debug, Clone, Copy, Default)]
pub struct Free {
    /// Millicores.
    pub cpu: i64,
    /// Bytes.
    pub memory: i64,
    /// Pods.
    pub pods: i64,
}

/// Requests that do not fit what the node has left: one reason per resource short.
pub fn resources(requested: (i64, i64), free: Free) -> Vec<Rejection> {
    let short = |reason: &str| Rejection {
        reason: reason.into(),
        unresolvable: false,
    };
    let mut out = Vec::new();
    if free.pods < 1 {
        out.push(short("Too many pods"));
    }
    if requested.0 > free.cpu {
        out.push(short("Insufficient cpu"));
    }
    if requested.1 > free.memory {
        out.push(short("Insufficient memory"));
    }
    out
}

/// The scheduler's message when no node fits: each reason with the number of nodes that
/// gave it, sorted as text, then what preemption could do about it.
pub fn no_node_message(nodes: usize, rejections: &[Vec<Rejection>]) -> String {
    let count = |items: Vec<String>| {
        let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
        for i in items {
            *counts.entry(i).or_default() += 1;
        }
        let mut parts: Vec<String> = counts.iter().map(|(r, n)| format!("{n} {r}")).collect();
        parts.sort();
        parts.join(", ")
    };
    let reasons = count(
        rejections
            .iter()
            .flatten()
            .map(|r| r.reason.clone())
            .collect(),
    );
    let preemption = count(
        rejections
            .iter()
            .map(|r| {
                if r.iter().any(|r| r.unresolvable) {
                    "Preemption is not helpful for scheduling".to_string()
                } else {
                    "No preemption victims found for incoming pod".to_string()
                }
            })
            .collect(),
    );
    format!(
        "0/{nodes} nodes are available: {reasons}. preemption: 0/{nodes} nodes are available: {preemption}."
    )
}

/// The scheduler's message when a pre-filter refuses the pod before any node is tried:
/// its reason once, and preemption cannot help.
pub fn prefilter_message(nodes: usize, reason: &str) -> String {
    format!(
        "0/{nodes} nodes are available: {reason}. preemption: 0/{nodes} nodes are available: {nodes} Preemption is not helpful for scheduling."
    )
}
