//! Table rows of the core kinds around workloads: Services, Endpoints, Events, ConfigMaps,
//! Secrets, Namespaces and Nodes, with the columns kubectl prints.

use serde_json::{Value, json};

use super::*;
use crate::resources::ResourceType;

/// The row of a kind this module knows, or None.
pub fn row(rt: &ResourceType, o: &Value) -> Option<Row> {
    let name = json!(o["metadata"]["name"]);
    let age = json!(age_of(o));
    Some(match (rt.group, rt.kind) {
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
        ("discovery.k8s.io", "EndpointSlice") => {
            let ports = o["ports"].as_array().into_iter().flatten().map(|p| {
                match (&p["port"], &p["name"]) {
                    (Value::Number(n), _) => n.to_string(),
                    (_, Value::String(n)) => n.clone(),
                    _ => "*".to_string(),
                }
            });
            let addresses = o["endpoints"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|e| e["addresses"].as_array().into_iter().flatten())
                .map(s);
            (
                vec![
                    name,
                    json!(o["addressType"]),
                    json!(first_three(ports.collect())),
                    json!(first_three(addresses.collect())),
                    age,
                ],
                vec!["Name", "AddressType", "Ports", "Endpoints", "Age"],
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
            // Roles from the node-role labels, as kubectl's printer reads them.
            let mut roles: Vec<String> = o["metadata"]["labels"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| {
                    k.strip_prefix("node-role.kubernetes.io/")
                        .map(str::to_string)
                        .or_else(|| {
                            (k == "kubernetes.io/role")
                                .then(|| v.as_str().unwrap_or_default().to_string())
                        })
                })
                .filter(|r| !r.is_empty())
                .collect();
            roles.sort();
            let roles = if roles.is_empty() {
                "<none>".to_string()
            } else {
                roles.join(",")
            };
            let mut status = if ready { "Ready" } else { "NotReady" }.to_string();
            if o["spec"]["unschedulable"] == true {
                status.push_str(",SchedulingDisabled");
            }
            (
                vec![
                    name,
                    json!(status),
                    json!(roles),
                    age,
                    json!(o["status"]["nodeInfo"]["kubeletVersion"]),
                ],
                vec!["Name", "Status", "Roles", "Age", "Version"],
            )
        }
        _ => return None,
    })
}

/// Up to three items and how many more, as kubectl's printer lists them (`<unset>` for none).
fn first_three(items: Vec<String>) -> String {
    match items.len() {
        0 => "<unset>".into(),
        n if n <= 3 => items.join(","),
        n => format!("{} + {} more...", items[..3].join(","), n - 3),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_slices_show_their_type_ports_and_first_addresses() {
        let slice = json!({"metadata": {"name": "web-abc"}, "addressType": "IPv4",
            "ports": [{"port": 80}, {"name": "metrics"}],
            "endpoints": [{"addresses": ["10.244.0.2"]}, {"addresses": ["10.244.0.3"]},
                          {"addresses": ["10.244.0.4"]}, {"addresses": ["10.244.0.5"]}]});
        let (cells, columns) = row(&crate::resources::ENDPOINT_SLICE, &slice).unwrap();
        assert_eq!(
            columns,
            ["Name", "AddressType", "Ports", "Endpoints", "Age"]
        );
        assert_eq!(cells[1], "IPv4");
        assert_eq!(cells[2], "80,metrics");
        assert_eq!(cells[3], "10.244.0.2,10.244.0.3,10.244.0.4 + 1 more...");
        let empty = json!({"metadata": {"name": "x"}, "addressType": "IPv4"});
        assert_eq!(
            row(&crate::resources::ENDPOINT_SLICE, &empty).unwrap().0[3],
            "<unset>"
        );
    }
}
