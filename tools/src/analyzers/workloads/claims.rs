//! `claim-pending`: a PersistentVolumeClaim that stays Pending for a reason of its own — the
//! StorageClass it names does not exist, it names none and the cluster has no default, or its
//! provisioner says why. A claim waiting for its first pod (`WaitForFirstConsumer`) is normal
//! and stays silent.

use serde_json::Value;

use crate::analyzers::{Finding, Severity, events_for, release_of};
use crate::repair::FieldChange;
use crate::snapshot::Snapshot;

const DEFAULT_CLASS: &str = "storageclass.kubernetes.io/is-default-class";

fn name(o: &Value) -> &str {
    o["metadata"]["name"].as_str().unwrap_or_default()
}

/// The pods that mount `claim`.
fn users<'a>(snap: &'a Snapshot, claim: &str) -> Vec<&'a str> {
    snap.pods
        .iter()
        .filter(|p| {
            p["spec"]["volumes"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|v| v["persistentVolumeClaim"]["claimName"] == claim)
        })
        .map(name)
        .collect()
}

/// Findings about claims that cannot bind.
pub fn analyze(snap: &Snapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    for claim in snap
        .claims
        .iter()
        .filter(|c| c["status"]["phase"] == "Pending")
    {
        let cname = name(claim);
        let wanted = claim["spec"]["storageClassName"].as_str();
        let classes = snap.storage_classes.as_deref().unwrap_or_default();
        let class = |n: &str| classes.iter().find(|c| name(c) == n);
        let default = classes
            .iter()
            .find(|c| c["metadata"]["annotations"][DEFAULT_CLASS] == "true");
        let known = snap.storage_classes.is_some();
        let class_list = classes
            .iter()
            .map(|c| {
                let d = if c["metadata"]["annotations"][DEFAULT_CLASS] == "true" {
                    " (default)"
                } else {
                    ""
                };
                format!("{}{d}", name(c))
            })
            .collect::<Vec<_>>()
            .join(", ");
        let pods = users(snap, cname);
        let mut evidence: Vec<String> = events_for(snap, cname).into_iter().rev().take(3).collect();
        let existing = if class_list.is_empty() {
            "none exists".to_string()
        } else {
            class_list.clone()
        };
        let (summary, action, changes) = match wanted {
            Some(w) if known && !w.is_empty() && class(w).is_none() => (
                format!("claim {cname} asks for StorageClass {w:?}, which does not exist"),
                format!(
                    "a claim's storageClassName cannot be changed: delete claim {cname} and create it again with an existing class ({existing}), or create StorageClass {w}; it is unbound, so no data is lost"
                ),
                // The class the missing name most likely meant, to re-create it with.
                meant_class(w, classes, default)
                    .map(|(to, basis)| FieldChange {
                        init: false,
                        object: format!("persistentvolumeclaim/{cname}"),
                        container: None,
                        field: "storageClassName".into(),
                        current: Value::String(w.to_string()),
                        proposed: Some(Value::String(to)),
                        basis,
                    })
                    .into_iter()
                    .collect(),
            ),
            None if known && default.is_none() => (
                format!("claim {cname} names no StorageClass and the cluster has no default one"),
                format!(
                    "mark a StorageClass as the default, or create the claim again naming one ({existing})"
                ),
                vec![],
            ),
            _ => {
                let waits_for_pod = wanted
                    .and_then(class)
                    .or(default)
                    .is_some_and(|c| c["volumeBindingMode"] == "WaitForFirstConsumer");
                // Normal: it binds when a pod that mounts it is scheduled.
                if waits_for_pod || evidence.iter().all(|e| !e.contains("Failed")) {
                    continue;
                }
                (
                    format!("claim {cname} cannot be provisioned or bound"),
                    "read the claim's events: the provisioner says why".to_string(),
                    vec![],
                )
            }
        };
        if !class_list.is_empty() {
            evidence.push(format!("storage classes: {class_list}"));
        }
        if !pods.is_empty() {
            evidence.push(format!("mounted by pods: {}", pods.join(", ")));
        }
        out.push(Finding {
            id: "claim-pending",
            severity: if pods.is_empty() {
                Severity::Warning
            } else {
                Severity::Error
            },
            object: format!("persistentvolumeclaim/{cname}"),
            summary,
            evidence,
            playbook: "scheduling",
            release: release_of(claim),
            cause: String::new(),
            suggested_action: Some(action),
            suggested_patch: None,
            changes,
        });
    }
    out
}

/// The existing class a missing name meant: the one a few edits away (a typo), else the
/// cluster's default; with the reason.
fn meant_class(
    wanted: &str,
    classes: &[Value],
    default: Option<&Value>,
) -> Option<(String, String)> {
    let near = classes
        .iter()
        .map(|c| (strsim::levenshtein(wanted, name(c)), name(c)))
        .filter(|(d, n)| *d <= (n.len() / 4).max(2))
        .min_by_key(|(d, _)| *d);
    match (near, default) {
        (Some((d, n)), _) => Some((
            n.to_string(),
            format!("StorageClass {wanted:?} does not exist; {n:?} is {d} edit(s) from it"),
        )),
        (None, Some(c)) => Some((
            name(c).to_string(),
            format!(
                "StorageClass {wanted:?} does not exist; {:?} is the cluster's default",
                name(c)
            ),
        )),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn snap(claim_class: Option<&str>, mode: &str, events: Vec<Value>) -> Snapshot {
        let mut claim =
            json!({"metadata": {"name": "data"}, "spec": {}, "status": {"phase": "Pending"}});
        if let Some(c) = claim_class {
            claim["spec"]["storageClassName"] = json!(c);
        }
        Snapshot {
            claims: vec![claim],
            storage_classes: Some(vec![json!({
                "metadata": {"name": "standard", "annotations": {DEFAULT_CLASS: "true"}},
                "volumeBindingMode": mode
            })]),
            pods: vec![json!({"metadata": {"name": "web"}, "spec": {"volumes": [
                {"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]}})],
            events,
            ..Default::default()
        }
    }

    #[test]
    fn a_missing_class_is_named_with_the_ones_that_exist() {
        let f = analyze(&snap(Some("fast-ssd"), "Immediate", vec![]));
        assert_eq!(f.len(), 1);
        assert!(f[0].summary.contains("\"fast-ssd\""), "{}", f[0].summary);
        assert!(
            f[0].suggested_action
                .as_deref()
                .unwrap()
                .contains("standard (default)")
        );
        assert_eq!(f[0].severity, Severity::Error);
    }

    #[test]
    fn the_class_meant_is_the_near_one_else_the_default() {
        let proposed = |class: &str, classes: Vec<Value>| {
            let mut s = snap(Some(class), "Immediate", vec![]);
            s.storage_classes = Some(classes);
            analyze(&s)[0]
                .changes
                .iter()
                .map(|c| c.proposed.clone().unwrap_or_default())
                .collect::<Vec<_>>()
        };
        let class = |name: &str, default: bool| json!({"metadata": {"name": name, "annotations": {DEFAULT_CLASS: default.to_string()}}});
        let both = || vec![class("standard", true), class("fast-ssd", false)];
        assert_eq!(proposed("fast-sdd", both()), [json!("fast-ssd")], "a typo");
        assert_eq!(
            proposed("premium", both()),
            [json!("standard")],
            "the default"
        );
        assert!(
            proposed("premium", vec![class("fast-ssd", false)]).is_empty(),
            "no guess"
        );
    }

    #[test]
    fn waiting_for_the_first_pod_is_silent() {
        assert!(analyze(&snap(None, "WaitForFirstConsumer", vec![])).is_empty());
        assert!(analyze(&snap(Some("standard"), "Immediate", vec![])).is_empty());
    }
}
