//! Server-side printing: `meta.k8s.io/v1` Tables, which kubectl asks for to show
//! `kubectl get` columns (READY, STATUS, RESTARTS, …).

mod access;
mod batch_storage;
mod core_kinds;
mod workloads;

use serde_json::{Value, json};

use crate::meta::age_of;
use crate::resources::ResourceType;

/// Whether the client asked for a Table.
pub fn wanted(accept: &str) -> bool {
    accept
        .split(',')
        .next()
        .is_some_and(|first| first.contains("as=Table"))
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn n(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

fn or_none(x: String) -> String {
    if x.is_empty() { "<none>".into() } else { x }
}

fn images(spec: &Value) -> (String, String) {
    let cs = spec["containers"].as_array().cloned().unwrap_or_default();
    (
        cs.iter()
            .map(|c| s(&c["name"]))
            .collect::<Vec<_>>()
            .join(","),
        cs.iter()
            .map(|c| s(&c["image"]))
            .collect::<Vec<_>>()
            .join(","),
    )
}

fn selector_text(sel: &Value) -> String {
    sel.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", s(v)))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

/// The status word kubectl shows for a pod.
pub fn pod_status(p: &Value) -> String {
    if p["metadata"]["deletionTimestamp"].is_string() {
        return "Terminating".into();
    }
    // Init containers first, as kubectl's printer: `Init:1/2`, `Init:CrashLoopBackOff`,
    // `Init:Error`.
    let inits = p["status"]["initContainerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let total_inits = p["spec"]["initContainers"].as_array().map_or(0, Vec::len);
    for (i, c) in inits.iter().enumerate() {
        let t = &c["state"]["terminated"];
        if t["exitCode"] == 0 && t.is_object() {
            continue;
        }
        if t.is_object() {
            return match t["reason"].as_str() {
                Some(r) if !r.is_empty() => format!("Init:{r}"),
                _ => format!("Init:ExitCode:{}", t["exitCode"]),
            };
        }
        if let Some(r) = c["state"]["waiting"]["reason"]
            .as_str()
            .filter(|r| *r != "PodInitializing")
        {
            return format!("Init:{r}");
        }
        return format!("Init:{i}/{total_inits}");
    }
    if total_inits > inits.len() {
        return format!("Init:{}/{total_inits}", inits.len());
    }
    let statuses = p["status"]["containerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for c in &statuses {
        if let Some(r) = c["state"]["waiting"]["reason"].as_str() {
            return r.to_string();
        }
        if let Some(r) = c["state"]["terminated"]["reason"].as_str() {
            return r.to_string();
        }
    }
    let phase = s(&p["status"]["phase"]);
    if phase.is_empty() {
        "Pending".into()
    } else {
        phase
    }
}

/// A row's cells and the column names (a leading `*` marks a wide-only column).
type Row = (Vec<Value>, Vec<&'static str>);

fn row(rt: &ResourceType, o: &Value) -> Row {
    workloads::row(rt, o)
        .or_else(|| core_kinds::row(rt, o))
        .or_else(|| access::row(rt, o))
        .or_else(|| batch_storage::row(rt, o))
        // A kind without columns of its own shows its name and age, as kubectl's default.
        .unwrap_or_else(|| {
            let age = json!(age_of(o));
            (vec![json!(o["metadata"]["name"]), age], vec!["Name", "Age"])
        })
}

fn columns(names: &[&str]) -> Vec<Value> {
    names
        .iter()
        .map(|c| {
            let (name, priority) = c.strip_prefix('*').map_or((*c, 0), |n| (n, 1));
            let format = if name == "Name" { "name" } else { "" };
            json!({"name": name, "type": "string", "format": format, "description": "", "priority": priority})
        })
        .collect()
}

/// A Table of `items`; `full` puts whole objects in the rows (`includeObject=Object`).
pub fn render<T: std::borrow::Borrow<Value>>(
    rt: &ResourceType,
    items: &[T],
    rv: &str,
    full: bool,
) -> Value {
    let mut cols = None;
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            let o: &Value = o.borrow();
            let (cells, names) = row(rt, o);
            cols.get_or_insert(names);
            let object = if full {
                o.clone()
            } else {
                json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]})
            };
            json!({"cells": cells, "object": object})
        })
        .collect();
    let names = cols.unwrap_or_else(|| row(rt, &json!({"metadata": {}})).1);
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": rv},
        "columnDefinitions": columns(&names),
        "rows": rows,
    })
}
