//! `container-config`: the container cannot be created because a ConfigMap or Secret it
//! reads, or a key of one, is missing; the repair points it at one that has the key.

use serde_json::json;

use super::Container;
use super::evidence::config_ref;
use crate::analyzers::Finding;
use crate::repair::FieldChange;

/// The finding when the kubelet reports `CreateContainerConfigError`.
pub(super) fn check(c: &Container) -> Option<Finding> {
    if c.waiting != "CreateContainerConfigError" {
        return None;
    }
    let (cname, wmsg) = (c.name, &c.waiting_message);
    let missing = config_ref(c.snap, wmsg);
    let playbook = match missing.as_ref().map(|m| m.kind) {
        Some("ConfigMap") => "crash-loop",
        _ => "secret-key-missing",
    };
    let changes = missing
        .map(|m| FieldChange {
            object: c.owner.clone(),
            container: Some(cname.to_string()),
            field: format!("{}.name", m.kind),
            current: json!(m.name),
            proposed: m.holder.as_ref().map(|h| json!(h)),
            basis: m
                .holder
                .map(|h| format!("{} {h} has the key {}", m.kind, m.key.unwrap_or_default()))
                .unwrap_or_default(),
        })
        .into_iter()
        .collect();
    Some(c.finding(
        "container-config",
        format!("container {cname} cannot start: {wmsg}"),
        vec![format!(
            "container {cname}: CreateContainerConfigError: {wmsg}"
        )],
        playbook,
        changes,
    ))
}
