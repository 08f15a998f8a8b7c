//! Deployment and Service analyzers: scaled to zero, stuck rollouts, Services without
//! endpoints, a frontend pointing at a Service that does not exist.

use serde_json::{Value, json};

use super::{Finding, Severity, release_of};

mod claims;
mod helm_release;
mod hygiene;
mod service_ports;

use crate::repair::FieldChange;
use crate::snapshot::Snapshot;
pub use claims::analyze as claims;
pub use helm_release::analyze as helm_releases;
pub use hygiene::analyze as hygiene;
pub use service_ports::analyze as service_ports;

fn selects(selector: &Value, pod: &Value) -> bool {
    selector
        .as_object()
        .is_some_and(|s| !s.is_empty() && s.iter().all(|(k, v)| pod["metadata"]["labels"][k] == *v))
}

/// The Deployment a Service that selects nothing was meant for, and the selector that
/// matches its pods: the Deployment named like the Service, else the only one whose pod
/// labels share a selector key's value. The selector keeps its keys (values from the pods'
/// labels); keys the pods lack are removed (null, as a merge patch says it).
fn intended_selector(snap: &Snapshot, service: &str, sel: &Value) -> Option<(String, Value)> {
    let sel = sel.as_object()?;
    let labels = |d: &Value| d["spec"]["template"]["metadata"]["labels"].clone();
    let name_of = |d: &Value| {
        d["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let shares = |d: &Value| {
        let l = labels(d);
        sel.iter().any(|(k, v)| l[k] == *v)
    };
    let by_name: Vec<&Value> = snap
        .deployments
        .iter()
        .filter(|d| d["metadata"]["name"] == service)
        .collect();
    let sharing: Vec<&Value> = snap.deployments.iter().filter(|d| shares(d)).collect();
    let d = match (by_name.as_slice(), sharing.as_slice()) {
        ([one], _) | ([], [one]) => *one,
        _ => return None,
    };
    let l = labels(d);
    let proposed: serde_json::Map<String, Value> = sel
        .keys()
        .map(|k| (k.clone(), l.get(k).cloned().unwrap_or(Value::Null)))
        .collect();
    // Nothing left to select by is no repair.
    if proposed.values().all(Value::is_null) {
        return None;
    }
    Some((name_of(d), Value::Object(proposed)))
}

/// Findings about Deployments and Services.
pub fn analyze(snap: &Snapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    for d in &snap.deployments {
        let name = d["metadata"]["name"].as_str().unwrap_or_default();
        if d["spec"]["replicas"] == 0 {
            out.push(Finding {
                id: "scaled-to-zero",
                severity: Severity::Error,
                object: format!("deployment/{name}"),
                summary: format!("deployment {name} is scaled to 0 replicas: nothing serves it"),
                evidence: vec!["spec.replicas=0".into()],
                playbook: "scaled-to-zero",
                release: release_of(d),
                cause: String::new(),
                suggested_action: None,
                suggested_patch: None,
                // No measurement says how many: history or the chart's default will.
                changes: vec![FieldChange {
                    init: false,
                    object: format!("deployment/{name}"),
                    container: None,
                    field: "replicas".into(),
                    current: d["spec"]["replicas"].clone(),
                    proposed: None,
                    basis: String::new(),
                }],
            });
        }
        let stuck = d["status"]["conditions"]
            .as_array()
            .and_then(|c| {
                c.iter().find(|c| {
                    c["type"] == "Progressing" && c["reason"] == "ProgressDeadlineExceeded"
                })
            })
            .cloned();
        if let Some(c) = stuck {
            out.push(Finding {
                id: "rollout-stuck",
                severity: Severity::Warning,
                object: format!("deployment/{name}"),
                summary: format!("the rollout of {name} has stopped progressing"),
                evidence: vec![c["message"].as_str().unwrap_or_default().to_string()],
                playbook: "rollback",
                release: release_of(d),
                cause: String::new(),
                suggested_action: None,
                suggested_patch: None,
                changes: vec![],
            });
        }
    }
    for svc in &snap.services {
        let name = svc["metadata"]["name"].as_str().unwrap_or_default();
        let sel = &svc["spec"]["selector"];
        if sel.as_object().is_none_or(|s| s.is_empty()) {
            continue;
        }
        let matching = snap.pods.iter().filter(|p| selects(sel, p)).count();
        let backing = snap
            .deployments
            .iter()
            .any(|d| d["spec"]["replicas"] == 0 && selects(sel, &d["spec"]["template"]));
        if matching == 0 && !backing {
            let labels: Vec<String> = snap
                .pods
                .iter()
                .filter_map(|p| {
                    p["metadata"]["labels"]["app.kubernetes.io/name"]
                        .as_str()
                        .map(|n| format!("app.kubernetes.io/name={n}"))
                })
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let mut evidence = vec![
                format!("selector: {sel}"),
                format!("pod labels present: {}", labels.join(", ")),
            ];
            let changes = intended_selector(snap, name, sel)
                .map(|(d, proposed)| {
                    evidence.push(format!(
                        "deployment/{d} is the workload it was meant for; its pods are labelled {}",
                        proposed
                    ));
                    vec![FieldChange {
                        init: false,
                        object: format!("service/{name}"),
                        container: None,
                        field: "selector".into(),
                        current: sel.clone(),
                        proposed: Some(proposed),
                        basis: format!("the labels of deployment/{d}'s pods"),
                    }]
                })
                .unwrap_or_default();
            out.push(Finding {
                id: "service-selector",
                severity: Severity::Error,
                object: format!("service/{name}"),
                summary: format!("service {name} selects no pod, so it has no endpoints"),
                evidence,
                playbook: "service-selector-wrong",
                release: release_of(svc),
                cause: String::new(),
                suggested_action: None,
                suggested_patch: None,
                changes,
            });
        }
    }
    // A frontend whose BACKEND_URL names a Service that does not exist.
    for cm in &snap.configmaps {
        let Some(url) = cm["data"]["BACKEND_URL"].as_str() else {
            continue;
        };
        let host = url
            .split("://")
            .nth(1)
            .unwrap_or_default()
            .split(['/', ':'])
            .next()
            .unwrap_or_default();
        let svc_name = host.split('.').next().unwrap_or_default();
        if svc_name.is_empty()
            || svc_name == "localhost"
            || svc_name.parse::<std::net::Ipv4Addr>().is_ok()
            || host.contains("127.0.0.1")
        {
            continue;
        }
        // A Service a release renders but the namespace lacks is drift, reported as such:
        // the URL is right, the Service is gone.
        let rendered_by_a_release = snap.history.0.iter().any(|r| {
            r.objects
                .iter()
                .any(|o| o["kind"] == "Service" && o["metadata"]["name"] == svc_name)
        });
        if !rendered_by_a_release
            && !snap
                .services
                .iter()
                .any(|s| s["metadata"]["name"] == svc_name)
        {
            out.push(Finding {
                id: "backend-url",
                severity: Severity::Error,
                object: format!(
                    "configmap/{}",
                    cm["metadata"]["name"].as_str().unwrap_or_default()
                ),
                summary: format!("BACKEND_URL is {url}, but there is no Service named {svc_name}"),
                evidence: vec![
                    format!("BACKEND_URL={url}"),
                    format!(
                        "services: {}",
                        snap.services
                            .iter()
                            .filter_map(|s| s["metadata"]["name"].as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ],
                playbook: "backend-url-wrong",
                release: release_of(cm),
                cause: String::new(),
                suggested_action: None,
                suggested_patch: None,
                // Which of the two is wrong, the URL or the missing Service, only the
                // release's history can tell: a changed URL is reverted from it.
                changes: vec![FieldChange {
                    init: false,
                    object: format!(
                        "configmap/{}",
                        cm["metadata"]["name"].as_str().unwrap_or_default()
                    ),
                    container: None,
                    field: "data.BACKEND_URL".into(),
                    current: json!(url),
                    proposed: None,
                    basis: String::new(),
                }],
            });
        }
    }
    out
}
