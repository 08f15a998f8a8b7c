//! The last known good template of a workload no Helm release owns: another ReplicaSet of
//! the same Deployment whose pods are Ready now. When a failure names no field (a crash, a
//! process that cannot start, a probe that never passes), the container fields that differ
//! from that template are what changed, and setting them back is the repair.

use serde_json::{Map, Value};

use crate::repair::FieldChange;
use crate::snapshot::Snapshot;

/// Container fields a rollout can change that decide whether the container runs and is
/// Ready (names and volume mounts are left alone: they tie to other objects).
const FIELDS: &[&str] = &[
    "image",
    "command",
    "args",
    "env",
    "envFrom",
    "workingDir",
    "ports",
    "readinessProbe",
    "livenessProbe",
    "startupProbe",
    "resources",
    "securityContext",
];

fn owner_name(o: &Value) -> Option<&str> {
    o["metadata"]["ownerReferences"]
        .as_array()?
        .iter()
        .find(|r| r["controller"] == true)
        .or_else(|| o["metadata"]["ownerReferences"].as_array()?.first())?["name"]
        .as_str()
}

fn revision(r: &Value) -> i64 {
    r["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// `pod`'s own ReplicaSet, and the other ReplicaSets of its Deployment that have Ready pods
/// now, newest revision first: where a workload's last known good template is.
pub(super) fn ready_siblings<'a>(
    snap: &'a Snapshot,
    pod: &Value,
) -> Option<(&'a Value, Vec<&'a Value>)> {
    let own_rs = owner_name(pod)?;
    let own = snap
        .replicasets
        .iter()
        .find(|r| r["metadata"]["name"] == own_rs)?;
    let deployment = owner_name(own)?;
    let mut others: Vec<&Value> = snap
        .replicasets
        .iter()
        .filter(|r| owner_name(r) == Some(deployment) && r["metadata"]["name"] != own_rs)
        .filter(|r| r["status"]["readyReplicas"].as_i64().unwrap_or(0) > 0)
        .collect();
    others.sort_by_key(|r| std::cmp::Reverse(revision(r)));
    Some((own, others))
}

/// The changes that put the containers of `pod`'s ReplicaSet back as the newest other
/// ReplicaSet of its Deployment with Ready pods runs them, on `owner` (`deployment/NAME`).
pub fn changes_back_to_last_good(snap: &Snapshot, pod: &Value, owner: &str) -> Vec<FieldChange> {
    let Some((own, siblings)) = ready_siblings(snap, pod) else {
        return Vec::new();
    };
    let Some(good) = siblings.first().copied() else {
        return Vec::new();
    };
    let rs = good["metadata"]["name"].as_str().unwrap_or_default();
    let basis = format!(
        "replicaset/{rs} (revision {}) runs it and its pods are Ready",
        revision(good)
    );
    let containers =
        |spec: &Value| -> Vec<Value> { spec["containers"].as_array().cloned().unwrap_or_default() };
    let mut out = Vec::new();
    // Templates against templates: both carry the same defaults, which pods add to.
    for now in containers(&own["spec"]["template"]["spec"]) {
        let name = now["name"].as_str().unwrap_or_default();
        let Some(then) = containers(&good["spec"]["template"]["spec"])
            .into_iter()
            .find(|c| c["name"] == name)
        else {
            continue;
        };
        for field in FIELDS {
            let (current, before) = (&now[*field], &then[*field]);
            if current == before || (before.is_null() && defaulted(field)) {
                continue;
            }
            out.push(FieldChange {
                init: false,
                object: owner.to_string(),
                container: Some(name.to_string()),
                field: (*field).to_string(),
                current: current.clone(),
                proposed: Some(replacement(current, before)),
                basis: basis.clone(),
            });
        }
    }
    out
}

/// Fields the API server fills in on every pod, so a template without them says nothing.
fn defaulted(field: &str) -> bool {
    matches!(field, "resources" | "securityContext")
}

/// What a strategic merge patch must carry to turn `current` into `wanted`: keys `current`
/// has and `wanted` lacks become null (a probe moved from `exec` to `httpGet` must lose its
/// `exec`), lists and scalars are replaced.
fn replacement(current: &Value, wanted: &Value) -> Value {
    match (current, wanted) {
        (Value::Object(now), Value::Object(then)) => {
            let mut out = Map::new();
            for (k, v) in then {
                let inner = match now.get(k) {
                    Some(n) => replacement(n, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), inner);
            }
            for k in now.keys().filter(|k| !then.contains_key(*k)) {
                out.insert(k.clone(), Value::Null);
            }
            Value::Object(out)
        }
        _ => wanted.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rs(name: &str, rev: &str, ready: i64, container: Value) -> Value {
        json!({
            "metadata": {"name": name, "annotations": {"deployment.kubernetes.io/revision": rev},
                         "ownerReferences": [{"kind": "Deployment", "name": "consumer", "controller": true}]},
            "spec": {"template": {"spec": {"containers": [container]}}},
            "status": {"readyReplicas": ready}
        })
    }

    #[test]
    fn the_fields_a_rollout_changed_go_back_to_the_ready_replicaset_s() {
        let good = json!({"name": "c", "image": "busybox:1.36", "command": ["sleep", "3600"],
            "readinessProbe": {"exec": {"command": ["cat", "/tmp/ready"]}, "periodSeconds": 2}});
        let bad = json!({"name": "c", "image": "busybox:1.36", "command": ["/bin/reconcile"],
            "readinessProbe": {"httpGet": {"path": "/ready", "port": 80}, "periodSeconds": 2},
            "resources": {}});
        let snap = Snapshot {
            replicasets: vec![
                rs("consumer-1", "1", 2, good),
                rs("consumer-2", "2", 0, bad),
                // Another Deployment's ReplicaSet never counts.
                json!({"metadata": {"name": "x-1", "ownerReferences": [{"kind": "Deployment", "name": "x"}]},
                       "status": {"readyReplicas": 3}}),
            ],
            ..Default::default()
        };
        let pod = json!({"metadata": {"ownerReferences": [{"kind": "ReplicaSet", "name": "consumer-2", "controller": true}]}});
        let changes = changes_back_to_last_good(&snap, &pod, "deployment/consumer");
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["command", "readinessProbe"], "{changes:?}");
        assert_eq!(changes[0].proposed, Some(json!(["sleep", "3600"])));
        assert_eq!(
            changes[1].proposed,
            Some(
                json!({"exec": {"command": ["cat", "/tmp/ready"]}, "periodSeconds": 2, "httpGet": null})
            )
        );
        assert!(changes[0].basis.contains("replicaset/consumer-1"));
        // Without a ready sibling there is nothing to go back to.
        let mut lone = snap.clone();
        lone.replicasets.remove(0);
        assert!(changes_back_to_last_good(&lone, &pod, "deployment/consumer").is_empty());
    }
}
