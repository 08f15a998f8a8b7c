//! Server-side printing: `meta.k8s.io/v1` Tables, which kubectl asks for to show
//! `kubectl get` columns (READY, STATUS, RESTARTS, …).

mod access;
mod batch_storage;

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
    let name = json!(o["metadata"]["name"]);
    let age = json!(age_of(o));
    match (rt.group, rt.kind) {
        ("", "Pod") => {
            let statuses = o["status"]["containerStatuses"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let total = o["spec"]["containers"].as_array().map_or(0, Vec::len);
            let ready = statuses.iter().filter(|c| c["ready"] == true).count();
            let restarts: i64 = statuses.iter().map(|c| n(&c["restartCount"])).sum();
            (
                vec![
                    name,
                    json!(format!("{ready}/{total}")),
                    json!(pod_status(o)),
                    json!(restarts),
                    age,
                    json!(or_none(s(&o["status"]["podIP"]))),
                    json!(or_none(s(&o["spec"]["nodeName"]))),
                    json!("<none>"),
                    json!("<none>"),
                ],
                vec![
                    "Name",
                    "Ready",
                    "Status",
                    "Restarts",
                    "Age",
                    "*IP",
                    "*Node",
                    "*Nominated Node",
                    "*Readiness Gates",
                ],
            )
        }
        ("apps", "Deployment") => {
            let (c, i) = images(&o["spec"]["template"]["spec"]);
            (
                vec![
                    name,
                    json!(format!(
                        "{}/{}",
                        n(&o["status"]["readyReplicas"]),
                        n(&o["spec"]["replicas"])
                    )),
                    json!(n(&o["status"]["updatedReplicas"])),
                    json!(n(&o["status"]["availableReplicas"])),
                    age,
                    json!(c),
                    json!(i),
                    json!(selector_text(&o["spec"]["selector"]["matchLabels"])),
                ],
                vec![
                    "Name",
                    "Ready",
                    "Up-to-date",
                    "Available",
                    "Age",
                    "*Containers",
                    "*Images",
                    "*Selector",
                ],
            )
        }
        ("apps", "ReplicaSet") => {
            let (c, i) = images(&o["spec"]["template"]["spec"]);
            (
                vec![
                    name,
                    json!(n(&o["spec"]["replicas"])),
                    json!(n(&o["status"]["replicas"])),
                    json!(n(&o["status"]["readyReplicas"])),
                    age,
                    json!(c),
                    json!(i),
                    json!(selector_text(&o["spec"]["selector"]["matchLabels"])),
                ],
                vec![
                    "Name",
                    "Desired",
                    "Current",
                    "Ready",
                    "Age",
                    "*Containers",
                    "*Images",
                    "*Selector",
                ],
            )
        }
        ("apps", "StatefulSet") => (
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    n(&o["status"]["readyReplicas"]),
                    n(&o["spec"]["replicas"])
                )),
                age,
            ],
            vec!["Name", "Ready", "Age"],
        ),
        ("", "Service") => {
            let ports = o["spec"]["ports"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| format!("{}/{}", s(&p["port"]), s(&p["protocol"])))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            (
                vec![
                    name,
                    json!(o["spec"]["type"]),
                    json!(o["spec"]["clusterIP"]),
                    json!("<none>"),
                    json!(ports),
                    age,
                    json!(or_none(selector_text(&o["spec"]["selector"]))),
                ],
                vec![
                    "Name",
                    "Type",
                    "Cluster-IP",
                    "External-IP",
                    "Port(s)",
                    "Age",
                    "*Selector",
                ],
            )
        }
        ("", "Endpoints") => {
            let mut eps = Vec::new();
            for sub in o["subsets"].as_array().into_iter().flatten() {
                for a in sub["addresses"].as_array().into_iter().flatten() {
                    for p in sub["ports"].as_array().into_iter().flatten() {
                        eps.push(format!("{}:{}", s(&a["ip"]), s(&p["port"])));
                    }
                }
            }
            (
                vec![name, json!(or_none(eps.join(","))), age],
                vec!["Name", "Endpoints", "Age"],
            )
        }
        (_, "Event") => {
            let last = o["lastTimestamp"].as_str().map(|_| {
                let mut tmp = o.clone();
                tmp["metadata"]["creationTimestamp"] = o["lastTimestamp"].clone();
                age_of(&tmp)
            });
            let obj = format!(
                "{}/{}",
                s(&o["involvedObject"]["kind"]).to_lowercase(),
                s(&o["involvedObject"]["name"])
            );
            (
                vec![
                    json!(last.unwrap_or_else(|| "<unknown>".into())),
                    json!(o["type"]),
                    json!(o["reason"]),
                    json!(obj),
                    json!(o["message"]),
                ],
                vec!["Last Seen", "Type", "Reason", "Object", "Message"],
            )
        }
        ("", "ConfigMap") => (
            vec![
                name,
                json!(
                    o["data"].as_object().map_or(0, |m| m.len())
                        + o["binaryData"].as_object().map_or(0, |m| m.len())
                ),
                age,
            ],
            vec!["Name", "Data", "Age"],
        ),
        ("", "Secret") => (
            vec![
                name,
                json!(o["type"]),
                json!(o["data"].as_object().map_or(0, |m| m.len())),
                age,
            ],
            vec!["Name", "Type", "Data", "Age"],
        ),
        ("", "Namespace") => (
            vec![name, json!(o["status"]["phase"]), age],
            vec!["Name", "Status", "Age"],
        ),
        ("", "Node") => {
            let ready = o["status"]["conditions"].as_array().is_some_and(|c| {
                c.iter()
                    .any(|c| c["type"] == "Ready" && c["status"] == "True")
            });
            (
                vec![
                    name,
                    json!(if ready { "Ready" } else { "NotReady" }),
                    json!("control-plane"),
                    age,
                    json!(o["status"]["nodeInfo"]["kubeletVersion"]),
                ],
                vec!["Name", "Status", "Roles", "Age", "Version"],
            )
        }
        ("policy", "PodDisruptionBudget") => (
            vec![
                name,
                json!(or_none(s(&o["spec"]["minAvailable"])).replace("<none>", "N/A")),
                json!(or_none(s(&o["spec"]["maxUnavailable"])).replace("<none>", "N/A")),
                json!(n(&o["status"]["disruptionsAllowed"])),
                age,
            ],
            vec![
                "Name",
                "Min Available",
                "Max Unavailable",
                "Allowed Disruptions",
                "Age",
            ],
        ),
        ("autoscaling", "HorizontalPodAutoscaler") => {
            let target = format!(
                "{}/{}",
                s(&o["spec"]["scaleTargetRef"]["kind"]),
                s(&o["spec"]["scaleTargetRef"]["name"])
            );
            (
                vec![
                    name,
                    json!(target),
                    json!("<unknown>"),
                    json!(n(&o["spec"]["minReplicas"])),
                    json!(n(&o["spec"]["maxReplicas"])),
                    json!(n(&o["status"]["currentReplicas"])),
                    age,
                ],
                vec![
                    "Name",
                    "Reference",
                    "Targets",
                    "MinPods",
                    "MaxPods",
                    "Replicas",
                    "Age",
                ],
            )
        }
        _ => access::row(rt, o)
            .or_else(|| batch_storage::row(rt, o))
            .unwrap_or((vec![name, age], vec!["Name", "Age"])),
    }
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
