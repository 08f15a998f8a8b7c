//! Deployment and Service analyzers: scaled to zero, stuck rollouts, Services without
//! endpoints, a frontend pointing at a Service that does not exist.

use serde_json::{Value, json};

use super::{Finding, Severity, release_of};
use crate::repair::FieldChange;
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
                    object: format!("deployment/{name}"),
                    container: None,
                    field: "replicas".into(),
                    current: json!(0),
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
            out.push(Finding {
                id: "service-selector",
                severity: Severity::Error,
                object: format!("service/{name}"),
                summary: format!("service {name} selects no pod, so it has no endpoints"),
                evidence: vec![
                    format!("selector: {sel}"),
                    format!("pod labels present: {}", labels.join(", ")),
                ],
                playbook: "service-selector-wrong",
                release: release_of(svc),
                cause: String::new(),
                suggested_action: None,
                suggested_patch: None,
                changes: vec![],
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

/// Resilience and hygiene of the workloads: fewer than 2 replicas, unavailable replicas,
/// containers without limits or probes, pods that may run as root, Services whose
/// targetPort no pod exposes, and Helm releases left failed or pending.
pub fn hygiene(snap: &Snapshot) -> Vec<Finding> {
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
                format!("deployment {name} runs 1 replica; the resilience rule is at least 2"),
                vec!["spec.replicas=1".into()],
                "scale",
                d,
                vec![FieldChange {
                    object: object.clone(),
                    container: None,
                    field: "replicas".into(),
                    current: json!(1),
                    proposed: Some(json!(2)),
                    basis: "the resilience rule: at least 2 replicas".into(),
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
    // Helm keeps each release revision in a Secret labelled owner=helm, name, version, status.
    let mut latest: std::collections::BTreeMap<String, (i64, String)> =
        std::collections::BTreeMap::new();
    for s in snap
        .secrets
        .iter()
        .filter(|s| s["metadata"]["labels"]["owner"] == "helm")
    {
        let l = &s["metadata"]["labels"];
        let (Some(rel), Some(v), Some(st)) = (
            l["name"].as_str(),
            l["version"].as_str().and_then(|v| v.parse::<i64>().ok()),
            l["status"].as_str(),
        ) else {
            continue;
        };
        if latest.get(rel).is_none_or(|(lv, _)| v > *lv) {
            latest.insert(rel.to_string(), (v, st.to_string()));
        }
    }
    for (rel, (v, st)) in latest {
        if st == "failed" || st.starts_with("pending") {
            out.push(Finding {
                id: "helm-release",
                severity: Severity::Error,
                object: format!("release/{rel}"),
                summary: format!("Helm release {rel} revision {v} is {st}"),
                evidence: vec![format!("helm history {rel}: revision {v} status {st}")],
                playbook: "rollback",
                release: Some(rel.clone()),
                cause: String::new(),
                suggested_action: None,
                suggested_patch: None,
                changes: vec![],
            });
        }
    }
    out
}
