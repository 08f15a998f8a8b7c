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
        _ => return None,
    })
}
