//! Table rows for the kinds that grant, limit or route: RBAC, ServiceAccounts, quotas,
//! limit ranges, network policies, ingresses, priority classes, leases and CRDs — the
//! columns `kubectl get` shows for them on a real cluster.

use serde_json::{Value, json};

use super::{Row, n, or_none, s};
use crate::meta::age_of;
use crate::resources::ResourceType;

fn list_len(v: &Value) -> usize {
    v.as_array().map_or(0, Vec::len)
}

/// `requests.cpu: 0/1, pods: 2/10`, as kubectl shows a quota's usage against its hard limits.
fn quota_usage(o: &Value, limits: bool) -> String {
    let hard = o["status"]["hard"]
        .as_object()
        .or(o["spec"]["hard"].as_object())
        .cloned()
        .unwrap_or_default();
    hard.iter()
        .filter(|(k, _)| k.starts_with("limits.") == limits)
        .map(|(k, v)| {
            let used = o["status"]["used"][k.as_str()].as_str().unwrap_or("0");
            format!("{k}: {used}/{}", s(v))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The row of a kind this module knows, or None.
pub fn row(rt: &ResourceType, o: &Value) -> Option<Row> {
    let name = json!(o["metadata"]["name"]);
    let age = json!(age_of(o));
    let created = json!(s(&o["metadata"]["creationTimestamp"]));
    Some(match (rt.group, rt.kind) {
        ("rbac.authorization.k8s.io", "Role" | "ClusterRole") | ("apiextensions.k8s.io", _) => {
            (vec![name, created], vec!["Name", "Created At"])
        }
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            let role = format!("{}/{}", s(&o["roleRef"]["kind"]), s(&o["roleRef"]["name"]));
            let subjects = |kind: &str| {
                o["subjects"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|x| x["kind"] == kind)
                    .map(|x| match x["namespace"].as_str() {
                        Some(ns) if kind == "ServiceAccount" => format!("{ns}/{}", s(&x["name"])),
                        _ => s(&x["name"]),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            (
                vec![
                    name,
                    json!(role),
                    age,
                    json!(subjects("User")),
                    json!(subjects("Group")),
                    json!(subjects("ServiceAccount")),
                ],
                vec![
                    "Name",
                    "Role",
                    "Age",
                    "*Users",
                    "*Groups",
                    "*ServiceAccounts",
                ],
            )
        }
        ("", "ServiceAccount") => (
            vec![name, json!(list_len(&o["secrets"])), age],
            vec!["Name", "Secrets", "Age"],
        ),
        ("", "ResourceQuota") => (
            vec![
                name,
                age,
                json!(quota_usage(o, false)),
                json!(quota_usage(o, true)),
            ],
            vec!["Name", "Age", "Request", "Limit"],
        ),
        ("", "LimitRange") => (vec![name, created], vec!["Name", "Created At"]),
        ("networking.k8s.io", "NetworkPolicy") => {
            let sel = &o["spec"]["podSelector"]["matchLabels"];
            let text = sel
                .as_object()
                .filter(|m| !m.is_empty())
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| format!("{k}={}", s(v)))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_else(|| "<none>".into());
            (
                vec![name, json!(text), age],
                vec!["Name", "Pod-Selector", "Age"],
            )
        }
        ("networking.k8s.io", "Ingress") => {
            let rules = o["spec"]["rules"].as_array().cloned().unwrap_or_default();
            let hosts: Vec<String> = rules
                .iter()
                .map(|r| r["host"].as_str().unwrap_or("*").to_string())
                .collect();
            let ports = if list_len(&o["spec"]["tls"]) > 0 {
                "80, 443"
            } else {
                "80"
            };
            let address: Vec<String> = o["status"]["loadBalancer"]["ingress"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|i| s(&i["ip"]))
                .collect();
            (
                vec![
                    name,
                    json!(or_none(s(&o["spec"]["ingressClassName"]))),
                    json!(if hosts.is_empty() {
                        "*".into()
                    } else {
                        hosts.join(",")
                    }),
                    json!(address.join(",")),
                    json!(ports),
                    age,
                ],
                vec!["Name", "Class", "Hosts", "Address", "Ports", "Age"],
            )
        }
        ("networking.k8s.io", "IngressClass") => (
            vec![
                name,
                json!(s(&o["spec"]["controller"])),
                json!(or_none(s(&o["spec"]["parameters"]["name"]))),
                age,
            ],
            vec!["Name", "Controller", "Parameters", "Age"],
        ),
        ("scheduling.k8s.io", "PriorityClass") => (
            vec![
                name,
                json!(n(&o["value"])),
                json!(o["globalDefault"].as_bool().unwrap_or(false)),
                age,
                json!(
                    o["preemptionPolicy"]
                        .as_str()
                        .unwrap_or("PreemptLowerPriority")
                ),
            ],
            vec!["Name", "Value", "Global-Default", "Age", "PreemptionPolicy"],
        ),
        ("coordination.k8s.io", "Lease") => (
            vec![name, json!(s(&o["spec"]["holderIdentity"])), age],
            vec!["Name", "Holder", "Age"],
        ),
        _ => return None,
    })
}
