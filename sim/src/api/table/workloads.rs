//! Table rows of workloads: Pods, Deployments, ReplicaSets, StatefulSets, autoscalers and
//! disruption budgets, with the columns kubectl prints.

use serde_json::{Value, json};

use super::*;
use crate::resources::ResourceType;

/// The row of a kind this module knows, or None.
pub fn row(rt: &ResourceType, o: &Value) -> Option<Row> {
    let name = json!(o["metadata"]["name"]);
    let age = json!(age_of(o));
    Some(match (rt.group, rt.kind) {
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
                    json!(hpa_targets(o)),
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
        _ => return None,
    })
}

/// The Targets column as kubectl's printer writes it: `cpu: 42%/50%` per metric (current,
/// or `<unknown>`, over the target), the first two and how many more.
fn hpa_targets(o: &Value) -> String {
    let Some(specs) = o["spec"]["metrics"].as_array().filter(|m| !m.is_empty()) else {
        return "<none>".into();
    };
    let statuses = o["status"]["currentMetrics"].as_array();
    let shown: Vec<String> = specs
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let status = statuses.and_then(|s| s.get(i));
            let kind = spec["type"].as_str().unwrap_or_default();
            let key = match kind {
                "Resource" => "resource",
                "ContainerResource" => "containerResource",
                "Pods" => "pods",
                "Object" => "object",
                "External" => "external",
                _ => return "<unknown type>".to_string(),
            };
            let target = &spec[key]["target"];
            let current = status.map(|s| &s[key]["current"]);
            let text = |v: &Value| {
                v.as_str()
                    .map(str::to_string)
                    .or_else(|| v.as_i64().map(|n| n.to_string()))
            };
            let name = spec[key]["name"].as_str().unwrap_or_default();
            match kind {
                "Resource" | "ContainerResource" if target["averageValue"].is_null() => {
                    let now = current
                        .and_then(|c| c["averageUtilization"].as_i64())
                        .map_or("<unknown>".to_string(), |u| format!("{u}%"));
                    let want = target["averageUtilization"]
                        .as_i64()
                        .map_or("<auto>".to_string(), |u| format!("{u}%"));
                    format!("{name}: {now}/{want}")
                }
                "Resource" | "ContainerResource" => {
                    let now = current
                        .and_then(|c| text(&c["averageValue"]))
                        .unwrap_or("<unknown>".into());
                    format!(
                        "{name}: {now}/{}",
                        text(&target["averageValue"]).unwrap_or_default()
                    )
                }
                _ => {
                    let field = if target["averageValue"].is_null() {
                        "value"
                    } else {
                        "averageValue"
                    };
                    let now = current
                        .and_then(|c| text(&c[field]))
                        .unwrap_or("<unknown>".into());
                    let avg = if field == "averageValue" && kind != "Pods" {
                        " (avg)"
                    } else {
                        ""
                    };
                    format!("{now}/{}{avg}", text(&target[field]).unwrap_or_default())
                }
            }
        })
        .collect();
    let more = shown.len().saturating_sub(2);
    let list = shown.into_iter().take(2).collect::<Vec<_>>().join(", ");
    if more > 0 {
        format!("{list} + {more} more...")
    } else {
        list
    }
}
