//! `service-target-port`: a Service forwards to a port its pods do not expose.

use serde_json::Value;

use super::selects;
use crate::analyzers::{Finding, Severity, release_of};
use crate::repair::FieldChange;
use crate::snapshot::Snapshot;

/// The target a Service port was meant for, from the ports its pods declare: for a name,
/// the declared name it nearly is; for a number, the only port declared, else the one named
/// like the Service port.
fn meant_target(target: &Value, port: &Value, declared: &[&Value]) -> Option<(Value, String)> {
    let names = declared.iter().filter_map(|cp| cp["name"].as_str());
    if let Some(n) = target.as_str() {
        let (meant, d) = crate::nearest::nearest(n, names)?;
        return Some((
            Value::String(meant.to_string()),
            format!("the pods declare port {meant:?}, {d} edit(s) from {n:?}"),
        ));
    }
    let mut numbers: Vec<i64> = declared
        .iter()
        .filter_map(|cp| cp["containerPort"].as_i64())
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    if let [only] = numbers.as_slice() {
        return Some((
            serde_json::json!(only),
            format!("{only} is the one port its pods declare"),
        ));
    }
    let named = port["name"].as_str()?;
    let cp = declared.iter().find(|cp| cp["name"] == named)?;
    Some((
        cp["containerPort"].clone(),
        format!("the pods' port named {named:?}, as the Service port is"),
    ))
}

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
        let container_ports: Vec<&Value> = pods
            .iter()
            .flat_map(|p| p["spec"]["containers"].as_array().into_iter().flatten())
            .flat_map(|c| c["ports"].as_array().into_iter().flatten())
            .collect();
        let ports = svc["spec"]["ports"].as_array().cloned().unwrap_or_default();
        let mut proposed = ports.clone();
        let mut reasons = Vec::new();
        for (i, port) in ports.iter().enumerate() {
            let target = &port["targetPort"];
            let exposed = container_ports.iter().any(|cp| match target {
                Value::String(n) => cp["name"] == n.as_str(),
                Value::Number(n) => cp["containerPort"].as_i64() == n.as_i64(),
                _ => cp["containerPort"] == port["port"],
            });
            if exposed {
                continue;
            }
            let summary = format!(
                "service {name} sends port {} to targetPort {target}, which its pods do not expose",
                port["port"]
            );
            if let Some((meant, why)) = meant_target(target, port, &container_ports) {
                proposed[i]["targetPort"] = meant;
                reasons.push(why);
            }
            out.push(Finding {
                id: "service-target-port",
                severity: Severity::Error,
                object: format!("service/{name}"),
                summary,
                evidence: vec![format!("ports: {}", svc["spec"]["ports"])],
                playbook: "service-selector-wrong",
                release: release_of(svc),
                cause: String::new(),
                suggested_action: None,
                suggested_patch: None,
                changes: vec![],
            });
        }
        if !reasons.is_empty()
            && let Some(f) = out.last_mut()
        {
            f.evidence
                .extend(reasons.iter().map(|r| format!("repair: {r}")));
            f.changes.push(FieldChange {
                object: format!("service/{name}"),
                container: None,
                init: false,
                field: "ports".into(),
                current: Value::Array(ports.clone()),
                proposed: Some(Value::Array(proposed)),
                basis: reasons.join("; "),
            });
        }
    }
    out
}
