//! `start-error`: the container runtime cannot start the container's process — its
//! `command` names a program the image does not have, or the file cannot be executed. The
//! runtime's message says which; the release's latest revision is reverted when it created
//! the pod.

use serde_json::Value;

use super::{Container, missing_program, revert_the_last_change};
use crate::analyzers::Finding;
use crate::repair::FieldChange;

/// The reasons a runtime gives for a process it could not start.
const START_FAILURES: [&str; 3] = ["RunContainerError", "StartError", "ContainerCannotRun"];

/// The finding when the container's process could not be started.
pub(super) fn check(c: &Container) -> Option<Finding> {
    let last_reason = c.last["reason"].as_str().unwrap_or_default();
    let (reason, message) = if START_FAILURES.contains(&c.waiting) {
        (c.waiting, c.waiting_message.clone())
    } else if START_FAILURES.contains(&last_reason) && !c.ready() {
        (
            last_reason,
            c.last["message"].as_str().unwrap_or_default().to_string(),
        )
    } else {
        return None;
    };
    let cname = c.name;
    // What the runtime could not execute, as it quotes it: exec: "NAME": …
    let program = message
        .split("exec: \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_string);
    let mut changes = Vec::new();
    if let (Some(program), Some(command)) = (&program, c.spec["command"].as_array())
        && command.first().and_then(Value::as_str) == Some(program.as_str())
    {
        changes.push(FieldChange {
            init: c.init,
            object: c.owner.clone(),
            container: Some(cname.to_string()),
            field: "command".into(),
            current: Value::Array(command.clone()),
            proposed: None,
            basis: format!("the runtime cannot execute {program:?}"),
        });
    }
    let what = program
        .as_ref()
        .map(|p| format!("cannot execute {p:?}"))
        .unwrap_or_else(|| "cannot be started".into());
    let mut f = c.finding(
        "start-error",
        format!("container {cname} {what}: its process never started"),
        vec![format!("container {cname}: {reason}: {message}")],
        "crash-loop",
        changes,
    );
    revert_the_last_change(c.snap, c.pod, &mut f);
    if let Some(program) = &program
        && f.changes.iter().all(|ch| ch.proposed.is_none())
    {
        f.changes = missing_program::typo_corrected(c, program)
            .unwrap_or_else(|| missing_program::without_the_override(c, program));
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::analyzers::Logs;
    use crate::analyzers::pods::analyze;
    use crate::snapshot::Snapshot;

    fn pod(command: serde_json::Value, state: serde_json::Value) -> Snapshot {
        Snapshot {
            pods: vec![json!({
                "metadata": {"name": "web-1", "namespace": "shop"},
                "spec": {"containers": [{"name": "app", "image": "web:1", "command": command}]},
                "status": {"containerStatuses": [{
                    "name": "app", "ready": false, "restartCount": 0, "state": state,
                    "lastState": {}
                }]}
            })],
            ..Default::default()
        }
    }

    #[test]
    fn a_command_the_runtime_cannot_execute_is_named_with_the_field() {
        let msg = "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"gunicron\": executable file not found in $PATH: unknown";
        let snap = pod(
            json!(["gunicron", "app:main"]),
            json!({"waiting": {"reason": "RunContainerError", "message": msg}}),
        );
        let found = analyze(&snap, &Logs::default());
        let f = found
            .iter()
            .find(|f| f.id == "start-error")
            .expect("a start error is found");
        assert!(
            f.summary.contains("cannot execute \"gunicron\""),
            "{}",
            f.summary
        );
        assert_eq!(f.changes[0].field, "command");
        // Without an earlier revision, the image's own entrypoint is what is left.
        assert_eq!(f.changes[0].proposed, Some(serde_json::Value::Null));
        assert!(f.evidence[0].contains("executable file not found"));
        // Running, the same pod says nothing.
        let healthy = pod(
            json!(["gunicorn"]),
            json!({"running": {"startedAt": "2026-01-01T10:00:00Z"}}),
        );
        assert!(
            analyze(&healthy, &Logs::default())
                .iter()
                .all(|f| f.id != "start-error")
        );
    }
}
