//! `hpa-target`: an autoscaler whose `scaleTargetRef` names no object of its kind scales
//! nothing; the repair is the existing name of that kind it nearly is. One pinned at its
//! bounds (min equal to max, or held at max while it wants more) is a warning.

use serde_json::{Value, json};

use super::{change, finding, name};
use crate::analyzers::{Finding, Severity};
use crate::snapshot::Snapshot;

/// The objects of a scalable kind.
fn of_kind<'a>(snap: &'a Snapshot, kind: &str) -> Option<&'a [Value]> {
    Some(match kind {
        "Deployment" => &snap.deployments,
        "StatefulSet" => &snap.kinds.statefulsets,
        "ReplicaSet" => &snap.replicasets,
        _ => return None,
    })
}

/// A finding per autoscaler that cannot or may not scale.
pub fn analyze(snap: &Snapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    for hpa in &snap.kinds.hpas {
        let n = name(hpa);
        let object = format!("horizontalpodautoscaler/{n}");
        let target = &hpa["spec"]["scaleTargetRef"];
        let (kind, wanted) = (
            target["kind"].as_str().unwrap_or_default(),
            target["name"].as_str().unwrap_or_default(),
        );
        let conditions: Vec<String> = hpa["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["status"] == "False" || c["type"] == "ScalingLimited")
            .map(|c| {
                format!(
                    "{} {}: {} {}",
                    c["type"].as_str().unwrap_or(""),
                    c["status"].as_str().unwrap_or(""),
                    c["reason"].as_str().unwrap_or(""),
                    c["message"].as_str().unwrap_or("")
                )
            })
            .collect();
        if let Some(objects) = of_kind(snap, kind)
            && !objects.iter().any(|o| name(o) == wanted)
        {
            let near = crate::nearest::nearest(wanted, objects.iter().map(name));
            let mut evidence = vec![format!(
                "scaleTargetRef: {kind} {wanted:?}, which does not exist"
            )];
            evidence.extend(conditions.iter().cloned());
            let changes = near
                .map(|(meant, d)| {
                    vec![change(
                        &object,
                        "scaleTargetRef.name",
                        json!(wanted),
                        json!(meant),
                        format!("{kind} {meant:?} exists, {d} edit(s) from {wanted:?}"),
                    )]
                })
                .unwrap_or_default();
            out.push(finding(
                "hpa-target",
                Severity::Error,
                object,
                hpa,
                format!("autoscaler {n} targets {kind} {wanted}, which does not exist: it scales nothing"),
                evidence,
                changes,
            ));
            continue;
        }
        let (min, max) = (
            hpa["spec"]["minReplicas"].as_i64().unwrap_or(1),
            hpa["spec"]["maxReplicas"].as_i64().unwrap_or(0),
        );
        let (current, desired) = (
            hpa["status"]["currentReplicas"].as_i64().unwrap_or(0),
            hpa["status"]["desiredReplicas"].as_i64().unwrap_or(0),
        );
        let limited = hpa["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| {
                c["type"] == "ScalingLimited"
                    && c["status"] == "True"
                    && c["reason"] == "TooManyReplicas"
            });
        if min == max || (limited && current >= max) {
            out.push(finding(
                "hpa-pinned",
                Severity::Warning,
                object,
                hpa,
                format!("autoscaler {n} is pinned: min {min}, max {max}, {current} running, {desired} wanted"),
                conditions,
                vec![],
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(target: &str) -> Snapshot {
        Snapshot {
            deployments: vec![json!({"metadata": {"name": "webfrontend"}})],
            kinds: crate::snapshot::Kinds {
                hpas: vec![
                    json!({"metadata": {"name": "web"}, "spec": {"minReplicas": 2, "maxReplicas": 4,
                    "scaleTargetRef": {"kind": "Deployment", "name": target}},
                    "status": {"conditions": [{"type": "AbleToScale", "status": "False", "reason": "FailedGetScale",
                    "message": format!("the HPA controller was unable to get the target's current scale: deployments/scale.apps \"{target}\" not found")}]}}),
                ],
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn a_target_that_does_not_exist_gets_the_name_it_nearly_is() {
        let f = analyze(&snap("web-frontend"));
        assert_eq!(f[0].id, "hpa-target");
        assert_eq!(f[0].changes[0].proposed, Some(json!("webfrontend")));
        let mut healthy = snap("webfrontend");
        healthy.kinds.hpas[0]["status"] = json!({"currentReplicas": 2, "desiredReplicas": 2});
        assert!(analyze(&healthy).is_empty());
    }
}
