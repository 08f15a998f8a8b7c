//! Probe paths measured on the container: an HTTP probe that gets a client error (the
//! server runs, the path is not one it serves) takes a path the same port was measured to
//! answer with success (see `measure`).

use serde_json::json;

use super::Container;
use crate::measure::probe_port;
use crate::repair::FieldChange;

/// The probes (field, the kubelet's word for it) that can be repaired this way.
const PROBES: [(&str, &str); 3] = [
    ("livenessProbe", "Liveness"),
    ("readinessProbe", "Readiness"),
    ("startupProbe", "Startup"),
];

/// Each HTTP probe of the container that fails with a 4xx, moved to a path its port was
/// measured to answer.
pub(super) fn measured(c: &Container) -> Vec<FieldChange> {
    let mut out = Vec::new();
    for (field, word) in PROBES {
        let get = &c.spec[field]["httpGet"];
        let Some(port) = probe_port(&c.spec, &get["port"]) else {
            continue;
        };
        let failure = c.events.iter().find(|e| {
            e.contains(&format!(
                "{word} probe failed: HTTP probe failed with statuscode: 4"
            ))
        });
        let answer = c
            .snap
            .answering
            .iter()
            .find(|a| a.pod == c.pod_name && a.port == port && json!(a.path) != get["path"]);
        if let (Some(failure), Some(a)) = (failure, answer) {
            let code = failure.rsplit(' ').next().unwrap_or("4xx");
            out.push(FieldChange {
                init: c.init,
                object: c.owner.clone(),
                container: Some(c.name.to_string()),
                field: format!("{field}.httpGet.path"),
                current: get["path"].clone(),
                proposed: Some(json!(a.path)),
                basis: format!(
                    "{} answers {code} on port {port}; {} answers {} there",
                    get["path"].as_str().unwrap_or("/"),
                    a.path,
                    a.status
                ),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::analyzers::Logs;
    use crate::analyzers::pods::analyze;
    use crate::measure::Answering;
    use crate::snapshot::Snapshot;

    fn snap(answering: Vec<Answering>) -> Snapshot {
        let probe = |path: &str| json!({"httpGet": {"path": path, "port": 80}});
        let event = |word: &str| {
            json!({"involvedObject": {"kind": "Pod", "name": "web-1", "namespace": "shop", "uid": "u1"},
                   "type": "Warning", "reason": "Unhealthy", "count": 4,
                   "message": format!("{word} probe failed: HTTP probe failed with statuscode: 404")})
        };
        Snapshot {
            pods: vec![json!({
                "metadata": {"name": "web-1", "namespace": "shop", "uid": "u1"},
                "spec": {"containers": [{"name": "web", "image": "nginx",
                    "livenessProbe": probe("/get_status"), "readinessProbe": probe("/is_ready")}]},
                "status": {"containerStatuses": [{
                    "name": "web", "ready": false, "restartCount": 0,
                    "state": {"running": {}}, "lastState": {}
                }]}
            })],
            events: vec![event("Readiness"), event("Liveness")],
            answering,
            ..Default::default()
        }
    }

    fn proposed(s: &Snapshot) -> Vec<(String, Value)> {
        analyze(s, &Logs::default())
            .into_iter()
            .flat_map(|f| f.changes)
            .filter(|c| c.field.ends_with("httpGet.path"))
            .map(|c| (c.field, c.proposed.unwrap_or(Value::Null)))
            .collect()
    }

    #[test]
    fn probes_getting_404_take_the_path_the_port_was_measured_to_answer() {
        let root = Answering {
            pod: "web-1".into(),
            port: 80,
            path: "/".into(),
            status: 200,
        };
        assert_eq!(
            proposed(&snap(vec![root])),
            [
                ("livenessProbe.httpGet.path".to_string(), json!("/")),
                ("readinessProbe.httpGet.path".to_string(), json!("/")),
            ]
        );
        // Nothing measured to answer: no path is guessed.
        assert!(proposed(&snap(vec![])).is_empty());
    }
}
