//! Deployment and Service analyzers: scaled to zero, stuck rollouts, Services without
//! endpoints, a frontend pointing at a Service that does not exist.

use serde_json::{Value, json};

use super::{Finding, Severity, release_of};
use crate::snapshot::Snapshot;

fn selects(selector: &Value, pod: &Value) -> bool {
    selector
        .as_object()
        .is_some_and(|s| !s.is_empty() && s.iter().all(|(k, v)| pod["metadata"]["labels"][k] == *v))
}

/// Findings about Deployments and Services.
pub fn analyze(snap: &Snapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    for d in &snap.deployments {
        let name = d["metadata"]["name"].as_str().unwrap_or_default();
        let ours = release_of(d).is_some_and(|r| r.starts_with("todo-"));
        if d["spec"]["replicas"] == 0 {
            out.push(Finding {
                id: "scaled-to-zero",
                severity: Severity::Error,
                object: format!("deployment/{name}"),
                summary: format!("deployment {name} is scaled to 0 replicas: nothing serves it"),
                evidence: vec!["spec.replicas=0".into()],
                playbook: "scale",
                release: release_of(d),
                suggested_patch: ours.then(|| json!({"replicaCount": 2})),
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
                suggested_patch: None,
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
            out.push(Finding {
                id: "service-selector",
                severity: Severity::Error,
                object: format!("service/{name}"),
                summary: format!("service {name} selects no pod, so it has no endpoints"),
                evidence: vec![
                    format!("selector: {sel}"),
                    format!("pod labels present: {}", labels.join(", ")),
                ],
                playbook: "service-endpoints",
                release: release_of(svc),
                suggested_patch: None,
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
        if !snap
            .services
            .iter()
            .any(|s| s["metadata"]["name"] == svc_name)
        {
            let backend = snap.services.iter().find(|s| {
                s["metadata"]["name"]
                    .as_str()
                    .is_some_and(|n| n.ends_with("backend"))
            });
            let patch = backend.map(|b| {
                let port = b["spec"]["ports"][0]["port"].as_i64().unwrap_or(8000);
                json!({"config": {"backendUrl": format!("http://{}:{port}", b["metadata"]["name"].as_str().unwrap_or("todo-backend"))}})
            });
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
                playbook: "backend-url",
                release: release_of(cm),
                suggested_patch: patch,
            });
        }
    }
    out
}
