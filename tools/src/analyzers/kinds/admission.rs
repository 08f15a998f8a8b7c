//! `admission-refused`: a controller could not create its pods — the API server's
//! admission plugins refused them, and only the controller's `FailedCreate` events say so:
//! a quota that requires requests or limits, a quota exceeded, a LimitRange's bounds, a
//! ServiceAccount that does not exist. The repair gives the pods what admission asks for:
//! requests and limits from the namespace's LimitRange defaults, else a share of what the
//! quota leaves; never a change to the quota itself.

use serde_json::{Value, json};

use super::{finding, name};
use crate::analyzers::{Finding, Severity};
use crate::repair::FieldChange;
use crate::snapshot::Snapshot;

/// A finding per workload whose controller's pods were refused.
pub fn analyze(snap: &Snapshot) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for e in &snap.events {
        if e["reason"] != "FailedCreate" {
            continue;
        }
        let involved = &e["involvedObject"];
        let kind = involved["kind"].as_str().unwrap_or_default();
        let Some((object, template)) =
            workload(snap, kind, involved["name"].as_str().unwrap_or_default())
        else {
            continue;
        };
        // Refusals from before the workload got its pods are history.
        if !short_of_pods(template.2) {
            continue;
        }
        let message = e["message"].as_str().unwrap_or_default();
        // Only the newest refusal of a workload counts (events of a fixed one age out).
        if out.iter().any(|f| f.object == object) {
            continue;
        }
        let Some(why) = message.split(" is forbidden: ").nth(1) else {
            continue;
        };
        let replicas = template.1;
        let changes = requirements(snap, &object, template.0, why, replicas);
        out.push(finding(
            "admission-refused",
            Severity::Error,
            object.clone(),
            template.2,
            format!(
                "{object} has no pods: the API server refuses them ({})",
                why.chars().take(160).collect::<String>()
            ),
            vec![format!(
                "{kind} {}: FailedCreate: {message}",
                involved["name"].as_str().unwrap_or_default()
            )],
            changes,
        ));
    }
    out
}

/// Whether a workload has fewer pods than it asks for.
fn short_of_pods(obj: &Value) -> bool {
    let s = &obj["status"];
    let n = |v: &Value| v.as_i64().unwrap_or(0);
    if let Some(want) = s["desiredNumberScheduled"].as_i64() {
        return n(&s["currentNumberScheduled"]) < want;
    }
    if obj["spec"]["completions"].is_i64() || obj["spec"]["backoffLimit"].is_i64() {
        return n(&s["active"]) + n(&s["succeeded"]) + n(&s["failed"]) == 0;
    }
    n(&s["replicas"]) < obj["spec"]["replicas"].as_i64().unwrap_or(1)
}

/// The workload whose controller is `kind/name`, with its pod template, replicas and the
/// object itself.
fn workload<'a>(
    snap: &'a Snapshot,
    kind: &str,
    n: &str,
) -> Option<(String, (&'a Value, i64, &'a Value))> {
    let find = |list: &'a [Value]| list.iter().find(|o| name(o) == n);
    let (object, obj) = match kind {
        "ReplicaSet" => {
            let rs = find(&snap.replicasets)?;
            let owner = rs["metadata"]["ownerReferences"]
                .as_array()
                .and_then(|o| o.first());
            match owner
                .and_then(|o| o["name"].as_str())
                .and_then(|d| snap.deployments.iter().find(|x| name(x) == d))
            {
                Some(d) => (format!("deployment/{}", name(d)), d),
                None => (format!("replicaset/{n}"), rs),
            }
        }
        "StatefulSet" => (format!("statefulset/{n}"), find(&snap.kinds.statefulsets)?),
        "DaemonSet" => (format!("daemonset/{n}"), find(&snap.kinds.daemonsets)?),
        "Job" => (format!("job/{n}"), find(&snap.kinds.jobs)?),
        _ => return None,
    };
    let replicas = obj["spec"]["replicas"]
        .as_i64()
        .or(obj["spec"]["parallelism"].as_i64())
        .unwrap_or(1);
    Some((object, (&obj["spec"]["template"], replicas, obj)))
}

/// The resources each container must state (`must specify limits.cpu,requests.memory`),
/// with values from the LimitRange's defaults or the quota's room.
fn requirements(
    snap: &Snapshot,
    object: &str,
    template: &Value,
    why: &str,
    replicas: i64,
) -> Vec<FieldChange> {
    let Some(list) = why.split("must specify ").nth(1) else {
        return Vec::new();
    };
    let wanted: Vec<&str> = list
        .split([',', ';'])
        .map(|w| w.trim().split(" for").next().unwrap_or_default().trim())
        .filter(|w| w.starts_with("requests.") || w.starts_with("limits."))
        .collect();
    let containers: Vec<&Value> = template["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let mut out = Vec::new();
    for c in &containers {
        let mut values: Vec<(String, String, String)> = Vec::new();
        for w in &wanted {
            let (class, resource) = w.split_once('.').unwrap_or_default();
            if !c["resources"][class][resource].is_null() {
                continue;
            }
            if let Some(v) = value_for(snap, class, resource, replicas, containers.len() as i64) {
                values.push((class.to_string(), resource.to_string(), v));
            }
        }
        // A request never above its limit: the smaller of the two.
        for (class, resource, v) in values.clone() {
            let limit = values
                .iter()
                .find(|(c2, r2, _)| c2 == "limits" && *r2 == resource)
                .map(|x| x.2.clone());
            let v = match (class.as_str(), limit) {
                ("requests", Some(l)) if quantity::milli(&l) < quantity::milli(&v) => l,
                _ => v,
            };
            out.push(FieldChange {
                object: object.to_string(),
                container: c["name"].as_str().map(str::to_string),
                init: false,
                field: format!("resources.{class}.{resource}"),
                current: Value::Null,
                proposed: Some(json!(v)),
                basis: basis(snap, &class, &resource, replicas),
            });
        }
    }
    out
}

/// Where the value comes from, in words.
fn basis(snap: &Snapshot, class: &str, resource: &str, replicas: i64) -> String {
    if limit_range_default(snap, class, resource).is_some() {
        format!("the namespace's LimitRange default {class}.{resource}")
    } else {
        format!(
            "the quota requires {class}.{resource}; an equal share of what it leaves for {} pods (a rollout's extra one included)",
            replicas + 1
        )
    }
}

/// The LimitRange's default for containers: `default` for limits, `defaultRequest` for
/// requests.
fn limit_range_default(snap: &Snapshot, class: &str, resource: &str) -> Option<String> {
    let key = if class == "limits" {
        "default"
    } else {
        "defaultRequest"
    };
    snap.kinds.limit_ranges.iter().find_map(|lr| {
        lr["spec"]["limits"]
            .as_array()?
            .iter()
            .find(|l| l["type"] == "Container")?[key][resource]
            .as_str()
            .map(str::to_string)
    })
}

/// A value for one resource: the LimitRange's default, else what the quota leaves shared
/// by the pods (one more for a rollout) and their containers.
fn value_for(
    snap: &Snapshot,
    class: &str,
    resource: &str,
    replicas: i64,
    containers: i64,
) -> Option<String> {
    if let Some(v) = limit_range_default(snap, class, resource) {
        return Some(v);
    }
    let key = format!("{class}.{resource}");
    let quota = snap
        .kinds
        .quotas
        .iter()
        .find(|q| !q["spec"]["hard"][&key].is_null())?;
    let hard = quantity::milli(quota["spec"]["hard"][&key].as_str()?)?;
    let used = quota["status"]["used"][&key]
        .as_str()
        .and_then(quantity::milli)
        .unwrap_or(0);
    let share = (hard - used) / i128::from((replicas + 1) * containers.max(1));
    if share <= 0 {
        return None;
    }
    Some(match resource {
        // Thousandths of a core are millicores.
        "cpu" => format!("{share}m"),
        _ => format!("{}Mi", share / 1000 / (1 << 20)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap() -> Snapshot {
        let mut s = Snapshot {
            deployments: vec![
                json!({"metadata": {"name": "notifier"}, "spec": {"replicas": 1,
                "template": {"spec": {"containers": [{"name": "busybox", "image": "busybox"}]}}}}),
            ],
            replicasets: vec![
                json!({"metadata": {"name": "notifier-5d", "ownerReferences": [{"kind": "Deployment", "name": "notifier"}]}}),
            ],
            events: vec![json!({"reason": "FailedCreate", "type": "Warning",
                "involvedObject": {"kind": "ReplicaSet", "name": "notifier-5d"},
                "message": "Error creating: pods \"notifier-5d-x\" is forbidden: failed quota: compute: must specify limits.cpu,limits.memory,requests.cpu,requests.memory"})],
            ..Default::default()
        };
        s.kinds.quotas = vec![json!({"metadata": {"name": "compute"}, "spec": {"hard": {
            "requests.cpu": "1", "requests.memory": "1Gi", "limits.cpu": "2", "limits.memory": "2Gi"}},
            "status": {"used": {"requests.cpu": "0", "requests.memory": "0"}}})];
        s
    }

    #[test]
    fn a_quota_that_requires_resources_gets_them_from_its_room_and_is_never_changed() {
        let f = analyze(&snap());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].object, "deployment/notifier");
        let got: Vec<(String, Value)> = f[0]
            .changes
            .iter()
            .map(|c| (c.field.clone(), c.proposed.clone().unwrap()))
            .collect();
        assert!(
            got.contains(&("resources.requests.cpu".into(), json!("500m"))),
            "{got:?}"
        );
        assert!(
            got.contains(&("resources.limits.memory".into(), json!("1024Mi"))),
            "{got:?}"
        );
        assert!(
            f[0].changes
                .iter()
                .all(|c| c.object == "deployment/notifier")
        );
        // A LimitRange's defaults win.
        let mut lr = snap();
        lr.kinds.limit_ranges = vec![json!({"spec": {"limits": [{"type": "Container",
            "default": {"cpu": "200m", "memory": "128Mi"}, "defaultRequest": {"cpu": "100m", "memory": "64Mi"}}]}})];
        let f = analyze(&lr);
        assert!(
            f[0].changes.iter().any(
                |c| c.field == "resources.requests.memory" && c.proposed == Some(json!("64Mi"))
            )
        );
        // No refusal: silent.
        let mut healthy = snap();
        healthy.events.clear();
        assert!(analyze(&healthy).is_empty());
    }
}
