//! Resilience and hygiene of Deployments (warnings): fewer than 2 replicas, unavailable
//! replicas, containers without limits or probes, containers that may run as root.

use serde_json::{Value, json};

use crate::analyzers::{Finding, Severity, release_of};
use crate::repair::FieldChange;
use crate::snapshot::Snapshot;

/// The resilience rule the spec states (a policy, not a measurement): one replica means
/// any restart takes the service down.
pub const MIN_REPLICAS: i64 = 2;

/// Hygiene findings about every Deployment.
pub fn analyze(snap: &Snapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    let warn = |id: &'static str,
                object: String,
                summary: String,
                evidence: Vec<String>,
                playbook: &'static str,
                obj: &Value,
                changes: Vec<FieldChange>| Finding {
        id,
        severity: Severity::Warning,
        object,
        summary,
        evidence,
        playbook,
        release: release_of(obj),
        cause: String::new(),
        suggested_action: None,
        suggested_patch: None,
        changes,
    };
    for d in &snap.deployments {
        let name = d["metadata"]["name"].as_str().unwrap_or_default();
        let object = format!("deployment/{name}");
        let want = d["spec"]["replicas"].as_i64().unwrap_or(1);
        let available = d["status"]["availableReplicas"].as_i64().unwrap_or(0);
        if want == 1 {
            out.push(warn(
                "single-replica",
                object.clone(),
                format!(
                    "deployment {name} runs 1 replica; the resilience rule is at least {MIN_REPLICAS}"
                ),
                vec!["spec.replicas=1".into()],
                "scale",
                d,
                vec![FieldChange {
                    init: false,
                    object: object.clone(),
                    container: None,
                    field: "replicas".into(),
                    current: json!(want),
                    proposed: Some(json!(MIN_REPLICAS)),
                    basis: format!("the resilience rule: at least {MIN_REPLICAS} replicas"),
                }],
            ));
        }
        if want > 0 && available < want {
            out.push(warn(
                "replicas-unavailable",
                object.clone(),
                format!("deployment {name} has {available} of {want} replicas available"),
                vec![format!("status: {}", d["status"])],
                "diagnose",
                d,
                vec![],
            ));
        }
        let tpl = &d["spec"]["template"];
        let pod_sc = &tpl["spec"]["securityContext"];
        for c in tpl["spec"]["containers"].as_array().into_iter().flatten() {
            let cname = c["name"].as_str().unwrap_or_default();
            if c["resources"]["limits"]["memory"].is_null()
                || c["resources"]["limits"]["cpu"].is_null()
            {
                out.push(warn(
                    "missing-limits",
                    object.clone(),
                    format!("container {cname} has no CPU or memory limit"),
                    vec![format!("resources: {}", c["resources"])],
                    "resources",
                    d,
                    vec![],
                ));
            }
            if c["readinessProbe"].is_null() || c["livenessProbe"].is_null() {
                out.push(warn(
                    "missing-probes",
                    object.clone(),
                    format!("container {cname} lacks a readiness or liveness probe"),
                    vec![],
                    "probes",
                    d,
                    vec![],
                ));
            }
            let non_root = c["securityContext"]["runAsNonRoot"] == true
                || pod_sc["runAsNonRoot"] == true
                || c["securityContext"]["runAsUser"]
                    .as_i64()
                    .or(pod_sc["runAsUser"].as_i64())
                    .is_some_and(|u| u > 0);
            if !non_root {
                out.push(warn(
                    "may-run-as-root",
                    object.clone(),
                    format!("container {cname} may run as root (no runAsNonRoot or runAsUser)"),
                    vec![format!("securityContext: {}", c["securityContext"])],
                    "security",
                    d,
                    vec![],
                ));
            }
        }
    }
    out
}
