//! `oom-killed`: the container was killed at its memory limit; twice the limit is the
//! margin the repair proposes.

use serde_json::json;

use super::Container;
use crate::analyzers::Finding;
use crate::repair::FieldChange;

/// The finding when the last termination was an OOM kill.
pub(super) fn check(c: &Container) -> Option<Finding> {
    if c.last["reason"] != "OOMKilled" {
        return None;
    }
    let (cname, restarts) = (c.name, c.restarts);
    let limit = c.spec["resources"]["limits"]["memory"]
        .as_str()
        .unwrap_or("?")
        .to_string();
    // It needed more than the limit; twice the limit is the margin.
    let doubled = quantity::milli(&limit).map(|m| quantity::format_milli(m * 2));
    let changes = vec![FieldChange {
        init: c.init,
        object: c.owner.clone(),
        container: Some(cname.to_string()),
        field: "resources.limits.memory".into(),
        current: json!(limit),
        proposed: doubled.map(|d| json!(d)),
        basis: "OOMKilled at the limit: twice the limit".into(),
    }];
    Some(c.finding(
        "oom-killed",
        format!(
            "container {cname} is killed for memory (limit {limit}, exit 137, {restarts} restarts)"
        ),
        vec![format!(
            "lastState.terminated: OOMKilled, exitCode 137; limits.memory={limit}"
        )],
        "memory-limit-low",
        changes,
    ))
}
