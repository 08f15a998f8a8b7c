//! Pod analyzers: image pulls, container config, crashes, OOM kills, probes, scheduling.

use serde_json::{Value, json};

use super::{Finding, Logs, Severity, events_for, events_since, owner_of, release_of};
use crate::repair::{FieldChange, what_changed};
use crate::snapshot::Snapshot;

mod evidence;
use evidence::{config_ref, last_good_image, requests_that_fit};

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

/// For a failure that names no field (a crash, a probe the app itself fails): when the pod
/// was created by the release's latest revision, that revision's values changes, reverted.
fn revert_what_the_revision_changed(snap: &Snapshot, pod: &Value, f: &mut Finding) {
    let Some(release) = f.release.clone() else {
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

/// Findings about pods.
pub fn analyze(snap: &Snapshot, logs: &Logs) -> Vec<Finding> {
    let mut out = Vec::new();
    for pod in &snap.pods {
        let name = pod["metadata"]["name"].as_str().unwrap_or_default();
        let owner = owner_of(snap, pod);
        let events = events_for(snap, name);
        // Scheduling.
        let unschedulable = pod["status"]["conditions"]
            .as_array()
            .and_then(|c| {
                c.iter()
                    .find(|c| c["type"] == "PodScheduled" && c["status"] == "False")
            })
            .cloned();
        if let Some(c) = unschedulable {
            let msg = c["message"].as_str().unwrap_or_default().to_string();
            let changes = requests_that_fit(snap, pod, &owner, &msg);
            out.push(finding(
                "unschedulable",
                owner.clone(),
                format!("pod {name} cannot be scheduled: {msg}"),
                vec![format!(
                    "PodScheduled=False ({}): {msg}",
                    c["reason"].as_str().unwrap_or("")
                )],
                "requests-too-large",
                pod,
                changes,
            ));
            continue;
        }
        for cs in pod["status"]["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let cname = cs["name"].as_str().unwrap_or_default();
            let spec = pod["spec"]["containers"]
                .as_array()
                .and_then(|c| c.iter().find(|c| c["name"] == cname))
                .cloned()
                .unwrap_or(Value::Null);
            let waiting = cs["state"]["waiting"]["reason"]
                .as_str()
                .unwrap_or_default();
            let wmsg = cs["state"]["waiting"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let last = &cs["lastState"]["terminated"];
            let restarts = cs["restartCount"].as_i64().unwrap_or(0);
            match waiting {
                "ErrImagePull" | "ImagePullBackOff" | "ErrImageNeverPull" => {
                    let image = spec["image"].as_str().unwrap_or_default();
                    let mut ev = vec![format!("container {cname}: {waiting}: {wmsg}")];
                    ev.extend(
                        events
                            .iter()
                            .filter(|e| e.contains("Failed") || e.contains("BackOff"))
                            .take(3)
                            .cloned(),
                    );
                    let good = last_good_image(snap, pod, cname);
                    if let Some((img, rs)) = &good {
                        ev.push(format!("replicaset/{rs} ran {img} and has ready pods"));
                    }
                    ev.push(format!(
                        "on Minikube, build or load the image into the cluster (minikube image load {image}) or use an image that exists"
                    ));
                    let changes = vec![FieldChange {
                        object: owner.clone(),
                        container: Some(cname.to_string()),
                        field: "image".into(),
                        current: json!(image),
                        proposed: good.as_ref().map(|(img, _)| json!(img)),
                        basis: good
                            .map(|(_, rs)| format!("the image replicaset/{rs} runs"))
                            .unwrap_or_default(),
                    }];
                    out.push(finding(
                        "image-pull",
                        owner.clone(),
                        format!("image {image} cannot be pulled ({waiting})"),
                        ev,
                        "image-tag-missing",
                        pod,
                        changes,
                    ));
                }
                "CreateContainerConfigError" => {
                    let missing = config_ref(snap, &wmsg);
                    let playbook = match missing.as_ref().map(|m| m.kind) {
                        Some("ConfigMap") => "crash-loop",
                        _ => "secret-key-missing",
                    };
                    let changes = missing
                        .map(|m| FieldChange {
                            object: owner.clone(),
                            container: Some(cname.to_string()),
                            field: format!("{}.name", m.kind),
                            current: json!(m.name),
                            proposed: m.holder.as_ref().map(|h| json!(h)),
                            basis: m
                                .holder
                                .map(|h| {
                                    format!(
                                        "{} {h} has the key {}",
                                        m.kind,
                                        m.key.unwrap_or_default()
                                    )
                                })
                                .unwrap_or_default(),
                        })
                        .into_iter()
                        .collect();
                    out.push(finding(
                        "container-config",
                        owner.clone(),
                        format!("container {cname} cannot start: {wmsg}"),
                        vec![format!(
                            "container {cname}: CreateContainerConfigError: {wmsg}"
                        )],
                        playbook,
                        pod,
                        changes,
                    ));
                }
                _ => {}
            }
            if last["reason"] == "OOMKilled" {
                let limit = spec["resources"]["limits"]["memory"]
                    .as_str()
                    .unwrap_or("?")
                    .to_string();
                // It needed more than the limit; twice the limit is the margin.
                let doubled = quantity::milli(&limit).map(|m| quantity::format_milli(m * 2));
                let changes = vec![FieldChange {
                    object: owner.clone(),
                    container: Some(cname.to_string()),
                    field: "resources.limits.memory".into(),
                    current: json!(limit),
                    proposed: doubled.map(|d| json!(d)),
                    basis: "OOMKilled at the limit: twice the limit".into(),
                }];
                out.push(finding("oom-killed", owner.clone(), format!("container {cname} is killed for memory (limit {limit}, exit 137, {restarts} restarts)"), vec![format!("lastState.terminated: OOMKilled, exitCode 137; limits.memory={limit}")], "memory-limit-low", pod, changes));
                continue;
            }
            // A container that is Ready again is judged only by what happened since it
            // started: kills before that are history, not a finding.
            let current_events = if cs["ready"] == true {
                events_since(snap, name, cs["state"]["running"]["startedAt"].as_str())
            } else {
                events.clone()
            };
            let liveness_kills: Vec<String> = current_events
                .iter()
                .filter(|e| e.contains("failed liveness probe"))
                .cloned()
                .collect();
            if !liveness_kills.is_empty() {
                let mut ev = liveness_kills;
                ev.extend(
                    events
                        .iter()
                        .filter(|e| e.contains("Liveness probe failed"))
                        .take(2)
                        .cloned(),
                );
                // When the app's own log shows trouble, the probe is the messenger, not the cause.
                let complaint = logs.get(name, cname).and_then(|l| {
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
                    None => (
                        format!(
                            "container {cname} is restarted by its liveness probe ({restarts} restarts)"
                        ),
                        evidence::probe_timing(
                            &owner,
                            cname,
                            &spec["livenessProbe"],
                            "livenessProbe",
                        ),
                    ),
                };
                let mut f = finding(
                    "liveness-failing",
                    owner.clone(),
                    summary,
                    ev,
                    "liveness-too-aggressive",
                    pod,
                    changes,
                );
                if complaint.is_some() {
                    revert_what_the_revision_changed(snap, pod, &mut f);
                }
                out.push(f);
                continue;
            }
            if waiting == "CrashLoopBackOff"
                || (restarts > 0
                    && last["exitCode"].as_i64().is_some_and(|c| c != 0)
                    && cs["ready"] != true)
            {
                let code = last["exitCode"].as_i64().unwrap_or(-1);
                let mut ev = vec![format!(
                    "container {cname}: {restarts} restarts, last exit code {code} ({})",
                    last["reason"].as_str().unwrap_or("")
                )];
                let cause = logs.get(name, cname).map(|l| {
                    let lines: Vec<&str> = l.lines().collect();
                    for line in lines.iter().rev().take(5).rev() {
                        ev.push(format!("log: {line}"));
                    }
                    lines
                        .iter()
                        .rev()
                        .find(|l| {
                            l.contains("ERROR")
                                || l.contains("\"level\":\"ERROR\"")
                                || l.contains("error")
                        })
                        .map(|l| l.to_string())
                });
                let cause = cause.flatten();
                // The app's last words name the repair when we know them.
                let playbook = match cause.as_deref() {
                    Some(l) if l.contains("BETTER_AUTH_SECRET is too short") => "auth-secret-short",
                    Some(l) if l.contains("could not connect to the database") => {
                        "database-url-wrong"
                    }
                    _ => "crash-loop",
                };
                let why = cause
                    .map(|l| format!("; last error: {}", l.chars().take(240).collect::<String>()))
                    .unwrap_or_default();
                let mut f = finding(
                    "crash-loop",
                    owner.clone(),
                    format!("container {cname} keeps exiting with code {code}{why}"),
                    ev,
                    playbook,
                    pod,
                    vec![],
                );
                revert_what_the_revision_changed(snap, pod, &mut f);
                out.push(f);
                continue;
            }
            let ready = cs["ready"] == true;
            let readiness: Vec<String> = events
                .iter()
                .filter(|e| e.contains("Readiness probe failed"))
                .cloned()
                .collect();
            if !ready && cs["state"]["running"].is_object() && !readiness.is_empty() {
                out.push(finding(
                    "readiness-failing",
                    owner.clone(),
                    format!("container {cname} runs but never becomes Ready"),
                    readiness.into_iter().rev().take(3).collect(),
                    "readiness-path-wrong",
                    pod,
                    vec![],
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
