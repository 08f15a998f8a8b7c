//! `liveness-failing`: the kubelet keeps killing the container for its liveness probe. When
//! the app's own log shows trouble the probe is the messenger and the revision that changed
//! the values is reverted; otherwise the probe's timing is what to change.

use super::evidence::probe_timing;
use super::{Container, probe_paths, revert_the_last_change, slow_start};
use crate::analyzers::{Finding, events_since};

/// The finding when liveness kills happened since the container last started.
pub(super) fn check(c: &Container) -> Option<Finding> {
    let (cname, restarts) = (c.name, c.restarts);
    // A container that is Ready again is judged only by what happened since it started:
    // kills before that are history, not a finding.
    let current_events = if c.ready() {
        events_since(
            c.snap,
            c.pod_name,
            c.status["state"]["running"]["startedAt"].as_str(),
        )
    } else {
        c.events.clone()
    };
    let mut ev: Vec<String> = current_events
        .iter()
        .filter(|e| e.contains("failed liveness probe"))
        .cloned()
        .collect();
    if ev.is_empty() {
        return None;
    }
    ev.extend(
        c.events
            .iter()
            .filter(|e| e.contains("Liveness probe failed"))
            .take(2)
            .cloned(),
    );
    let complaint = c.logs.get(c.pod_name, cname).and_then(|l| {
        l.lines()
            .rev()
            .find(|l| l.contains("WARN") || l.contains("ERROR"))
            .map(str::to_string)
    });
    let (summary, changes) = match &complaint {
        Some(line) => {
            ev.push(format!("log: {line}"));
            (
                format!(
                    "container {cname} is restarted by its liveness probe before it serves; its log says: {}",
                    line.chars().take(240).collect::<String>()
                ),
                vec![],
            )
        }
        None => {
            // A probe that gets a client error from a server that answers elsewhere has
            // the wrong path; otherwise its timing is what to change.
            let failures: Vec<String> = c
                .events
                .iter()
                .filter(|e| e.contains("Liveness probe failed"))
                .cloned()
                .collect();
            let paths = probe_paths::measured(c);
            let changes = if let Some(port) = slow_start::wrong_port(c, "livenessProbe") {
                vec![port]
            } else if let Some(startup) = slow_start::startup_probe(c, &failures) {
                vec![startup]
            } else if paths.is_empty() {
                probe_timing(&c.owner, cname, &c.spec["livenessProbe"], "livenessProbe")
            } else {
                paths
            };
            (
                format!(
                    "container {cname} is restarted by its liveness probe ({restarts} restarts)"
                ),
                changes,
            )
        }
    };
    let mut f = c.finding(
        "liveness-failing",
        summary,
        ev,
        "liveness-too-aggressive",
        changes,
    );
    if complaint.is_some() {
        revert_the_last_change(c.snap, c.pod, &mut f);
    }
    Some(f)
}
