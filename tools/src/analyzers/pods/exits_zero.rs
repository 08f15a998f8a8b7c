//! `exits-zero`: a container that must keep running (its pod restarts it always) ends with
//! exit code 0 — its program finished as if its work were done, so the kubelet restarts it
//! forever. Not an error the app reports: its command or image runs a one-shot program
//! (a shell that ends, a build step, a `--version`), which a crash-loop reading misses.

use super::{Container, revert_the_last_change};
use crate::analyzers::Finding;

/// The finding when the container keeps finishing successfully where it should run.
pub(super) fn check(c: &Container) -> Option<Finding> {
    let restarts_always = c.pod["spec"]["restartPolicy"]
        .as_str()
        .is_none_or(|p| p == "Always");
    let finished_ok = c.last["exitCode"].as_i64() == Some(0);
    if !restarts_always || !finished_ok || c.restarts == 0 || c.ready() {
        return None;
    }
    let cname = c.name;
    let mut ev = vec![format!(
        "container {cname}: {} restarts, each time it exited 0 ({}) after running from {} to {}",
        c.restarts,
        c.last["reason"].as_str().unwrap_or("Completed"),
        c.last["startedAt"].as_str().unwrap_or("?"),
        c.last["finishedAt"].as_str().unwrap_or("?"),
    )];
    let program: Vec<String> = ["command", "args"]
        .iter()
        .filter_map(|k| c.spec[*k].as_array())
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    ev.push(if program.is_empty() {
        format!(
            "it runs the image's own entrypoint ({})",
            c.spec["image"].as_str().unwrap_or("?")
        )
    } else {
        format!("it runs {:?}", program.join(" "))
    });
    if let Some(log) = c.logs.get(c.pod_name, cname) {
        let lines: Vec<&str> = log.lines().collect();
        let tail = &lines[lines.len().saturating_sub(3)..];
        ev.extend(tail.iter().map(|l| format!("log: {l}")));
    }
    let mut f = c.finding(
        "exits-zero",
        format!(
            "container {cname} finishes successfully (exit 0) instead of running: its command ends as if its work were done, and the pod restarts it forever"
        ),
        ev,
        "crash-loop",
        vec![],
    );
    f.suggested_action = Some(format!(
        "make container {cname} run a long-lived process (a server, or a loop that keeps working); a one-shot task belongs in a Job, not in a {}",
        c.owner.split('/').next().unwrap_or("workload")
    ));
    revert_the_last_change(c.snap, c.pod, &mut f);
    Some(f)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::analyzers::Logs;
    use crate::analyzers::pods::analyze;
    use crate::snapshot::Snapshot;

    fn pod(restart_policy: &str, ready: bool, last: serde_json::Value) -> Snapshot {
        Snapshot {
            pods: vec![json!({
                "metadata": {"name": "worker-1", "namespace": "jobs"},
                "spec": {"restartPolicy": restart_policy, "containers": [
                    {"name": "app", "image": "busybox", "command": ["sh", "-c", "echo started"]}
                ]},
                "status": {"containerStatuses": [{
                    "name": "app", "ready": ready, "restartCount": 4,
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                    "lastState": {"terminated": last}
                }]}
            })],
            ..Default::default()
        }
    }

    #[test]
    fn a_server_that_finishes_is_named_as_such_not_as_a_crash() {
        let snap = pod(
            "Always",
            false,
            json!({"exitCode": 0, "reason": "Completed", "startedAt": "a", "finishedAt": "b"}),
        );
        let found = analyze(&snap, &Logs::default());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].id, "exits-zero");
        assert!(found[0].evidence.iter().any(|e| e.contains("echo started")));
        assert!(
            found[0]
                .suggested_action
                .as_deref()
                .is_some_and(|a| a.contains("Job"))
        );
    }

    #[test]
    fn jobs_and_error_exits_are_not_this() {
        let done = json!({"exitCode": 0, "reason": "Completed"});
        for snap in [
            pod("OnFailure", false, done.clone()),
            pod("Never", false, done),
        ] {
            assert!(
                analyze(&snap, &Logs::default())
                    .iter()
                    .all(|f| f.id != "exits-zero")
            );
        }
        let failed = analyze(
            &pod("Always", false, json!({"exitCode": 1, "reason": "Error"})),
            &Logs::default(),
        );
        assert!(failed.iter().all(|f| f.id != "exits-zero"), "{failed:?}");
    }
}
