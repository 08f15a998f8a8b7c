//! Pod deletion as the API server does it: a pod on a node that has not finished is not
//! removed at once but marked — `deletionTimestamp` (now + its grace period) and
//! `deletionGracePeriodSeconds` — and kubectl shows it Terminating. From that moment it
//! leaves its Services' endpoints and controllers stop counting it, while the kubelet runs
//! its preStop hook, sends SIGTERM and, when the grace period runs out, SIGKILL; once its
//! containers have stopped the kubelet removes it.

use serde_json::{Value, json};

use crate::resources::POD;
use crate::status::ApiError;
use crate::store::Store;

/// The grace period a deletion gives `pod` (`requested`: DeleteOptions'
/// `gracePeriodSeconds`): None when it goes at once — never scheduled, finished, or asked
/// with 0 (`kubectl delete --force --grace-period=0`).
pub fn grace_period(pod: &Value, requested: Option<i64>) -> Option<i64> {
    let finished = matches!(
        pod["status"]["phase"].as_str(),
        Some("Succeeded" | "Failed")
    );
    if !pod["spec"]["nodeName"].is_string() || finished {
        return None;
    }
    let grace = requested.unwrap_or_else(|| {
        pod["spec"]["terminationGracePeriodSeconds"]
            .as_i64()
            .unwrap_or(30)
    });
    (grace > 0).then_some(grace)
}

/// Whether `pod` is being deleted (Terminating).
pub fn terminating(pod: &Value) -> bool {
    pod["metadata"]["deletionTimestamp"].is_string()
}

/// Marks `pod` Terminating with `grace` seconds; a deletion that asks for less time than
/// one already under way shortens it, one that asks for more changes nothing.
pub fn mark(pod: &mut Value, grace: i64) {
    let current = pod["metadata"]["deletionGracePeriodSeconds"].as_i64();
    if current.is_some_and(|c| c <= grace) {
        return;
    }
    let at = std::time::SystemTime::now() + std::time::Duration::from_secs(grace.max(0) as u64);
    pod["metadata"]["deletionTimestamp"] = json!(crate::meta::rfc3339(at));
    pod["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
}

/// Deletes a pod: marked Terminating when it has a grace period, else removed. The pod as
/// it is afterwards.
pub fn delete_pod(
    store: &Store,
    ns: &str,
    name: &str,
    requested: Option<i64>,
) -> Result<Value, ApiError> {
    let pod = store.get(&POD, ns, name)?;
    match grace_period(&pod, requested) {
        None => store.delete(&POD, ns, name),
        Some(grace) => store.modify(&POD, ns, name, |p| {
            mark(p, grace);
            Ok(())
        }),
    }
}

/// Removes a Terminating pod whose containers have stopped (the kubelet's last word on it);
/// nothing when the pod of that name is another one or not terminating.
pub fn finish(store: &Store, ns: &str, name: &str, uid: &str) {
    if let Ok(pod) = store.get(&POD, ns, name)
        && pod["metadata"]["uid"] == uid
        && terminating(&pod)
    {
        let _ = store.delete(&POD, ns, name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(node: bool, phase: &str) -> Value {
        let mut p = json!({"metadata": {"name": "p"}, "spec": {"terminationGracePeriodSeconds": 20}, "status": {"phase": phase}});
        if node {
            p["spec"]["nodeName"] = json!("kubesim");
        }
        p
    }

    #[test]
    fn only_a_scheduled_unfinished_pod_gets_a_grace_period() {
        assert_eq!(grace_period(&pod(true, "Running"), None), Some(20));
        assert_eq!(grace_period(&pod(true, "Running"), Some(3)), Some(3));
        assert_eq!(
            grace_period(&pod(true, "Running"), Some(0)),
            None,
            "--force"
        );
        assert_eq!(grace_period(&pod(false, "Pending"), None), None);
        assert_eq!(grace_period(&pod(true, "Succeeded"), None), None);
        assert_eq!(grace_period(&pod(true, "Failed"), None), None);
    }

    #[test]
    fn a_second_deletion_may_shorten_the_grace_period_but_not_lengthen_it() {
        let mut p = pod(true, "Running");
        mark(&mut p, 20);
        assert!(terminating(&p));
        let first = p["metadata"]["deletionTimestamp"].clone();
        mark(&mut p, 30);
        assert_eq!(p["metadata"]["deletionGracePeriodSeconds"], 20);
        assert_eq!(p["metadata"]["deletionTimestamp"], first);
        mark(&mut p, 1);
        assert_eq!(p["metadata"]["deletionGracePeriodSeconds"], 1);
    }
}
