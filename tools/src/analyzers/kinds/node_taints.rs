//! `node-taint`: pods wait unscheduled while the nodes carry taints none of them tolerates,
//! or are cordoned. Someone set these on purpose, perhaps for maintenance that is over;
//! whether to lift them only a person knows, so the finding is a warning whose change (the
//! untolerated taints removed, the cordon lifted) is made only when asked for.

use serde_json::{Value, json};

use super::{finding, name};
use crate::analyzers::{Finding, Severity};
use crate::repair::FieldChange;
use crate::snapshot::{Snapshot, unscheduled};

/// Whether a pod tolerates a taint (key, value and effect, or `Exists`).
fn tolerates(pod: &Value, taint: &Value) -> bool {
    pod["spec"]["tolerations"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|t| {
            let key_ok = t["key"].is_null() || t["key"] == taint["key"];
            let value_ok = t["operator"] == "Exists"
                || t["value"] == taint["value"]
                || (t["value"].is_null() && taint["value"].is_null());
            let effect_ok = t["effect"].is_null() || t["effect"] == taint["effect"];
            key_ok && value_ok && effect_ok
        })
}

/// A finding per node whose taints or cordon keep the namespace's pending pods off it.
pub fn analyze(snap: &Snapshot) -> Vec<Finding> {
    let pending: Vec<&Value> = snap.pods.iter().filter(|p| unscheduled(p)).collect();
    if pending.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for node in &snap.nodes {
        let n = name(node);
        let object = format!("node/{n}");
        let taints = node["spec"]["taints"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let blocking = |t: &Value| {
            matches!(t["effect"].as_str(), Some("NoSchedule" | "NoExecute"))
                && pending.iter().all(|p| !tolerates(p, t))
                // The node's own condition taints come and go with its conditions.
                && !t["key"].as_str().is_some_and(|k| k.starts_with("node.kubernetes.io/"))
        };
        let kept: Vec<Value> = taints.iter().filter(|t| !blocking(t)).cloned().collect();
        let cordoned = node["spec"]["unschedulable"] == true;
        let mut changes = Vec::new();
        let mut evidence = Vec::new();
        if kept.len() < taints.len() {
            let shown: Vec<String> = taints
                .iter()
                .filter(|t| blocking(t))
                .map(|t| {
                    format!(
                        "{}={}:{}",
                        t["key"].as_str().unwrap_or(""),
                        t["value"].as_str().unwrap_or(""),
                        t["effect"].as_str().unwrap_or("")
                    )
                })
                .collect();
            evidence.push(format!(
                "node {n} has taints no pending pod tolerates: {}",
                shown.join(", ")
            ));
            changes.push(FieldChange {
                object: object.clone(),
                container: None,
                init: false,
                field: "taints".into(),
                current: Value::Array(taints.clone()),
                proposed: Some(Value::Array(kept)),
                basis: format!("lifts {} (kubectl taint nodes {n} KEY-), as asked; the node's other taints are kept", shown.join(", ")),
            });
        }
        if cordoned {
            evidence.push(format!("node {n} is cordoned (spec.unschedulable=true)"));
            changes.push(FieldChange {
                object: object.clone(),
                container: None,
                init: false,
                field: "unschedulable".into(),
                current: json!(true),
                proposed: Some(json!(false)),
                basis: format!("kubectl uncordon {n}, as asked"),
            });
        }
        if changes.is_empty() {
            continue;
        }
        evidence.push(format!(
            "{} pod(s) wait to be scheduled, e.g. {}",
            pending.len(),
            name(pending[0])
        ));
        let mut f = finding(
            "node-taint",
            Severity::Warning,
            object,
            node,
            format!(
                "node {n} keeps pods off: {}",
                if cordoned { "cordoned" } else { "tainted" }
            ),
            evidence,
            changes,
        );
        f.suggested_action = Some(format!(
            "a person must decide whether node {n}'s taints or cordon are still wanted; if not, remove them (kubectl taint nodes {n} KEY- / kubectl uncordon {n}), else add a toleration to the pods"
        ));
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(tolerate: bool) -> Snapshot {
        let mut pod = json!({"metadata": {"name": "trainer-1"}, "spec": {},
            "status": {"conditions": [{"type": "PodScheduled", "status": "False"}]}});
        if tolerate {
            pod["spec"]["tolerations"] =
                json!([{"key": "maintenance", "operator": "Exists", "effect": "NoSchedule"}]);
        }
        Snapshot {
            pods: vec![pod],
            nodes: vec![json!({"metadata": {"name": "n1"}, "spec": {"taints": [
                {"key": "maintenance", "value": "planned", "effect": "NoSchedule"},
                {"key": "gpu", "effect": "PreferNoSchedule"}]}})],
            ..Default::default()
        }
    }

    #[test]
    fn an_untolerated_taint_is_a_warning_whose_lifting_keeps_the_other_taints() {
        let f = analyze(&snap(false));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(
            f[0].changes[0].proposed,
            Some(json!([{"key": "gpu", "effect": "PreferNoSchedule"}]))
        );
        assert!(
            analyze(&snap(true)).is_empty(),
            "a tolerated taint keeps nobody off"
        );
    }
}
