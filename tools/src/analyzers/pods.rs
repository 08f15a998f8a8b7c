//! Pod analyzers: image pulls, container config, crashes, OOM kills, probes, scheduling.

use serde_json::{Value, json};

use super::{Finding, Logs, Severity, events_for, owner_of, release_of};
use crate::snapshot::Snapshot;

fn memory_doubled(limit: &str) -> String {
    let digits: String = limit.chars().take_while(|c| c.is_ascii_digit()).collect();
    let unit = &limit[digits.len()..];
    match (digits.parse::<u64>(), unit) {
        (Ok(n), "Mi" | "Gi") => {
            let mi = if unit == "Gi" { n * 1024 } else { n };
            format!("{}Mi", (mi * 2).max(256))
        }
        _ => "256Mi".to_string(),
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
    patch: Option<Value>,
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
        suggested_patch: patch,
    }
}

/// Findings about pods.
pub fn analyze(snap: &Snapshot, logs: &Logs) -> Vec<Finding> {
    let mut out = Vec::new();
    for pod in &snap.pods {
        let name = pod["metadata"]["name"].as_str().unwrap_or_default();
        let owner = owner_of(snap, pod);
        let events = events_for(snap, name);
        let ours = release_of(pod).is_some_and(|r| r.starts_with("todo-"));
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
            // Back to the chart's defaults for whatever does not fit.
            let mut patch = json!({"resources": {"requests": {}, "limits": {}}});
            if msg.contains("Insufficient cpu") {
                patch["resources"]["requests"]["cpu"] = json!("100m");
                patch["resources"]["limits"]["cpu"] = json!("500m");
            }
            if msg.contains("Insufficient memory") {
                patch["resources"]["requests"]["memory"] = json!("64Mi");
                patch["resources"]["limits"]["memory"] = json!("256Mi");
            }
            let patch = (ours
                && (msg.contains("Insufficient cpu") || msg.contains("Insufficient memory")))
            .then_some(patch);
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
                patch,
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
                    ev.push(format!(
                        "on Minikube, build the image into the cluster (minikube image build -t {image} -f app/Dockerfile.{} .) or use a tag that exists",
                        if image.contains("frontend") { "frontend" } else { "backend" }
                    ));
                    let patch = ours.then(|| json!({"image": {"tag": "latest"}}));
                    out.push(finding(
                        "image-pull",
                        owner.clone(),
                        format!("image {image} cannot be pulled ({waiting})"),
                        ev,
                        "image-tag-missing",
                        pod,
                        patch,
                    ));
                }
                "CreateContainerConfigError" => {
                    let patch = (ours && wmsg.contains("in Secret") && !wmsg.contains("-secrets"))
                        .then(|| json!({"existingSecret": ""}));
                    out.push(finding(
                        "container-config",
                        owner.clone(),
                        format!("container {cname} cannot start: {wmsg}"),
                        vec![format!(
                            "container {cname}: CreateContainerConfigError: {wmsg}"
                        )],
                        "secret-key-missing",
                        pod,
                        patch,
                    ));
                }
                _ => {}
            }
            if last["reason"] == "OOMKilled" {
                let limit = spec["resources"]["limits"]["memory"]
                    .as_str()
                    .unwrap_or("?")
                    .to_string();
                let patch = ours.then(|| json!({"resources": {"limits": {"memory": memory_doubled(&limit)}, "requests": {"memory": "64Mi"}}}));
                out.push(finding("oom-killed", owner.clone(), format!("container {cname} is killed for memory (limit {limit}, exit 137, {restarts} restarts)"), vec![format!("lastState.terminated: OOMKilled, exitCode 137; limits.memory={limit}")], "memory-limit-low", pod, patch));
                continue;
            }
            let liveness_kills: Vec<String> = events
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
                let (summary, patch) = match &complaint {
                    Some(line) => {
                        ev.push(format!("log: {line}"));
                        (format!("container {cname} is restarted by its liveness probe before it serves; its log says: {}", line.chars().take(240).collect::<String>()), None)
                    }
                    None => (
                        format!("container {cname} is restarted by its liveness probe ({restarts} restarts)"),
                        ours.then(|| json!({"probes": {"liveness": {"initialDelaySeconds": 5, "periodSeconds": 10, "timeoutSeconds": 2, "failureThreshold": 3}}})),
                    ),
                };
                out.push(finding(
                    "liveness-failing",
                    owner.clone(),
                    summary,
                    ev,
                    "liveness-too-aggressive",
                    pod,
                    patch,
                ));
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
                out.push(finding(
                    "crash-loop",
                    owner.clone(),
                    format!("container {cname} keeps exiting with code {code}{why}"),
                    ev,
                    playbook,
                    pod,
                    None,
                ));
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
                    None,
                ));
            }
        }
    }
    out
}
