//! `service-target-port`: a Service forwards to a port its pods do not expose.

use serde_json::Value;

use super::selects;
use crate::analyzers::{Finding, Severity, release_of};
use crate::snapshot::Snapshot;

/// A finding per Service port whose target no selected pod exposes.
pub fn analyze(snap: &Snapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    for svc in &snap.services {
        let name = svc["metadata"]["name"].as_str().unwrap_or_default();
        let sel = &svc["spec"]["selector"];
        let pods: Vec<&Value> = snap.pods.iter().filter(|p| selects(sel, p)).collect();
        if pods.is_empty() {
            continue;
        }
        for port in svc["spec"]["ports"].as_array().into_iter().flatten() {
            let target = &port["targetPort"];
            let exposed = pods.iter().any(|p| {
                p["spec"]["containers"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|c| c["ports"].as_array().into_iter().flatten())
                    .any(|cp| match target {
                        Value::String(n) => cp["name"] == n.as_str(),
                        Value::Number(n) => cp["containerPort"].as_i64() == n.as_i64(),
                        _ => cp["containerPort"] == port["port"],
                    })
            });
            if !exposed {
                out.push(Finding {
                    id: "service-target-port",
                    severity: Severity::Error,
                    object: format!("service/{name}"),
                    summary: format!("service {name} sends port {} to targetPort {target}, which its pods do not expose", port["port"]),
                    evidence: vec![format!("ports: {}", svc["spec"]["ports"])],
                    playbook: "service-selector-wrong",
                    release: release_of(svc),
                    cause: String::new(), suggested_action: None, suggested_patch: None, changes: vec![],
                });
            }
        }
    }
    out
}
