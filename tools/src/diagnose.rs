//! A diagnosis: snapshot, previous logs of crashing containers, analyzers.

use serde::Serialize;

use crate::analyzers::{self, Finding, Logs};
use crate::cluster::{Cluster, ClusterError};
use crate::snapshot::Snapshot;

/// The result of `diagnose`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[schemars(
    title = "todo-ops diagnose report",
    description = "The JSON shape of `todo-ops diagnose -o json` (stable: fields are only ever added)."
)]
pub struct Diagnosis {
    /// Namespace looked at.
    pub namespace: String,
    /// Pods seen.
    pub pods: usize,
    /// Problems found, errors first.
    pub findings: Vec<Finding>,
}

/// Narrows a diagnosis to one Helm release and/or one object (`KIND/NAME`).
#[derive(Debug, Clone, Default)]
pub struct Focus {
    /// Only findings of this release.
    pub release: Option<String>,
    /// Only findings about this object, e.g. `deployment/todo-backend`.
    pub resource: Option<String>,
}

impl Focus {
    fn keeps(&self, f: &Finding) -> bool {
        self.release
            .as_ref()
            .is_none_or(|r| f.release.as_ref() == Some(r))
            && self
                .resource
                .as_ref()
                .is_none_or(|r| f.object.eq_ignore_ascii_case(r))
    }
}

/// The JSON Schema of the report (`docs/diagnose.schema.json`).
pub fn schema() -> String {
    let mut s = serde_json::to_string_pretty(&schemars::schema_for!(Diagnosis)).unwrap_or_default();
    s.push('\n');
    s
}

/// [`diagnose`] narrowed by `focus`.
pub async fn diagnose_focused(c: &Cluster, focus: &Focus) -> Result<Diagnosis, ClusterError> {
    let mut d = diagnose(c).await?;
    d.findings.retain(|f| focus.keeps(f));
    Ok(d)
}

/// A snapshot of the namespace once its pods are decided (see [`crate::settle`]), or when
/// [`crate::settle::SETTLE_LIMIT`] has passed. The wait reads only pods and events; the
/// whole namespace (and its measurements) is read once, after it.
async fn settled_snapshot(
    c: &Cluster,
) -> Result<(Snapshot, crate::redact::Redactor), ClusterError> {
    let deadline = std::time::Instant::now() + crate::settle::SETTLE_LIMIT;
    loop {
        let seen = Snapshot::read_pods_and_events(c).await?;
        match crate::settle::undecided_for(&seen, seen.read_at) {
            Some(left) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(left.min(std::time::Duration::from_millis(500))).await;
            }
            _ => return Snapshot::read(c).await,
        }
    }
}

/// Reads the namespace (once its pods are decided) and runs every analyzer.
pub async fn diagnose(c: &Cluster) -> Result<Diagnosis, ClusterError> {
    let (snap, redactor) = settled_snapshot(c).await?;
    let logs = read_logs(c, &snap, &redactor).await;
    let findings = analyzers::analyze(&snap, &logs)
        .into_iter()
        .map(|mut f| {
            f.summary = redactor.redact(&f.summary);
            f.evidence = f.evidence.iter().map(|e| redactor.redact(e)).collect();
            for c in &mut f.changes {
                c.current = redactor.redact_json(c.current.take());
                c.proposed = c.proposed.take().map(|p| redactor.redact_json(p));
            }
            // A patch that would carry a Secret's value is never shown or applied: the
            // person is pointed at a rollback or the value instead.
            if let Some(p) = f.suggested_patch.take() {
                if redactor.redact_json(p.clone()) == p {
                    f.suggested_patch = Some(p);
                } else {
                    let r = f.release.as_deref().unwrap_or("");
                    f.suggested_action = Some(format!(
                        "the repair would restore a secret value, which is never shown: helm rollback {r} to the last revision that worked, or set the value in {r} yourself"
                    ));
                }
            }
            f
        })
        .collect();
    Ok(Diagnosis {
        namespace: snap.namespace,
        pods: snap.pods.len(),
        findings,
    })
}

/// Containers of the snapshot's pods that `keep` picks: (pod, container), at most `max`.
fn containers(
    snap: &Snapshot,
    keep: impl Fn(&serde_json::Value) -> bool,
    max: usize,
) -> Vec<(String, String)> {
    snap.pods
        .iter()
        .flat_map(|pod| {
            let name = pod["metadata"]["name"].as_str().unwrap_or_default();
            ["initContainerStatuses", "containerStatuses"]
                .iter()
                .flat_map(|list| pod["status"][*list].as_array().into_iter().flatten())
                .filter(|cs| keep(cs))
                .map(move |cs| {
                    let container = cs["name"].as_str().unwrap_or_default();
                    (name.to_string(), container.to_string())
                })
                .collect::<Vec<_>>()
        })
        .take(max)
        .collect()
}

/// What makes pods alike: the controller that made them, or, for pods no controller owns,
/// their labels and images.
fn template_of(pod: &serde_json::Value) -> String {
    let owner = pod["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["controller"] == true)
        .and_then(|o| o["uid"].as_str());
    if let Some(uid) = owner {
        return uid.to_string();
    }
    let labels: std::collections::BTreeMap<_, _> = pod["metadata"]["labels"]
        .as_object()
        .map(|m| m.iter().collect())
        .unwrap_or_default();
    let images: Vec<&str> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["image"].as_str())
        .collect();
    format!("{labels:?} {images:?}")
}

/// Running containers, one pod of each template: pods made alike log alike, so one read
/// per workload tells what they do, whatever the number of replicas or unrelated pods.
fn one_per_template(snap: &Snapshot, running: Vec<(String, String)>) -> Vec<(String, String)> {
    let templates: std::collections::HashMap<&str, String> = snap
        .pods
        .iter()
        .filter_map(|p| Some((p["metadata"]["name"].as_str()?, template_of(p))))
        .collect();
    let mut seen = std::collections::HashSet::new();
    running
        .into_iter()
        .filter(|(pod, container)| {
            let template = templates.get(pod.as_str()).cloned().unwrap_or_default();
            seen.insert((template, container.clone()))
        })
        .take(MAX_RUNNING_LOGS)
        .collect()
}

/// Running containers whose recent log is read, at most (one per template).
const MAX_RUNNING_LOGS: usize = 20;

/// How far back a running container's log counts as what it does now.
const RECENT_LOG_SECONDS: i64 = 120;

/// The previous log of restarted containers and the recent log of running ones, bounded
/// and read concurrently.
async fn read_logs(c: &Cluster, snap: &Snapshot, redactor: &crate::redact::Redactor) -> Logs {
    let restarted = containers(snap, |cs| cs["restartCount"].as_i64().unwrap_or(0) > 0, 20);
    // A container that ended with an error and is not restarted (a Job's pod): its one
    // run's log is its last words.
    let ended = containers(
        snap,
        |cs| {
            cs["restartCount"].as_i64().unwrap_or(0) == 0
                && cs["state"]["terminated"]["exitCode"]
                    .as_i64()
                    .is_some_and(|x| x != 0)
        },
        20,
    );
    let running = one_per_template(
        snap,
        containers(snap, |cs| cs["state"]["running"].is_object(), usize::MAX),
    );
    let previous = restarted
        .iter()
        .map(|(p, ct)| Snapshot::logs(c, redactor, p, ct, true, 20, None))
        .chain(
            ended
                .iter()
                .map(|(p, ct)| Snapshot::logs(c, redactor, p, ct, false, 20, None)),
        );
    let recent = running
        .iter()
        .map(|(p, ct)| Snapshot::logs(c, redactor, p, ct, false, 40, Some(RECENT_LOG_SECONDS)));
    let (previous, recent) = futures::future::join(
        futures::future::join_all(previous),
        futures::future::join_all(recent),
    )
    .await;
    let pair = |keys: Vec<(String, String)>, texts: Vec<Option<String>>| {
        keys.into_iter()
            .zip(texts)
            .filter_map(|(k, t)| t.map(|t| (k, t)))
            .collect()
    };
    Logs {
        previous: pair(restarted.into_iter().chain(ended).collect(), previous),
        recent: pair(running, recent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzers::Severity;

    fn f(object: &str, release: Option<&str>) -> Finding {
        Finding {
            id: "x",
            severity: Severity::Error,
            object: object.into(),
            summary: String::new(),
            evidence: vec![],
            playbook: "p",
            release: release.map(str::to_string),
            cause: String::new(),
            suggested_action: None,
            suggested_patch: None,
            changes: vec![],
        }
    }

    #[test]
    fn running_logs_are_read_once_per_template() {
        let pod = |name: &str, owner: Option<&str>, app: &str| {
            let owners = owner.map_or(
                serde_json::json!([]),
                |u| serde_json::json!([{"uid": u, "controller": true, "kind": "ReplicaSet"}]),
            );
            serde_json::json!({
                "metadata": {"name": name, "labels": {"app": app}, "ownerReferences": owners},
                "spec": {"containers": [{"name": "main", "image": format!("{app}:1")}]},
                "status": {"containerStatuses": [{"name": "main", "restartCount": 0,
                    "state": {"running": {}}}]}
            })
        };
        let snap = Snapshot {
            pods: vec![
                pod("web-a", Some("rs-1"), "web"),
                pod("web-b", Some("rs-1"), "web"),
                pod("web-c", Some("rs-2"), "web"),
                pod("lone-1", None, "lone"),
                pod("lone-2", None, "lone"),
                pod("other", None, "other"),
            ],
            ..Default::default()
        };
        let running = containers(&snap, |cs| cs["state"]["running"].is_object(), usize::MAX);
        let read: Vec<String> = one_per_template(&snap, running)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(read, ["web-a", "web-c", "lone-1", "other"]);
    }

    #[test]
    fn focus_by_release_and_resource() {
        let all = Focus::default();
        assert!(all.keeps(&f("deployment/a", None)));
        let rel = Focus {
            release: Some("todo-backend".into()),
            resource: None,
        };
        assert!(rel.keeps(&f("deployment/a", Some("todo-backend"))));
        assert!(!rel.keeps(&f("deployment/a", Some("todo-frontend"))));
        let res = Focus {
            release: None,
            resource: Some("Deployment/A".into()),
        };
        assert!(res.keeps(&f("deployment/a", None)));
        assert!(!res.keeps(&f("service/a", None)));
    }
}
