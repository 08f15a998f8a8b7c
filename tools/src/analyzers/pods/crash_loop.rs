//! `crash-loop`: the container keeps exiting with an error; its last log lines say why, and
//! the release's latest revision is reverted when it created the pod.

use super::{Container, missing_program, revert_the_last_change};
use crate::analyzers::Finding;

/// The finding when the container is in CrashLoopBackOff or restarted after an error exit
/// and is not Ready.
pub(super) fn check(c: &Container) -> Option<Finding> {
    let (cname, restarts, last) = (c.name, c.restarts, c.last);
    let failed = last["exitCode"].as_i64().is_some_and(|x| x != 0) && !c.ready();
    // A container that is not restarted (a Job's pod, `restartPolicy: Never`) ended for good.
    let ended = restarts == 0
        && c.status["state"]["terminated"]["exitCode"]
            .as_i64()
            .is_some_and(|x| x != 0);
    let crashed = c.waiting == "CrashLoopBackOff" || (restarts > 0 && failed) || ended;
    if !crashed {
        return None;
    }
    let code = last["exitCode"].as_i64().unwrap_or(-1);
    let mut ev = vec![format!(
        "container {cname}: {restarts} restarts, last exit code {code} ({})",
        last["reason"].as_str().unwrap_or("")
    )];
    let cause = c.logs.get(c.pod_name, cname).and_then(|l| {
        let lines: Vec<&str> = l.lines().collect();
        for line in lines.iter().rev().take(5).rev() {
            ev.push(format!("log: {line}"));
        }
        lines
            .iter()
            .rev()
            .find(|l| {
                l.contains("ERROR") || l.contains("\"level\":\"ERROR\"") || l.contains("error")
            })
            .map(|l| l.to_string())
    });
    // The app's last words name the repair when we know them.
    let playbook = match cause.as_deref() {
        Some(l) if l.contains("BETTER_AUTH_SECRET is too short") => "auth-secret-short",
        Some(l) if l.contains("could not connect to the database") => "database-url-wrong",
        _ => "crash-loop",
    };
    let why = cause
        .map(|l| format!("; last error: {}", l.chars().take(240).collect::<String>()))
        .unwrap_or_default();
    let mut f = c.finding(
        "crash-loop",
        format!("container {cname} keeps exiting with code {code}{why}"),
        ev,
        playbook,
        vec![],
    );
    revert_the_last_change(c.snap, c.pod, &mut f);
    if let Some(program) = missing_program::not_found_in_shell(c) {
        f.evidence.push(format!(
            "exit code {code}: the container's shell could not run {program:?}, which its image does not have"
        ));
        if f.changes.is_empty() {
            f.changes = missing_program::typo_corrected(c, &program)
                .unwrap_or_else(|| missing_program::without_the_override(c, &program));
        }
    }
    Some(f)
}
