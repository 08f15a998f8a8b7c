//! Inter-pod affinity, as kube-scheduler's InterPodAffinity filter decides it per topology
//! domain (the nodes sharing a `topologyKey` label value): a pod's required affinity needs a
//! matching pod in the node's domain (or, for the first of a group, the pod matching its own
//! term); its required anti-affinity, and that of the pods already placed, keeps matching
//! pods out of the domain.

use serde_json::Value;

use super::filters::Rejection;
use crate::selector::LabelSelector;

/// A pod placed on a node: what the filter compares.
#[derive(Debug, Clone)]
pub struct Placed {
    /// Its namespace.
    pub namespace: String,
    /// Its labels.
    pub labels: Value,
    /// The node it is bound to.
    pub node: String,
    /// Its required anti-affinity terms.
    pub anti_affinity: Vec<Value>,
}

impl Placed {
    /// A placed pod as the filter needs it.
    pub fn of(pod: &Value, node: &str) -> Self {
        Self {
            namespace: pod["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            labels: pod["metadata"]["labels"].clone(),
            node: node.to_string(),
            anti_affinity: required(pod, "podAntiAffinity"),
        }
    }
}

fn required(pod: &Value, kind: &str) -> Vec<Value> {
    pod["spec"]["affinity"][kind]["requiredDuringSchedulingIgnoredDuringExecution"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Whether a term of a pod in `term_ns` selects a pod in `ns` with `labels`.
pub(super) fn selects(term: &Value, term_ns: &str, ns: &str, labels: &Value) -> bool {
    let in_scope = match term["namespaces"].as_array() {
        Some(list) if !list.is_empty() => list.iter().any(|n| n == ns),
        _ => term_ns == ns,
    };
    in_scope && LabelSelector::from_object(&term["labelSelector"]).matches(labels.as_object())
}

/// The node's value of the term's topology key (None: the node is in no such domain).
fn domain<'a>(term: &Value, node: &'a Value) -> Option<&'a str> {
    let key = term["topologyKey"].as_str()?;
    node["metadata"]["labels"][key].as_str()
}

/// Whether two nodes are in one domain of the term's topology key.
pub(super) fn same_domain(term: &Value, a: &Value, b: &Value) -> bool {
    matches!((domain(term, a), domain(term, b)), (Some(x), Some(y)) if x == y)
}

/// Why `node` cannot take `pod` because of inter-pod (anti-)affinity, checked in the
/// scheduler's order: the pod's affinity, its anti-affinity, then the placed pods'.
pub fn check(pod: &Value, node: &Value, nodes: &[&Value], placed: &[Placed]) -> Option<Rejection> {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let labels = &pod["metadata"]["labels"];
    let node_of = |name: &str| {
        nodes
            .iter()
            .find(|n| n["metadata"]["name"] == name)
            .copied()
    };
    for term in required(pod, "podAffinity") {
        let in_domain = placed.iter().any(|p| {
            selects(&term, ns, &p.namespace, &p.labels)
                && node_of(&p.node).is_some_and(|n| same_domain(&term, n, node))
        });
        // The first pod of a group that attracts itself may go anywhere its key exists.
        let first_of_its_kind = !placed
            .iter()
            .any(|p| selects(&term, ns, &p.namespace, &p.labels))
            && selects(&term, ns, ns, labels)
            && domain(&term, node).is_some();
        if !in_domain && !first_of_its_kind {
            return Some(Rejection {
                reason: "node(s) didn't match pod affinity rules".into(),
                unresolvable: true,
            });
        }
    }
    let repelled = required(pod, "podAntiAffinity").iter().any(|term| {
        placed.iter().any(|p| {
            selects(term, ns, &p.namespace, &p.labels)
                && node_of(&p.node).is_some_and(|n| same_domain(term, n, node))
        })
    });
    if repelled {
        return Some(Rejection {
            reason: "node(s) didn't match pod anti-affinity rules".into(),
            unresolvable: false,
        });
    }
    // Pods already placed whose anti-affinity keeps this pod out of their domain.
    let excluded = placed.iter().any(|p| {
        p.anti_affinity.iter().any(|t| {
            selects(t, &p.namespace, ns, labels)
                && node_of(&p.node).is_some_and(|n| same_domain(t, n, node))
        })
    });
    excluded.then(|| Rejection {
        reason: "node(s) didn't satisfy existing pods anti-affinity rules".into(),
        unresolvable: false,
    })
}
