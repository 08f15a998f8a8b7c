//! `helm-release`: the latest revision of a Helm release failed or never finished.

use crate::analyzers::{Finding, Severity};
use crate::snapshot::Snapshot;

/// A finding per release whose latest revision is failed or pending.
pub fn analyze(snap: &Snapshot) -> Vec<Finding> {
    let mut out = Vec::new();
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
