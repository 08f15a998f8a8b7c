//! Pod analyzers, one per file: scheduling, then for each container image pulls and
//! container config (both can hold at once), then the first of OOM kills, liveness kills,
//! crash loops and failing readiness that explains the container.

use serde_json::Value;

use super::{Finding, Logs, Severity, events_for, owner_of, release_of};
use crate::repair::{FieldChange, what_changed};
use crate::snapshot::Snapshot;

mod container_config;
mod crash_loop;
mod evidence;
mod exits_zero;
mod forbidden;
mod image_pull;
mod last_good;
mod liveness;
mod log_errors;
mod missing_program;
mod oom_killed;
mod probe_paths;
mod readiness;
mod slow_start;
mod start_error;
mod unschedulable;

/// One container of one pod, with what the analyzers read about it.
pub(super) struct Container<'a> {
    snap: &'a Snapshot,
    logs: &'a Logs,
    pod: &'a Value,
    /// The pod's name.
    pod_name: &'a str,
    /// The workload at fault, e.g. `deployment/web`.
    owner: String,
    /// The pod's events, as lines.
    events: Vec<String>,
    /// The container's status.
    status: &'a Value,
    /// The container's spec.
    spec: Value,
    name: &'a str,
    /// One of the pod's init containers.
    init: bool,
    /// Why it is waiting, if it is (`CrashLoopBackOff`, …), and the message.
    waiting: &'a str,
    waiting_message: String,
    /// Its last termination (the current one of a container that ran once and ended).
    last: &'a Value,
    restarts: i64,
}

/// A check that may explain a container.
type Check = fn(&Container) -> Option<Finding>;

/// Checks that can each hold whatever else holds.
const INDEPENDENT: &[Check] = &[image_pull::check, container_config::check, forbidden::check];

/// Checks in order of how directly they name the cause; the first that holds explains it.
const EXCLUSIVE: &[Check] = &[
    start_error::check,
    oom_killed::check,
    liveness::check,
    exits_zero::check,
    crash_loop::check,
    readiness::check,
    log_errors::check,
];

/// Findings about pods.
pub fn analyze(snap: &Snapshot, logs: &Logs) -> Vec<Finding> {
    let mut out = Vec::new();
    for pod in &snap.pods {
        let pod_name = pod["metadata"]["name"].as_str().unwrap_or_default();
        // A pod being deleted is on its way out (a rollout's old pod stopping, failing its
        // readiness while it drains): what it shows is not a problem of now.
        if !pod["metadata"]["deletionTimestamp"].is_null() {
            continue;
        }
        let owner = owner_of(snap, pod);
        // A pod that is not scheduled has no containers to judge.
        if let Some(f) = unschedulable::check(snap, pod, &owner) {
            out.push(f);
            continue;
        }
        let events = events_for(snap, pod_name);
        let lists = [
            ("initContainerStatuses", "initContainers", true),
            ("containerStatuses", "containers", false),
        ];
        for (statuses, specs, init) in lists {
            for status in pod["status"][statuses].as_array().into_iter().flatten() {
                let name = status["name"].as_str().unwrap_or_default();
                let ended = &status["state"]["terminated"];
                // A finished init container is done, not broken.
                if init && ended["exitCode"] == 0 {
                    continue;
                }
                let last = match &status["lastState"]["terminated"] {
                    Value::Null if ended["exitCode"].as_i64().is_some_and(|c| c != 0) => ended,
                    l => l,
                };
                let c = Container {
                    snap,
                    logs,
                    pod,
                    pod_name,
                    owner: owner.clone(),
                    events: events.clone(),
                    status,
                    spec: pod["spec"][specs]
                        .as_array()
                        .and_then(|cs| cs.iter().find(|c| c["name"] == name))
                        .cloned()
                        .unwrap_or(Value::Null),
                    name,
                    init,
                    waiting: status["state"]["waiting"]["reason"]
                        .as_str()
                        .unwrap_or_default(),
                    waiting_message: status["state"]["waiting"]["message"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    last,
                    restarts: status["restartCount"].as_i64().unwrap_or(0),
                };
                out.extend(INDEPENDENT.iter().filter_map(|check| check(&c)));
                out.extend(EXCLUSIVE.iter().find_map(|check| check(&c)));
            }
        }
    }
    out
}

impl Container<'_> {
    /// A finding about this container's workload (every pod problem breaks the pod, so all
    /// are errors).
    fn finding(
        &self,
        id: &'static str,
        summary: String,
        evidence: Vec<String>,
        playbook: &'static str,
        changes: Vec<FieldChange>,
    ) -> Finding {
        finding(
            id,
            self.owner.clone(),
            summary,
            evidence,
            playbook,
            self.pod,
            changes,
        )
    }

    fn ready(&self) -> bool {
        self.status["ready"] == true
    }

    /// A change of one of this container's fields.
    fn change(
        &self,
        field: &str,
        current: Value,
        proposed: Option<Value>,
        basis: String,
    ) -> FieldChange {
        FieldChange {
            object: self.owner.clone(),
            container: Some(self.name.to_string()),
            init: self.init,
            field: field.to_string(),
            current,
            proposed,
            basis,
        }
    }
}

/// A pod problem (all of them break the pod, so all are errors).
fn finding(
    id: &'static str,
    object: String,
    summary: String,
    evidence: Vec<String>,
    playbook: &'static str,
    pod: &Value,
    changes: Vec<FieldChange>,
) -> Finding {
    Finding {
        id,
        severity: Severity::Error,
        object,
        summary,
        evidence,
        playbook,
        release: release_of(pod),
        cause: String::new(),
        suggested_action: None,
        suggested_patch: None,
        changes,
    }
}

/// For a failure that names no field (a crash, a probe the app itself fails): what the last
/// change did, reverted — for a Helm release, the values its latest revision changed when
/// that revision created the pod; otherwise the container fields that differ from the
/// Deployment's last ReplicaSet with Ready pods.
fn revert_the_last_change(snap: &Snapshot, pod: &Value, f: &mut Finding) {
    let Some(release) = f.release.clone() else {
        let back = last_good::changes_back_to_last_good(snap, pod, &f.object);
        if !back.is_empty() {
            // A field the evidence already names gets the last good value.
            f.changes.retain(|c| {
                !back
                    .iter()
                    .any(|b| b.container == c.container && b.field == c.field)
            });
            f.evidence.extend(back.iter().map(|b| {
                format!(
                    "repair: container {} {} back as {}",
                    b.container.as_deref().unwrap_or_default(),
                    b.field,
                    b.basis
                )
            }));
            f.changes.extend(back);
        }
        return;
    };
    let Some(latest) = snap.history.latest(&release) else {
        return;
    };
    // Seconds are what both clocks share (Helm writes fractions, the API server does not).
    let second = |t: &str| t.get(..19).unwrap_or(t).to_string();
    let created = pod["metadata"]["creationTimestamp"]
        .as_str()
        .unwrap_or_default();
    if latest.deployed_at.is_empty()
        || created.is_empty()
        || second(created) < second(&latest.deployed_at)
    {
        return;
    }
    let Some(revert) = what_changed(&snap.history, &release) else {
        return;
    };
    f.evidence.push(format!(
        "pod {} was created by revision {} of {release}, which changed its values",
        pod["metadata"]["name"].as_str().unwrap_or_default(),
        latest.number
    ));
    f.evidence
        .extend(revert.reasons.iter().map(|r| format!("repair: {r}")));
    f.suggested_patch = Some(revert.patch);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn liveness_pod(ready: bool) -> Snapshot {
        let pod = json!({
            "metadata": {"name": "web-1"},
            "spec": {"containers": [{"name": "app", "livenessProbe": {"failureThreshold": 1}}]},
            "status": {"containerStatuses": [{
                "name": "app", "ready": ready, "restartCount": 1,
                "state": {"running": {"startedAt": "2026-01-01T10:00:10Z"}},
                "lastState": {"terminated": {"reason": "Error", "exitCode": 137}}
            }]}
        });
        let kill = json!({
            "involvedObject": {"name": "web-1"}, "type": "Normal", "reason": "Killing",
            "message": "Container app failed liveness probe, will be restarted",
            "lastTimestamp": "2026-01-01T10:00:05Z"
        });
        Snapshot {
            pods: vec![pod],
            events: vec![kill],
            ..Default::default()
        }
    }

    #[test]
    fn a_container_ready_since_its_restart_leaves_no_liveness_finding() {
        let found = |snap: &Snapshot| {
            analyze(snap, &Logs::default())
                .iter()
                .any(|f| f.id == "liveness-failing")
        };
        assert!(
            !found(&liveness_pod(true)),
            "the kill was before the current start"
        );
        assert!(
            found(&liveness_pod(false)),
            "still not ready: the kill still counts"
        );
    }

    #[test]
    fn a_terminating_pod_leaves_no_finding() {
        let mut snap = liveness_pod(false);
        snap.pods[0]["metadata"]["deletionTimestamp"] = json!("2026-01-01T10:00:20Z");
        assert_eq!(analyze(&snap, &Logs::default()), Vec::<Finding>::new());
    }
}
