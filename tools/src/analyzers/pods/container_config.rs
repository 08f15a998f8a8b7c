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
        init: c.init,
        object: c.owner.clone(),
        container: Some(c.name.to_string()),
        field: "env".into(),
        current: Value::Array(current),
        proposed: Some(Value::Array(proposed)),
        basis: format!("{kind} {holder} has every key the container reads from {name}"),
    })
}

/// The keys (or, without a key, the names) a reference that does not resolve nearly is:
/// a missing key becomes the key of that object it is a few edits from; a missing object
/// the object of that kind it is a few edits from. The env entries (and `envFrom` sources)
/// that say it are changed, nothing else.
fn typo_repairs(c: &Container, kind: &str, name: &str, key: Option<&str>) -> Vec<FieldChange> {
    let objects = if kind == "Secret" {
        &c.snap.secrets
    } else {
        &c.snap.configmaps
    };
    let named = |o: &Value| {
        o["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let rf = ref_field(kind);
    let mut out = Vec::new();
    match key {
        Some(key) => {
            let Some(object) = objects.iter().find(|o| o["metadata"]["name"] == name) else {
                return out;
            };
            let keys: Vec<String> = match &object["data"] {
                Value::Array(k) => k
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                Value::Object(m) => m.keys().cloned().collect(),
                _ => Vec::new(),
            };
            let Some((meant, d)) = crate::nearest::nearest(key, keys.iter().map(String::as_str))
            else {
                return out;
            };
            let entries: Vec<Value> = referencing(c, kind, name)
                .into_iter()
                .filter(|e| e["valueFrom"][rf]["key"] == key)
                .cloned()
                .collect();
            if entries.is_empty() {
                return out;
            }
            let proposed = entries
                .iter()
                .map(|e| {
                    let mut e = e.clone();
                    e["valueFrom"][rf]["key"] = json!(meant);
                    e
                })
                .collect();
            out.push(c.change(
                "env",
                Value::Array(entries),
                Some(Value::Array(proposed)),
                format!(
                    "{kind} {name} has no key {key:?}; its key {meant:?} is {d} edit(s) from it"
                ),
            ));
        }
        None => {
            let names: Vec<String> = objects.iter().map(named).collect();
            let Some((meant, d)) = crate::nearest::nearest(name, names.iter().map(String::as_str))
            else {
                return out;
            };
            let basis =
                format!("there is no {kind} {name:?}; {kind} {meant:?} is {d} edit(s) from it");
            let entries: Vec<Value> = referencing(c, kind, name).into_iter().cloned().collect();
            if !entries.is_empty() {
                let proposed = entries
                    .iter()
                    .map(|e| {
                        let mut e = e.clone();
                        e["valueFrom"][rf]["name"] = json!(meant);
                        e
                    })
                    .collect();
                out.push(c.change(
                    "env",
                    Value::Array(entries),
                    Some(Value::Array(proposed)),
                    basis.clone(),
                ));
            }
            // envFrom has no merge key: the whole list, with the one source renamed.
            let source = if kind == "Secret" {
                "secretRef"
            } else {
                "configMapRef"
            };
            if let Some(from) = c.spec["envFrom"].as_array()
                && from.iter().any(|f| f[source]["name"] == name)
            {
                let proposed = from
                    .iter()
                    .map(|f| {
                        let mut f = f.clone();
                        if f[source]["name"] == name {
                            f[source]["name"] = json!(meant);
                        }
                        f
                    })
                    .collect();
                out.push(c.change(
                    "envFrom",
                    Value::Array(from.clone()),
                    Some(Value::Array(proposed)),
                    basis,
                ));
            }
        }
    }
    out
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
    let typos = match &missing {
        Some(m) if m.holder.is_none() => typo_repairs(c, m.kind, &m.name, m.key.as_deref()),
        _ => Vec::new(),
    };
    let changes: Vec<FieldChange> = missing
        .filter(|_| typos.is_empty())
        .map(|m| FieldChange {
            init: c.init,
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
        .chain(typos)
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
