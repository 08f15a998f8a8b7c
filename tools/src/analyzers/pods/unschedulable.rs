//! `unschedulable`: no node may take the pod. The scheduler's message names, per node, what
//! stood in the way (`0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match
//! Pod's node affinity/selector. preemption: …`); the finding's cause, playbook and repair
//! follow from those reasons: requests that fit the nodes' free room, a node selector that a
//! node's labels satisfy, or an action for taints, cordons and unbound volumes.

use serde_json::{Value, json};

use super::evidence::requests_that_fit;
use super::finding;
use crate::analyzers::Finding;
use crate::repair::FieldChange;
use crate::snapshot::Snapshot;

/// What kept a pod off the nodes, as the scheduler's plugins word it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Blocker {
    /// NodeResourcesFit: `Insufficient cpu`, `Insufficient memory`.
    Resources,
    /// NodeAffinity: `node(s) didn't match Pod's node affinity/selector`.
    NodeSelector,
    /// TaintToleration: `node(s) had untolerated taint {…}`.
    Taint,
    /// NodeUnschedulable: `node(s) were unschedulable` (cordoned).
    Cordoned,
    /// VolumeBinding: `pod has unbound immediate PersistentVolumeClaims`, …
    Volume,
    /// NodePorts: `node(s) didn't have free ports for the requested pod ports`.
    HostPorts,
    /// InterPodAffinity: `node(s) didn't match pod affinity rules` / anti-affinity.
    PodAffinity,
}

impl Blocker {
    /// The blockers a scheduler message names, in the order it names them.
    pub(crate) fn all_in(message: &str) -> Vec<Blocker> {
        let m = message.to_ascii_lowercase();
        // Only the part before "preemption:" says why nodes were filtered out.
        let m = m.split("preemption:").next().unwrap_or_default();
        let mut found: Vec<(usize, Blocker)> = [
            ("insufficient ", Blocker::Resources),
            ("node affinity/selector", Blocker::NodeSelector),
            ("untolerated taint", Blocker::Taint),
            ("were unschedulable", Blocker::Cordoned),
            ("persistentvolumeclaim", Blocker::Volume),
            ("persistent volumes", Blocker::Volume),
            ("volume node affinity", Blocker::Volume),
            ("free ports", Blocker::HostPorts),
            ("pod affinity", Blocker::PodAffinity),
            ("pod anti-affinity", Blocker::PodAffinity),
        ]
        .into_iter()
        .filter_map(|(words, b)| m.find(words).map(|at| (at, b)))
        .collect();
        found.sort_by_key(|(at, _)| *at);
        let mut out: Vec<Blocker> = Vec::new();
        for (_, b) in found {
            if !out.contains(&b) {
                out.push(b);
            }
        }
        out
    }

    fn cause(self) -> &'static str {
        match self {
            Blocker::Resources => "no node has enough free CPU or memory for what the pod requests",
            Blocker::NodeSelector => {
                "the pod's nodeSelector or node affinity matches no node's labels"
            }
            Blocker::Taint => "the nodes carry taints the pod does not tolerate",
            Blocker::Cordoned => "nodes are cordoned (spec.unschedulable)",
            Blocker::Volume => "a PersistentVolumeClaim the pod mounts is not bound to a volume",
            Blocker::HostPorts => "the host port the pod asks for is taken on every node",
            Blocker::PodAffinity => "the pod's (anti-)affinity to other pods rules out every node",
        }
    }

    fn action(self) -> &'static str {
        match self {
            Blocker::Resources => "lower the requests (the suggested fix) or add node capacity",
            Blocker::NodeSelector => "change the selector to labels a node has, or label a node",
            Blocker::Taint => {
                "add a toleration for the taint to the pod template, or remove the taint (kubectl taint nodes NODE KEY-)"
            }
            Blocker::Cordoned => {
                "uncordon a node (kubectl uncordon NODE) once it is fit to run pods"
            }
            Blocker::Volume => {
                "look at the claim (kubectl describe pvc): give it a StorageClass that provisions, or a matching PersistentVolume"
            }
            Blocker::HostPorts => "drop the hostPort or run fewer replicas than nodes",
            Blocker::PodAffinity => "relax the pod (anti-)affinity or add nodes",
        }
    }
}

/// The finding when the scheduler says no node fits the pod.
pub(super) fn check(snap: &Snapshot, pod: &Value, owner: &str) -> Option<Finding> {
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let c = pod["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == "PodScheduled" && c["status"] == "False")?;
    let msg = c["message"].as_str().unwrap_or_default().to_string();
    let blockers = Blocker::all_in(&msg);
    let mut changes = Vec::new();
    if blockers.contains(&Blocker::Resources) {
        changes.extend(requests_that_fit(snap, pod, owner, &msg));
    }
    if blockers.contains(&Blocker::NodeSelector) {
        changes.extend(selector_that_matches(snap, pod, owner));
    }
    let mut evidence = vec![format!(
        "PodScheduled=False ({}): {msg}",
        c["reason"].as_str().unwrap_or("")
    )];
    evidence.extend(blockers.iter().map(|b| format!("to do: {}", b.action())));
    // Requests are the one blocker a values change repairs; the others have their playbook.
    let playbook = if blockers == [Blocker::Resources] {
        "requests-too-large"
    } else {
        "scheduling"
    };
    let mut f = finding(
        "unschedulable",
        owner.to_string(),
        format!("pod {name} cannot be scheduled: {msg}"),
        evidence,
        playbook,
        pod,
        changes,
    );
    f.cause = match blockers.as_slice() {
        [] => "The scheduler found no node the pod may run on.".to_string(),
        bs => {
            let causes: Vec<&str> = bs.iter().map(|b| b.cause()).collect();
            format!(
                "The scheduler found no node the pod may run on: {}.",
                causes.join("; ")
            )
        }
    };
    Some(f)
}

/// For each `nodeSelector` entry no node's labels satisfy: the value the nodes do carry for
/// that key when they all agree, else the entry removed.
fn selector_that_matches(snap: &Snapshot, pod: &Value, owner: &str) -> Vec<FieldChange> {
    let Some(selector) = pod["spec"]["nodeSelector"].as_object() else {
        return Vec::new();
    };
    if snap.nodes.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (key, want) in selector {
        let labels: Vec<&Value> = snap
            .nodes
            .iter()
            .map(|n| &n["metadata"]["labels"][key.as_str()])
            .collect();
        if labels.contains(&want) {
            continue;
        }
        let present: Vec<&str> = labels.iter().filter_map(|v| v.as_str()).collect();
        let (proposed, basis) = match present.first() {
            Some(first) if present.iter().all(|v| v == first) => (
                json!(first),
                format!("every node labelled {key} has {key}={first}"),
            ),
            Some(_) => continue, // The nodes disagree: which one is meant is a person's call.
            None => (Value::Null, format!("no node has the label {key}")),
        };
        out.push(FieldChange {
            init: false,
            object: owner.to_string(),
            container: None,
            field: format!("template.spec.nodeSelector.{key}"),
            current: want.clone(),
            proposed: Some(proposed),
            basis,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pending pod as the scheduler leaves it, with `message`.
    fn pending(message: &str, node_selector: Value) -> Value {
        json!({
            "metadata": {"name": "web-1", "labels": {"app": "web"}},
            "spec": {"nodeSelector": node_selector, "containers": [{"name": "web"}]},
            "status": {"phase": "Pending", "conditions": [{
                "type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                "message": message
            }]}
        })
    }

    #[test]
    fn the_scheduler_s_reasons_are_read_in_order_without_preemption_noise() {
        let m = "0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.";
        assert_eq!(
            Blocker::all_in(m),
            [Blocker::Resources, Blocker::Taint, Blocker::Cordoned]
        );
        assert_eq!(
            Blocker::all_in(
                "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
            ),
            [Blocker::Volume]
        );
    }

    #[test]
    fn a_selector_no_node_matches_is_repaired_from_the_nodes_labels_not_blamed_on_requests() {
        let msg = "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.";
        let pod = pending(msg, json!({"disktype": "sdd", "zone": "mars"}));
        let snap = Snapshot {
            pods: vec![pod.clone()],
            nodes: vec![
                json!({"metadata": {"name": "a", "labels": {"disktype": "ssd"}}}),
                json!({"metadata": {"name": "b", "labels": {"disktype": "ssd"}}}),
            ],
            ..Default::default()
        };
        let f = check(&snap, &pod, "deployment/web").unwrap();
        assert_eq!(f.playbook, "scheduling");
        assert!(f.cause.contains("nodeSelector"), "{}", f.cause);
        assert!(!f.cause.contains("CPU"), "{}", f.cause);
        let fields: Vec<(&str, &Value)> = f
            .changes
            .iter()
            .map(|c| (c.field.as_str(), c.proposed.as_ref().unwrap()))
            .collect();
        assert_eq!(
            fields,
            [
                ("template.spec.nodeSelector.disktype", &json!("ssd")),
                ("template.spec.nodeSelector.zone", &Value::Null),
            ]
        );
    }

    #[test]
    fn taints_and_unbound_claims_get_actions_not_request_changes() {
        for msg in [
            "0/1 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
            "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
        ] {
            let pod = pending(msg, Value::Null);
            let snap = Snapshot {
                pods: vec![pod.clone()],
                ..Default::default()
            };
            let f = check(&snap, &pod, "deployment/web").unwrap();
            assert!(f.changes.is_empty(), "{msg}: {:?}", f.changes);
            assert_eq!(f.playbook, "scheduling");
            assert!(
                f.evidence.iter().any(|e| e.starts_with("to do: ")),
                "{:?}",
                f.evidence
            );
        }
    }
}
