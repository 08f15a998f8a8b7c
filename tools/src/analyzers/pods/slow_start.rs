//! What a liveness probe that kills a container says about the container: a probe on a
//! port it does not declare (when it declares exactly one) is on the wrong port; a probe on
//! its own port that was refused every time, of a container never Ready in any run, is a
//! probe that starts judging before the program has started. Its repair is a startupProbe
//! with the liveness probe's own check, long enough for a start many times longer than the
//! one it was allowed; the liveness probe is kept as it is.

use serde_json::{Value, json};

use super::Container;
use crate::repair::FieldChange;

/// The probe's handler (httpGet or tcpSocket) and its port.
fn handler(probe: &Value) -> Option<(&'static str, &Value)> {
    ["httpGet", "tcpSocket", "grpc"]
        .into_iter()
        .find(|h| probe[*h].is_object())
        .map(|h| (h, &probe[h]["port"]))
}

/// The port a probe names, as a number (a named port is the declared port of that name).
fn number_of(c: &Container, port: &Value) -> Option<i64> {
    match port {
        Value::String(n) => c.spec["ports"]
            .as_array()?
            .iter()
            .find(|p| p["name"] == n.as_str())?["containerPort"]
            .as_i64(),
        p => p.as_i64(),
    }
}

/// The probe's port changed to the one port the container declares, when it names another.
pub(super) fn wrong_port(c: &Container, which: &str) -> Option<FieldChange> {
    let probe = &c.spec[which];
    let (h, port) = handler(probe)?;
    let declared: Vec<i64> = c.spec["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["containerPort"].as_i64())
        .collect();
    let [only] = declared.as_slice() else {
        return None;
    };
    if number_of(c, port) == Some(*only) {
        return None;
    }
    Some(c.change(
        &format!("{which}.{h}.port"),
        port.clone(),
        Some(json!(only)),
        format!(
            "nothing the container declares listens on {port}; {only} is the one port it declares"
        ),
    ))
}

/// How long the container ran before its last kill, in seconds.
fn ran_for(c: &Container) -> Option<i64> {
    let start = crate::settle::seconds(&c.last["startedAt"])?;
    let end = crate::settle::seconds(&c.last["finishedAt"])?;
    Some((end - start).max(1))
}

/// A startupProbe for a container killed by its liveness probe before it ever answered.
pub(super) fn startup_probe(c: &Container, failures: &[String]) -> Option<FieldChange> {
    let liveness = &c.spec["livenessProbe"];
    handler(liveness)?;
    let refused_always = !failures.is_empty()
        && failures
            .iter()
            .all(|f| f.contains("connection refused") || f.contains("connect: "));
    let never_ready = !c.ready() && c.restarts > 0;
    // A release's probe is repaired from its history (what its revisions changed).
    if crate::analyzers::release_of(c.pod).is_some() {
        return None;
    }
    if !refused_always || !never_ready || !c.spec["startupProbe"].is_null() {
        return None;
    }
    let allowed = ran_for(c)?;
    let period = liveness["periodSeconds"].as_i64().unwrap_or(10).max(1);
    // Ten times the start it was allowed, at least a minute.
    let budget = (allowed * 10).max(60);
    let mut probe = serde_json::Map::new();
    for key in ["httpGet", "tcpSocket", "grpc", "exec", "timeoutSeconds"] {
        if let Some(v) = liveness.get(key) {
            probe.insert(key.into(), v.clone());
        }
    }
    probe.insert("periodSeconds".into(), json!(period));
    probe.insert(
        "failureThreshold".into(),
        json!((budget + period - 1) / period),
    );
    Some(c.change(
        "startupProbe",
        Value::Null,
        Some(Value::Object(probe)),
        format!(
            "it was killed after {allowed}s, never having answered; the startup probe, with the liveness probe's own check, allows {budget}s before the liveness probe judges it"
        ),
    ))
}
