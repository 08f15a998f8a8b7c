//! Drift: objects a Helm release rendered that were deleted or edited outside Helm. The
//! release's own manifest (from its storage Secret) is compared with the live objects; the
//! repair re-applies the release with its current values, which restores every one of them,
//! and removes container fields someone else added that the release never rendered.

mod added;

use serde_json::{Value, json};

use super::{Finding, Severity};
use crate::repair::same;
use crate::snapshot::Snapshot;

/// Drift findings for every release whose latest revision installed.
pub fn analyze(snap: &Snapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut releases: Vec<&str> = snap.history.0.iter().map(|r| r.release.as_str()).collect();
    releases.dedup();
    for release in releases {
        let Some(latest) = snap.history.latest(release).filter(|r| r.succeeded()) else {
            continue;
        };
        for rendered in &latest.objects {
            let kind = rendered["kind"].as_str().unwrap_or_default();
            let name = rendered["metadata"]["name"].as_str().unwrap_or_default();
            let ns = rendered["metadata"]["namespace"]
                .as_str()
                .unwrap_or(&snap.namespace);
            let Some(live_objects) = live_of(snap, kind).filter(|_| ns == snap.namespace) else {
                continue;
            };
            let object = format!("{}/{name}", kind.to_ascii_lowercase());
            let finding = |severity, summary: String, evidence: Vec<String>| Finding {
                id: "drift",
                severity,
                object: object.clone(),
                summary,
                cause: String::new(),
                evidence,
                playbook: "drift",
                release: Some(release.to_string()),
                // The empty patch: helm upgrade with the current values re-applies it all.
                suggested_patch: Some(json!({})),
                suggested_action: None,
                changes: vec![],
            };
            match live_objects.iter().find(|o| o["metadata"]["name"] == name) {
                None => out.push(finding(
                    Severity::Error,
                    format!("{kind} {name} of release {release} is missing: it was deleted outside Helm"),
                    vec![format!(
                        "release {release} revision {} renders {kind} {name}; the namespace has none",
                        latest.number
                    )],
                )),
                Some(live) => {
                    let diffs = differences(kind, rendered, live, managed_replicas(latest, name));
                    let added = if kind == "Deployment" {
                        added::added_container_fields(&object, rendered, live)
                    } else {
                        Vec::new()
                    };
                    if !diffs.is_empty() || !added.is_empty() {
                        let mut evidence = vec![format!(
                            "live {kind} {name} differs from what release {release} revision {} renders:",
                            latest.number
                        )];
                        let diffs_shown = diffs.len();
                        evidence.extend(diffs.into_iter().take(8));
                        evidence.extend(added.iter().map(|c| {
                            format!(
                                "spec.template.spec.containers[{}].{}: live {} ({})",
                                c.container.as_deref().unwrap_or_default(),
                                c.field,
                                c.current,
                                c.basis
                            )
                        }));
                        let mut f = finding(
                            Severity::Warning,
                            format!("{kind} {name} of release {release} was edited outside Helm"),
                            evidence,
                        );
                        // Re-applying the release does not remove what it never rendered:
                        // when that is all there is, the repair is the removal alone.
                        if diffs_shown == 0 {
                            f.suggested_patch = None;
                        }
                        f.changes = added;
                        out.push(f);
                    }
                }
            }
        }
    }
    out
}

/// The live objects of a kind the snapshot reads; None for kinds it does not.
fn live_of<'a>(snap: &'a Snapshot, kind: &str) -> Option<&'a [Value]> {
    Some(match kind {
        "Deployment" => &snap.deployments,
        "Service" => &snap.services,
        "ConfigMap" => &snap.configmaps,
        "Secret" => &snap.secrets,
        _ => return None,
    })
}

/// Whether the release sets the Deployment's replicas itself (no autoscaler of its own
/// manages them), so a different live count is drift.
fn managed_replicas(rev: &crate::release_history::Revision, deployment: &str) -> bool {
    !rev.objects.iter().any(|o| {
        o["kind"] == "HorizontalPodAutoscaler" && o["spec"]["scaleTargetRef"]["name"] == deployment
    })
}

/// The rendered fields the live object does not have as rendered, as `path: rendered X, live Y`.
fn differences(kind: &str, rendered: &Value, live: &Value, replicas: bool) -> Vec<String> {
    let mut out = Vec::new();
    match kind {
        "ConfigMap" => subset("data", &rendered["data"], &live["data"], &mut out),
        "Service" => {
            subset(
                "spec.selector",
                &rendered["spec"]["selector"],
                &live["spec"]["selector"],
                &mut out,
            );
            subset(
                "spec.ports",
                &rendered["spec"]["ports"],
                &live["spec"]["ports"],
                &mut out,
            );
        }
        "Deployment" => {
            if replicas {
                subset(
                    "spec.replicas",
                    &rendered["spec"]["replicas"],
                    &live["spec"]["replicas"],
                    &mut out,
                );
            }
            let containers = "spec.template.spec.containers";
            let r = &rendered["spec"]["template"]["spec"]["containers"];
            let l = &live["spec"]["template"]["spec"]["containers"];
            subset(containers, r, l, &mut out);
        }
        // A snapshot keeps a Secret's keys only: a key the release renders must be there.
        "Secret" => {
            let keys = |v: &Value| -> Vec<String> {
                v.as_object()
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default()
            };
            let mut rendered_keys = keys(&rendered["data"]);
            rendered_keys.extend(keys(&rendered["stringData"]));
            for k in rendered_keys {
                if !live["data"]
                    .as_array()
                    .is_some_and(|l| l.iter().any(|x| x == k.as_str()))
                {
                    out.push(format!("data.{k}: rendered, missing live"));
                }
            }
        }
        _ => {}
    }
    out
}

/// Every leaf of `rendered` that `live` lacks or has otherwise; list items are matched by
/// `name` when they have one, else by position.
fn subset(path: &str, rendered: &Value, live: &Value, out: &mut Vec<String>) {
    match rendered {
        Value::Null => {}
        Value::Object(m) => {
            for (k, v) in m {
                subset(&format!("{path}.{k}"), v, &live[k.as_str()], out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let name = item["name"].as_str();
                let other = match name {
                    Some(n) => live
                        .as_array()
                        .and_then(|l| l.iter().find(|x| x["name"] == n))
                        .unwrap_or(&Value::Null),
                    None => &live[i],
                };
                let label = name.map_or_else(|| i.to_string(), str::to_string);
                subset(&format!("{path}[{label}]"), item, other, out);
            }
        }
        leaf => {
            if !same(leaf, live) {
                let shown = |v: &Value| {
                    if v.is_null() {
                        "nothing".to_string()
                    } else {
                        v.to_string()
                    }
                };
                out.push(format!("{path}: rendered {leaf}, live {}", shown(live)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release_history::{History, Revision};

    fn history(objects: Vec<Value>) -> History {
        History(vec![Revision {
            release: "web".into(),
            number: 3,
            status: "deployed".into(),
            chart: "web".into(),
            config: json!({}),
            defaults: json!({}),
            objects,
            deployed_at: String::new(),
        }])
    }

    fn deployment(image: &str, replicas: i64) -> Value {
        json!({"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": replicas, "template": {"spec": {"containers": [
            {"name": "app", "image": image, "resources": {"limits": {"cpu": "0.5"}}, "ports": [{"containerPort": 80}]}
        ]}}}})
    }

    #[test]
    fn a_release_that_matches_the_cluster_is_silent() {
        let svc = json!({"kind": "Service", "metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]}});
        let mut live_svc = svc.clone();
        live_svc["spec"]["clusterIP"] = json!("10.0.0.1");
        let mut live_dep = deployment("web:1", 2);
        live_dep["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] =
            json!("500m");
        live_dep["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] =
            json!("IfNotPresent");
        let snap = Snapshot {
            namespace: "default".into(),
            services: vec![live_svc],
            deployments: vec![live_dep],
            history: history(vec![svc, deployment("web:1", 2)]),
            ..Default::default()
        };
        assert_eq!(analyze(&snap), vec![]);
    }

    #[test]
    fn deleted_and_edited_objects_are_drift_with_the_re_apply_repair() {
        let cm = json!({"kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"MODE": "a"}});
        let svc = json!({"kind": "Service", "metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}}});
        let snap = Snapshot {
            namespace: "default".into(),
            configmaps: vec![json!({"metadata": {"name": "cfg"}, "data": {"MODE": "b"}})],
            deployments: vec![deployment("web:typo", 0)],
            history: history(vec![cm, svc, deployment("web:1", 2)]),
            ..Default::default()
        };
        let f = analyze(&snap);
        let ids: Vec<(&str, Severity)> =
            f.iter().map(|f| (f.object.as_str(), f.severity)).collect();
        assert_eq!(
            ids,
            [
                ("configmap/cfg", Severity::Warning),
                ("service/web", Severity::Error),
                ("deployment/web", Severity::Warning),
            ]
        );
        assert!(f.iter().all(|f| f.suggested_patch == Some(json!({}))));
        let dep = f[2].evidence.join("\n");
        assert!(
            dep.contains("spec.replicas: rendered 2, live 0")
                && dep.contains("image: rendered \"web:1\", live \"web:typo\""),
            "{dep}"
        );
    }

    #[test]
    fn replicas_an_autoscaler_manages_are_not_drift() {
        let hpa = json!({"kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"}, "spec": {"scaleTargetRef": {"name": "web"}}});
        let snap = Snapshot {
            namespace: "default".into(),
            deployments: vec![deployment("web:1", 5)],
            history: history(vec![hpa, deployment("web:1", 2)]),
            ..Default::default()
        };
        assert_eq!(analyze(&snap), vec![]);
    }
}
