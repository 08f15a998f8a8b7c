//! Table rows for jobs, cron jobs, daemon sets and storage (classes, volumes, claims):
//! the columns `kubectl get` shows for them on a real cluster.

use serde_json::{Value, json};

use super::{Row, n, or_none, s, selector_text};
use crate::meta::{age_of, human_age, parse_rfc3339};
use crate::resources::ResourceType;

/// `RWO,RWX`, as kubectl abbreviates access modes.
fn access_modes(v: &Value) -> String {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|m| match m.as_str().unwrap_or_default() {
            "ReadWriteOnce" => "RWO".to_string(),
            "ReadOnlyMany" => "ROX".to_string(),
            "ReadWriteMany" => "RWX".to_string(),
            "ReadWriteOncePod" => "RWOP".to_string(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn job_status(o: &Value) -> &'static str {
    let cond = |t: &str| {
        o["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"] == t && c["status"] == "True")
    };
    if cond("Complete") {
        "Complete"
    } else if cond("Failed") {
        "Failed"
    } else if cond("Suspended") || o["spec"]["suspend"] == true {
        "Suspended"
    } else {
        "Running"
    }
}

fn duration(o: &Value) -> String {
    let Some(start) = o["status"]["startTime"].as_str().and_then(parse_rfc3339) else {
        return String::new();
    };
    let end = o["status"]["completionTime"]
        .as_str()
        .and_then(parse_rfc3339)
        .unwrap_or_else(|| parse_rfc3339(&crate::meta::now()).unwrap_or(start));
    human_age(end - start)
}

/// The row of a kind this module knows, or None.
pub fn row(rt: &ResourceType, o: &Value) -> Option<Row> {
    let name = json!(o["metadata"]["name"]);
    let age = json!(age_of(o));
    Some(match (rt.group, rt.kind) {
        ("batch", "Job") => (
            vec![
                name,
                json!(job_status(o)),
                json!(format!(
                    "{}/{}",
                    n(&o["status"]["succeeded"]),
                    o["spec"]["completions"].as_i64().unwrap_or(1)
                )),
                json!(duration(o)),
                age,
            ],
            vec!["Name", "Status", "Completions", "Duration", "Age"],
        ),
        ("batch", "CronJob") => {
            let last = o["status"]["lastScheduleTime"]
                .as_str()
                .and_then(parse_rfc3339)
                .map(|t| human_age(parse_rfc3339(&crate::meta::now()).unwrap_or(t) - t))
                .unwrap_or_else(|| "<none>".into());
            (
                vec![
                    name,
                    json!(s(&o["spec"]["schedule"])),
                    json!(or_none(s(&o["spec"]["timeZone"]))),
                    json!(o["spec"]["suspend"].as_bool().unwrap_or(false)),
                    json!(o["status"]["active"].as_array().map_or(0, Vec::len)),
                    json!(last),
                    age,
                ],
                vec![
                    "Name",
                    "Schedule",
                    "Timezone",
                    "Suspend",
                    "Active",
                    "Last Schedule",
                    "Age",
                ],
            )
        }
        ("apps", "DaemonSet") => {
            let st = &o["status"];
            (
                vec![
                    name,
                    json!(n(&st["desiredNumberScheduled"])),
                    json!(n(&st["currentNumberScheduled"])),
                    json!(n(&st["numberReady"])),
                    json!(n(&st["updatedNumberScheduled"])),
                    json!(n(&st["numberAvailable"])),
                    json!(or_none(selector_text(
                        &o["spec"]["template"]["spec"]["nodeSelector"]
                    ))),
                    age,
                ],
                vec![
                    "Name",
                    "Desired",
                    "Current",
                    "Ready",
                    "Up-to-date",
                    "Available",
                    "Node Selector",
                    "Age",
                ],
            )
        }
        ("storage.k8s.io", "StorageClass") => {
            let default = o["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"]
                == "true";
            let shown = format!(
                "{}{}",
                s(&o["metadata"]["name"]),
                if default { " (default)" } else { "" }
            );
            (
                vec![
                    json!(shown),
                    json!(s(&o["provisioner"])),
                    json!(o["reclaimPolicy"].as_str().unwrap_or("Delete")),
                    json!(o["volumeBindingMode"].as_str().unwrap_or("Immediate")),
                    json!(o["allowVolumeExpansion"].as_bool().unwrap_or(false)),
                    age,
                ],
                vec![
                    "Name",
                    "Provisioner",
                    "ReclaimPolicy",
                    "VolumeBindingMode",
                    "AllowVolumeExpansion",
                    "Age",
                ],
            )
        }
        ("", "PersistentVolume") => {
            let claim = &o["spec"]["claimRef"];
            let claim = if claim.is_object() {
                format!("{}/{}", s(&claim["namespace"]), s(&claim["name"]))
            } else {
                String::new()
            };
            (
                vec![
                    name,
                    json!(s(&o["spec"]["capacity"]["storage"])),
                    json!(access_modes(&o["spec"]["accessModes"])),
                    json!(
                        o["spec"]["persistentVolumeReclaimPolicy"]
                            .as_str()
                            .unwrap_or("Retain")
                    ),
                    json!(s(&o["status"]["phase"])),
                    json!(claim),
                    json!(s(&o["spec"]["storageClassName"])),
                    json!(or_none(s(&o["spec"]["volumeAttributesClassName"]))),
                    json!(s(&o["status"]["reason"])),
                    age,
                ],
                vec![
                    "Name",
                    "Capacity",
                    "Access Modes",
                    "Reclaim Policy",
                    "Status",
                    "Claim",
                    "StorageClass",
                    "VolumeAttributesClass",
                    "Reason",
                    "Age",
                ],
            )
        }
        ("", "PersistentVolumeClaim") => (
            vec![
                name,
                json!(s(&o["status"]["phase"])),
                json!(s(&o["spec"]["volumeName"])),
                json!(s(&o["status"]["capacity"]["storage"])),
                json!(access_modes(&o["status"]["accessModes"])),
                json!(s(&o["spec"]["storageClassName"])),
                json!(or_none(s(&o["spec"]["volumeAttributesClassName"]))),
                age,
            ],
            vec![
                "Name",
                "Status",
                "Volume",
                "Capacity",
                "Access Modes",
                "StorageClass",
                "VolumeAttributesClass",
                "Age",
            ],
        ),
        _ => return None,
    })
}
