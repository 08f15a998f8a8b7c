//! `readiness-failing`: the container runs but its readiness probe never passes.

use super::{Container, revert_the_last_change};
use crate::analyzers::Finding;

/// The finding when a running, unready container has failed readiness probes.
pub(super) fn check(c: &Container) -> Option<Finding> {
    let readiness: Vec<String> = c
        .events
        .iter()
        .filter(|e| e.contains("Readiness probe failed"))
        .cloned()
        .collect();
    if c.ready() || !c.status["state"]["running"].is_object() || readiness.is_empty() {
        return None;
    }
    let mut f = c.finding(
        "readiness-failing",
        format!("container {} runs but never becomes Ready", c.name),
        readiness.into_iter().rev().take(3).collect(),
        "readiness-path-wrong",
        vec![],
    );
    // Only for workloads no release owns: a release's readiness repair is its re-apply.
    if f.release.is_none() {
        revert_the_last_change(c.snap, c.pod, &mut f);
    }
    Some(f)
}
