//! Pods whose kubelet has not decided yet: just started, not Ready, with nothing against
//! them so far, and younger than their probes need to pass or fail. A diagnosis taken then
//! sees no evidence and would blame the wrong thing (one replica, nothing at all), so
//! `diagnose` waits for the evidence first — until each such pod is Ready, shows a failure,
//! or is past the time its probes take to decide.

use std::time::Duration;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::Value;

use crate::snapshot::Snapshot;

/// The most `diagnose` waits for pods to be decided.
pub const SETTLE_LIMIT: Duration = Duration::from_secs(60);

/// Waiting reasons of a container on its way to running, which say nothing yet.
const STARTING: [&str; 2] = ["ContainerCreating", "PodInitializing"];

/// Unix seconds of an API timestamp.
pub(crate) fn seconds(t: &Value) -> Option<i64> {
    serde_json::from_value::<Time>(t.clone())
        .ok()
        .map(|t| t.0.as_second())
}

/// How long the kubelet takes to decide on a probe: its initial delay and enough periods
/// to reach its failure threshold (the API's defaults where unset).
pub(crate) fn decision_seconds(probe: &Value) -> i64 {
    if !probe.is_object() {
        return 0;
    }
    let n = |k: &str, d: i64| probe[k].as_i64().unwrap_or(d);
    n("initialDelaySeconds", 0) + n("periodSeconds", 10) * n("failureThreshold", 3)
}

/// Whether an event in the snapshot already speaks against the pod.
fn has_warning(snap: &Snapshot, pod: &str) -> bool {
    snap.events.iter().any(|e| {
        e["type"] == "Warning"
            && e["involvedObject"]["kind"] == "Pod"
            && e["involvedObject"]["name"] == pod
    })
}

/// How much longer the slowest undecided pod of `snap` needs at `now` (Unix seconds); None
/// when every pod is decided.
pub fn undecided_for(snap: &Snapshot, now: i64) -> Option<Duration> {
    let mut longest: Option<i64> = None;
    for pod in &snap.pods {
        let name = pod["metadata"]["name"].as_str().unwrap_or_default();
        if !pod["metadata"]["deletionTimestamp"].is_null() || has_warning(snap, name) {
            continue;
        }
        let specs = pod["spec"]["containers"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for cs in pod["status"]["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if cs["ready"] == true || cs["restartCount"].as_i64().unwrap_or(0) > 0 {
                continue;
            }
            let waiting = cs["state"]["waiting"]["reason"].as_str();
            let started = match waiting {
                Some(r) if STARTING.contains(&r) => seconds(&pod["metadata"]["creationTimestamp"]),
                Some(_) => continue,
                None => seconds(&cs["state"]["running"]["startedAt"]),
            };
            let Some(started) = started else { continue };
            let spec = specs.iter().find(|c| c["name"] == cs["name"]);
            let decides = spec.map_or(0, |c| {
                decision_seconds(&c["readinessProbe"])
                    .max(decision_seconds(&c["startupProbe"]))
                    .max(decision_seconds(&c["livenessProbe"]))
            });
            // Pulling and starting a container takes a moment even without probes.
            let left = started + decides.max(5) - now;
            if left > 0 {
                longest = Some(longest.map_or(left, |l| l.max(left)));
            }
        }
    }
    longest.map(|s| Duration::from_secs(s.unsigned_abs()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_780_000_000;

    fn at(s: i64) -> String {
        Time(k8s_openapi::jiff::Timestamp::from_second(s).unwrap())
            .0
            .to_string()
    }

    fn pod(started_ago: i64, status: Value) -> Snapshot {
        Snapshot {
            pods: vec![json!({
                "metadata": {"name": "web-1", "creationTimestamp": at(NOW - started_ago)},
                "spec": {"containers": [{"name": "web", "readinessProbe":
                    {"httpGet": {"path": "/ready", "port": 80}, "initialDelaySeconds": 5, "periodSeconds": 5}}]},
                "status": {"containerStatuses": [status]}
            })],
            ..Default::default()
        }
    }

    fn running(started_ago: i64, ready: bool, restarts: i64) -> Value {
        json!({"name": "web", "ready": ready, "restartCount": restarts,
               "state": {"running": {"startedAt": at(NOW - started_ago)}}})
    }

    #[test]
    fn a_pod_its_probes_have_not_judged_yet_is_waited_for() {
        // 5 s delay + 3 × 5 s: 20 s to decide; 2 s in, 18 s are left.
        let young = pod(2, running(2, false, 0));
        assert_eq!(undecided_for(&young, NOW), Some(Duration::from_secs(18)));
        let creating = pod(
            1,
            json!({"name": "web", "ready": false, "restartCount": 0,
            "state": {"waiting": {"reason": "ContainerCreating"}}}),
        );
        assert_eq!(undecided_for(&creating, NOW), Some(Duration::from_secs(19)));
    }

    #[test]
    fn evidence_or_time_decides_a_pod() {
        for decided in [
            pod(2, running(2, true, 0)),
            pod(60, running(60, false, 0)),
            pod(2, running(2, false, 1)),
            pod(
                2,
                json!({"name": "web", "ready": false, "restartCount": 0,
                "state": {"waiting": {"reason": "ErrImagePull"}}}),
            ),
        ] {
            assert_eq!(undecided_for(&decided, NOW), None, "{:?}", decided.pods);
        }
        let mut warned = pod(2, running(2, false, 0));
        warned
            .events
            .push(json!({"type": "Warning", "reason": "Unhealthy",
            "involvedObject": {"kind": "Pod", "name": "web-1"}}));
        assert_eq!(undecided_for(&warned, NOW), None);
    }
}
