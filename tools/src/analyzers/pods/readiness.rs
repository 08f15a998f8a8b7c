//! `readiness-failing`: the container runs but its readiness probe never passes.

use serde_json::Value;

use super::{Container, probe_paths, revert_the_last_change};
use crate::analyzers::Finding;
use crate::repair::FieldChange;

/// The finding when a running, unready container has failed readiness probes.
pub(super) fn check(c: &Container) -> Option<Finding> {
    let readiness: Vec<String> = c
        .events
        .iter()
        .filter(|e| e.contains("Readiness probe failed"))
        .cloned()
        .collect();
    if c.ready() || !c.status["state"]["running"].is_object() || readiness.is_empty() {
        return None;
    }
    let mut f = c.finding(
        "readiness-failing",
        format!("container {} runs but never becomes Ready", c.name),
        readiness.into_iter().rev().take(3).collect(),
        "readiness-path-wrong",
        vec![],
    );
    // Only for workloads no release owns: a release's readiness repair is its re-apply.
    if f.release.is_none() {
        revert_the_last_change(c.snap, c.pod, &mut f);
        // A path measured to answer is better evidence than one inferred from another probe.
        if f.changes.is_empty() {
            f.changes.extend(probe_paths::measured(c));
        }
        if f.changes.is_empty() {
            f.changes.extend(measured(c, &f.evidence));
        }
    }
    Some(f)
}

/// With no earlier template to go back to, what the container itself shows: a probe port
/// nothing listens on, when the container declares exactly one other port; a path that
/// answers an HTTP error, when the liveness probe on the same port passes (the container is
/// not being restarted for it) on another path.
fn measured(c: &Container, failures: &[String]) -> Vec<FieldChange> {
    let probe = &c.spec["readinessProbe"]["httpGet"];
    if !probe.is_object() {
        return vec![];
    }
    // The newest failure says what is wrong now (a refusal while the server was still
    // starting says nothing once it answers 404).
    let latest = failures.first().map(String::as_str).unwrap_or_default();
    let refused = latest.contains("connection refused");
    let http_error = latest.contains("statuscode: 4");
    let declared: Vec<&Value> = c.spec["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("containerPort"))
        .collect();
    let named = |port: &Value| -> Option<Value> {
        // A named probe port stands for the declared port of that name.
        match port.as_str() {
            Some(name) => c.spec["ports"]
                .as_array()?
                .iter()
                .find(|p| p["name"] == name)
                .map(|p| p["containerPort"].clone()),
            None => Some(port.clone()),
        }
    };
    let change = |field: &str, current: &Value, proposed: Value, basis: String| FieldChange {
        init: c.init,
        object: c.owner.clone(),
        container: Some(c.name.to_string()),
        field: format!("readinessProbe.httpGet.{field}"),
        current: current.clone(),
        proposed: Some(proposed),
        basis,
    };
    if refused
        && let [only] = declared.as_slice()
        && named(&probe["port"]).as_ref() != Some(*only)
    {
        return vec![change(
            "port",
            &probe["port"],
            (*only).clone(),
            format!(
                "nothing listens on {}; {only} is the one port the container declares",
                probe["port"]
            ),
        )];
    }
    let liveness = &c.spec["livenessProbe"]["httpGet"];
    // The liveness probe passes when the container has run longer than the kubelet takes to
    // judge it and was not killed for it; failures below its threshold (a refusal while the
    // server starts) do not count, and neither does a probe not judged yet.
    let running_for = crate::settle::seconds(&c.status["state"]["running"]["startedAt"])
        .map(|started| c.snap.read_at - started);
    let judged =
        running_for.is_some_and(|t| t >= crate::settle::decision_seconds(&c.spec["livenessProbe"]));
    let liveness_passes = judged
        && !c
            .events
            .iter()
            .any(|e| e.contains("failed liveness probe, will be restarted"));
    if http_error
        && liveness_passes
        && liveness.is_object()
        && named(&liveness["port"]) == named(&probe["port"])
        && liveness["path"] != probe["path"]
        && liveness["path"].is_string()
    {
        return vec![change(
            "path",
            &probe["path"],
            liveness["path"].clone(),
            format!(
                "{} answers an HTTP error; the liveness probe's {} on the same port passes",
                probe["path"], liveness["path"]
            ),
        )];
    }
    vec![]
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::analyzers::Logs;
    use crate::analyzers::pods::analyze;
    use crate::snapshot::Snapshot;

    /// 2026-01-01T10:00:00Z.
    const STARTED: i64 = 1_767_261_600;

    fn snap(readiness: Value, liveness: Value, ports: Value, message: &str) -> Snapshot {
        Snapshot {
            pods: vec![json!({
                "metadata": {"name": "api-1", "namespace": "shop", "uid": "u1"},
                "spec": {"containers": [{"name": "api", "image": "api:1", "ports": ports,
                    "readinessProbe": readiness, "livenessProbe": liveness}]},
                "status": {"containerStatuses": [{
                    "name": "api", "ready": false, "restartCount": 0,
                    "state": {"running": {"startedAt": "2026-01-01T10:00:00Z"}}, "lastState": {}
                }]}
            })],
            // A minute on: long enough for a default liveness probe (3 × 10 s) to be judged.
            read_at: STARTED + 60,
            events: vec![json!({
                "involvedObject": {"kind": "Pod", "name": "api-1", "namespace": "shop", "uid": "u1"},
                "type": "Warning", "reason": "Unhealthy", "count": 5,
                "message": format!("Readiness probe failed: {message}")
            })],
            ..Default::default()
        }
    }

    fn proposed(s: &Snapshot) -> Vec<(String, Value)> {
        analyze(s, &Logs::default())
            .into_iter()
            .filter(|f| f.id == "readiness-failing")
            .flat_map(|f| f.changes)
            .map(|c| (c.field, c.proposed.unwrap_or(Value::Null)))
            .collect()
    }

    #[test]
    fn a_path_that_answers_an_error_takes_the_passing_liveness_path() {
        let s = snap(
            json!({"httpGet": {"path": "/readyz", "port": "http"}}),
            json!({"httpGet": {"path": "/healthz", "port": 8080}}),
            json!([{"name": "http", "containerPort": 8080}]),
            "HTTP probe failed with statuscode: 404",
        );
        assert_eq!(
            proposed(&s),
            [("readinessProbe.httpGet.path".to_string(), json!("/healthz"))]
        );
    }

    #[test]
    fn a_liveness_refusal_while_the_server_started_does_not_stop_the_path_repair() {
        let mut s = snap(
            json!({"httpGet": {"path": "/ready", "port": "http"}}),
            json!({"httpGet": {"path": "/healthz", "port": "http"}}),
            json!([{"name": "http", "containerPort": 8080}]),
            "HTTP probe failed with statuscode: 404",
        );
        let event = |message: &str| {
            json!({
                "involvedObject": {"kind": "Pod", "name": "api-1", "namespace": "shop", "uid": "u1"},
                "type": "Warning", "reason": "Unhealthy", "count": 1, "message": message
            })
        };
        s.events.push(event("Liveness probe failed: Get \"http://10.0.0.5:8080/healthz\": dial tcp 10.0.0.5:8080: connect: connection refused"));
        assert_eq!(
            proposed(&s),
            [("readinessProbe.httpGet.path".to_string(), json!("/healthz"))]
        );
        // Once the kubelet restarts the container for its liveness probe, that path is no
        // evidence of a passing probe.
        s.events.push(event(
            "Container api failed liveness probe, will be restarted",
        ));
        assert!(proposed(&s).is_empty());
    }

    #[test]
    fn a_port_nothing_listens_on_takes_the_one_declared_port() {
        let s = snap(
            json!({"httpGet": {"path": "/", "port": 9090}}),
            Value::Null,
            json!([{"containerPort": 8080}]),
            "Get \"http://10.0.0.5:9090/\": dial tcp 10.0.0.5:9090: connect: connection refused",
        );
        assert_eq!(
            proposed(&s),
            [("readinessProbe.httpGet.port".to_string(), json!(8080))]
        );
    }

    #[test]
    fn no_evidence_no_guess() {
        // Two declared ports: which one is meant is not shown.
        let two = snap(
            json!({"httpGet": {"path": "/", "port": 9090}}),
            Value::Null,
            json!([{"containerPort": 8080}, {"containerPort": 8081}]),
            "dial tcp 10.0.0.5:9090: connect: connection refused",
        );
        assert!(proposed(&two).is_empty());
        // A timeout says nothing about the path.
        let slow = snap(
            json!({"httpGet": {"path": "/readyz", "port": 8080}}),
            json!({"httpGet": {"path": "/healthz", "port": 8080}}),
            json!([{"containerPort": 8080}]),
            "Get \"http://10.0.0.5:8080/readyz\": context deadline exceeded",
        );
        assert!(proposed(&slow).is_empty());
    }
}
