//! `container-config`: the container cannot be created because a ConfigMap or Secret it
//! reads, or a key of one, is missing; the repair points it at one that has the key.

use serde_json::{Value, json};

use super::Container;
use super::evidence::{config_ref, has_key};
use crate::analyzers::Finding;
use crate::repair::FieldChange;

/// The `valueFrom` reference field of `kind` in an env entry.
fn ref_field(kind: &str) -> &'static str {
    if kind == "Secret" {
        "secretKeyRef"
    } else {
        "configMapKeyRef"
    }
}

/// The env entries that read from the missing object `name`.
fn referencing<'a>(c: &'a Container, kind: &str, name: &str) -> Vec<&'a Value> {
    c.spec["env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["valueFrom"][ref_field(kind)]["name"] == name)
        .collect()
}

/// The one other object of `kind` that has every key the container reads from `name`.
fn holder_of_referenced_keys(c: &Container, kind: &str, name: &str) -> Option<String> {
    let keys: Vec<&str> = referencing(c, kind, name)
        .iter()
        .filter_map(|e| e["valueFrom"][ref_field(kind)]["key"].as_str())
        .collect();
    if keys.is_empty() {
        return None;
    }
    let objects = if kind == "Secret" {
        &c.snap.secrets
    } else {
        &c.snap.configmaps
    };
    let holders: Vec<&str> = objects
        .iter()
        .filter(|o| o["metadata"]["name"] != name && keys.iter().all(|k| has_key(o, k)))
        .filter_map(|o| o["metadata"]["name"].as_str())
        .collect();
    match holders.as_slice() {
        [one] => Some((*one).to_string()),
        _ => None,
    }
}

/// The container's env entries that read from `name`, pointed at `holder` instead: a list
/// a strategic merge patch merges by entry name.
fn env_pointed_at(c: &Container, kind: &str, name: &str, holder: &str) -> Option<FieldChange> {
    let entries = referencing(c, kind, name);
    if entries.is_empty() {
        return None;
    }
    let current: Vec<Value> = entries.iter().map(|e| (*e).clone()).collect();
    let proposed: Vec<Value> = current
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e["valueFrom"][ref_field(kind)]["name"] = json!(holder);
            e
        })
        .collect();
    Some(FieldChange {
        object: c.owner.clone(),
        container: Some(c.name.to_string()),
        field: "env".into(),
        current: Value::Array(current),
        proposed: Some(Value::Array(proposed)),
        basis: format!("{kind} {holder} has every key the container reads from {name}"),
    })
}

/// The finding when the kubelet reports `CreateContainerConfigError`.
pub(super) fn check(c: &Container) -> Option<Finding> {
    if c.waiting != "CreateContainerConfigError" {
        return None;
    }
    let (cname, wmsg) = (c.name, &c.waiting_message);
    let mut missing = config_ref(c.snap, wmsg);
    // "configmap \"x\" not found" names no key: the container's own references do.
    if let Some(m) = missing.as_mut()
        && m.holder.is_none()
    {
        m.holder = holder_of_referenced_keys(c, m.kind, &m.name);
    }
    let playbook = match missing.as_ref().map(|m| m.kind) {
        Some("ConfigMap") => "crash-loop",
        _ => "secret-key-missing",
    };
    let env_change = missing.as_ref().and_then(|m| {
        let holder = m.holder.as_ref()?;
        env_pointed_at(c, m.kind, &m.name, holder)
    });
    let changes = missing
        .map(|m| FieldChange {
            object: c.owner.clone(),
            container: Some(cname.to_string()),
            field: format!("{}.name", m.kind),
            current: json!(m.name),
            proposed: m.holder.as_ref().map(|h| json!(h)),
            basis: m
                .holder
                .map(|h| match &m.key {
                    Some(k) => format!("{} {h} has the key {k}", m.kind),
                    None => format!("{} {h} has every key the container reads", m.kind),
                })
                .unwrap_or_default(),
        })
        .into_iter()
        .chain(env_change)
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
