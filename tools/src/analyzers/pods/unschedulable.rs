//! `unschedulable`: no node can take the pod; the requests that would fit come from the
//! nodes' free room.

use serde_json::Value;

use super::evidence::requests_that_fit;
use super::finding;
use crate::analyzers::Finding;
use crate::snapshot::Snapshot;

/// The finding when the scheduler says no node fits the pod.
pub(super) fn check(snap: &Snapshot, pod: &Value, owner: &str) -> Option<Finding> {
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let c = pod["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == "PodScheduled" && c["status"] == "False")?;
    let msg = c["message"].as_str().unwrap_or_default().to_string();
    let changes = requests_that_fit(snap, pod, owner, &msg);
    Some(finding(
        "unschedulable",
        owner.to_string(),
        format!("pod {name} cannot be scheduled: {msg}"),
        vec![format!(
            "PodScheduled=False ({}): {msg}",
            c["reason"].as_str().unwrap_or("")
        )],
        "requests-too-large",
        pod,
        changes,
    ))
}
