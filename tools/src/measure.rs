//! What the analyzers cannot read from objects: which paths a pod's port answers when its
//! HTTP probes fail with a client error (the server is up, the probe's path is wrong).
//! Measured by asking the pod for its probes' own paths and `/` through the API server's
//! port-forward, as a person would with `kubectl port-forward` and curl.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::cluster::Cluster;
use crate::pod_http::{HttpRequest, request_pod};

/// A path that answers on a pod's port.
#[derive(Debug, Clone, PartialEq)]
pub struct Answering {
    /// The pod.
    pub pod: String,
    /// The container port.
    pub port: u16,
    /// The path asked.
    pub path: String,
    /// The status it answered (2xx or 3xx).
    pub status: u16,
}

/// How many pods one diagnosis measures at most.
const MAX_PODS: usize = 3;
/// How many paths are asked on one port at most.
const MAX_PATHS: usize = 4;
/// How long a pod's container may take to be running again (it may be between restarts).
const WAIT: Duration = Duration::from_secs(6);

/// The container port an `httpGet` probe names (a number, or a declared port's name).
pub fn probe_port(container: &Value, port: &Value) -> Option<u16> {
    match port {
        Value::String(name) => container["ports"]
            .as_array()?
            .iter()
            .find(|p| p["name"] == name.as_str())
            .and_then(|p| u16::try_from(p["containerPort"].as_u64()?).ok()),
        other => u16::try_from(other.as_u64()?).ok(),
    }
}

/// The ports of a pod's HTTP probes, each with the paths worth asking there: the probes'
/// own paths, then `/` (at most [`MAX_PATHS`]).
fn http_probe_ports(pod: &Value) -> Vec<(u16, Vec<String>)> {
    let mut ports: Vec<(u16, Vec<String>)> = Vec::new();
    for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
        for kind in ["livenessProbe", "readinessProbe", "startupProbe"] {
            let get = &c[kind]["httpGet"];
            let Some(p) = probe_port(c, &get["port"]) else {
                continue;
            };
            let path = get["path"].as_str().unwrap_or("/").to_string();
            match ports.iter_mut().find(|(port, _)| *port == p) {
                Some((_, paths)) if !paths.contains(&path) => paths.push(path),
                Some(_) => {}
                None => ports.push((p, vec![path])),
            }
        }
    }
    for (_, paths) in &mut ports {
        if !paths.iter().any(|p| p == "/") {
            paths.push("/".into());
        }
        paths.truncate(MAX_PATHS);
    }
    ports
}

/// For pods whose HTTP probes answer a client error (4xx), the probe ports where `/`
/// answers with success.
pub async fn probe_roots(c: &Cluster, pods: &[Value], events: &[Value]) -> Vec<Answering> {
    let client_error = |pod: &str| {
        events.iter().any(|e| {
            e["involvedObject"]["name"] == pod
                && e["message"].as_str().is_some_and(|m| {
                    m.contains("probe failed: HTTP probe failed with statuscode: 4")
                })
        })
    };
    let mut out = Vec::new();
    let failing = pods.iter().filter_map(|p| {
        let name = p["metadata"]["name"].as_str()?;
        client_error(name).then_some((name, p))
    });
    for (name, pod) in failing.take(MAX_PODS) {
        for (port, paths) in http_probe_ports(pod) {
            for path in paths {
                if let Some(status) = ask(c, name, port, &path).await
                    && (200..400).contains(&status)
                {
                    out.push(Answering {
                        pod: name.to_string(),
                        port,
                        path,
                        status,
                    });
                }
            }
        }
    }
    out
}

/// The status `GET path` gets on the pod's port; None when nothing answers (between
/// restarts nothing runs to answer: it waits a little for the container).
async fn ask(c: &Cluster, pod: &str, port: u16, path: &str) -> Option<u16> {
    let req = HttpRequest {
        method: "GET",
        path,
        bearer: None,
        json: None,
    };
    let deadline = Instant::now() + WAIT;
    loop {
        match request_pod(c, pod, port, "localhost", &req, Duration::from_secs(3)).await {
            Ok(reply) => return Some(reply.status),
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(_) => return None,
        }
    }
}
