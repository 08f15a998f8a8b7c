//! `rollout-paused`: a Deployment someone paused (`kubectl rollout pause`). With changes to
//! its template waiting (fewer updated replicas than it asks for) the rollout is stuck on
//! purpose-forgotten ground, and resuming it is the repair; paused with nothing waiting is
//! only worth a word.

use serde_json::{Value, json};

use super::{change, finding, name};
use crate::analyzers::{Finding, Severity};
use crate::snapshot::Snapshot;

/// A finding per paused Deployment.
pub fn analyze(snap: &Snapshot) -> Vec<Finding> {
    snap.deployments
        .iter()
        .filter(|d| d["spec"]["paused"] == true)
        .map(|d| {
            let n = name(d);
            let object = format!("deployment/{n}");
            let want = d["spec"]["replicas"].as_i64().unwrap_or(1);
            let updated = d["status"]["updatedReplicas"].as_i64().unwrap_or(0);
            let waiting = updated < want;
            let (severity, summary) = if waiting {
                (
                    Severity::Error,
                    format!(
                        "the rollout of {n} is paused: {updated} of {want} replicas run its current template"
                    ),
                )
            } else {
                (
                    Severity::Warning,
                    format!("deployment {n} is paused: a change to it would not roll out"),
                )
            };
            let images: Vec<&str> = d["spec"]["template"]["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["image"].as_str())
                .collect();
            let mut evidence = vec![
                "spec.paused=true".to_string(),
                format!("updated replicas: {updated} of {want}; the template runs {}", images.join(", ")),
            ];
            evidence.extend(
                d["status"]["conditions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|c| c["reason"] == "DeploymentPaused")
                    .map(|c| format!("{}: {}", c["reason"].as_str().unwrap_or(""), c["message"].as_str().unwrap_or(""))),
            );
            finding(
                "rollout-paused",
                severity,
                object.clone(),
                d,
                summary,
                evidence,
                vec![change(
                    &object,
                    "paused",
                    Value::Bool(true),
                    json!(false),
                    "kubectl rollout resume: the template's change rolls out".into(),
                )],
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paused_rollout_with_a_change_waiting_is_broken_and_a_running_one_is_silent() {
        let d = |paused: bool, updated: i64| {
            json!({"metadata": {"name": "catalog"}, "spec": {"replicas": 2, "paused": paused,
                   "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}},
                   "status": {"updatedReplicas": updated, "conditions": [{"type": "Progressing",
                   "reason": "DeploymentPaused", "message": "Deployment is paused"}]}})
        };
        let snap = |d| Snapshot {
            deployments: vec![d],
            ..Default::default()
        };
        let f = analyze(&snap(d(true, 0)));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        assert_eq!(f[0].changes[0].proposed, Some(json!(false)));
        assert_eq!(analyze(&snap(d(true, 2)))[0].severity, Severity::Warning);
        assert!(analyze(&snap(d(false, 2))).is_empty());
    }
}
