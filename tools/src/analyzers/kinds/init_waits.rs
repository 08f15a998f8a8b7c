//! `init-waiting`: a pod held in `Init` by an init container that waits for a Service
//! (`until nslookup db`, `nc -z db 5432`, a URL): when the name it waits for is no Service
//! of the namespace, the wait never ends. The repair is the existing Service the name nearly
//! is, corrected in that init container's command, the rest kept; a Service that does not
//! exist at all is a person's to create.

use serde_json::Value;

use super::{finding, name};
use crate::analyzers::{Finding, Severity, owner_of};
use crate::repair::FieldChange;
use crate::snapshot::Snapshot;

/// Programs whose next word (after flags) is a host.
const HOST_TAKERS: [&str; 7] = ["nslookup", "nc", "ping", "host", "dig", "telnet", "getent"];

/// The host names a command waits for, as written.
pub(crate) fn hosts_in(text: &str) -> Vec<String> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || ";&|()`\"'".contains(c))
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if let Some(rest) = w.split("://").nth(1).filter(|_| w.contains("://")) {
            out.push(
                rest.split(['/', ':'])
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            );
        } else if HOST_TAKERS.contains(&w.rsplit('/').next().unwrap_or(w)) {
            let mut rest = words[i + 1..].iter();
            while let Some(next) = rest.next() {
                if next.starts_with('-') {
                    // A flag that takes a value (`-w 2`) skips it too.
                    if matches!(*next, "-w" | "-W" | "-p" | "-c" | "-t") {
                        rest.next();
                    }
                    continue;
                }
                out.push(next.split(':').next().unwrap_or_default().to_string());
                break;
            }
        }
    }
    out.retain(|h| !h.is_empty() && h.parse::<std::net::IpAddr>().is_err() && h != "localhost");
    out
}

/// The Service a cluster-local host name asks for: its first label, when the rest is the
/// namespace and the cluster's suffix (or nothing).
fn service_of<'a>(host: &'a str, namespace: &str) -> Option<&'a str> {
    let (first, rest) = host.split_once('.').unwrap_or((host, ""));
    let local = rest.is_empty()
        || rest == namespace
        || rest.starts_with(&format!("{namespace}.svc"))
        || rest == "svc"
        || rest.starts_with("svc.");
    local.then_some(first)
}

/// A finding per workload whose pods wait in an init container for a Service that is not.
pub fn analyze(snap: &Snapshot) -> Vec<Finding> {
    let services: Vec<&str> = snap.services.iter().map(name).collect();
    let mut out: Vec<Finding> = Vec::new();
    for pod in snap
        .pods
        .iter()
        .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
    {
        for status in pod["status"]["initContainerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if !status["state"]["running"].is_object() {
                continue;
            }
            let cname = status["name"].as_str().unwrap_or_default();
            let Some(spec) = pod["spec"]["initContainers"]
                .as_array()
                .and_then(|cs| cs.iter().find(|c| c["name"] == cname))
            else {
                continue;
            };
            let owner = owner_of(snap, pod);
            if out.iter().any(|f| f.object == owner) {
                continue;
            }
            let text: Vec<&str> = ["command", "args"]
                .iter()
                .flat_map(|f| spec[*f].as_array().into_iter().flatten())
                .filter_map(Value::as_str)
                .collect();
            let missing: Vec<String> = hosts_in(&text.join(" "))
                .into_iter()
                .filter(|h| service_of(h, &snap.namespace).is_some_and(|s| !services.contains(&s)))
                .collect();
            let Some(host) = missing.first() else {
                continue;
            };
            let svc = service_of(host, &snap.namespace).unwrap_or(host);
            let near = crate::nearest::nearest(svc, services.iter().copied());
            let mut evidence = vec![
                format!(
                    "init container {cname} is still running: it waits for {host:?}, and there is no Service {svc:?} in {}",
                    snap.namespace
                ),
                format!("services: {}", services.join(", ")),
            ];
            let changes: Vec<FieldChange> = near
                .map(|(meant, d)| {
                    let corrected = host.replacen(svc, meant, 1);
                    evidence.push(format!("repair: Service {meant:?} exists, {d} edit(s) from {svc:?}"));
                    ["command", "args"]
                        .iter()
                        .filter_map(|field| {
                            let current = spec[*field].as_array()?;
                            let mut said = 0;
                            let proposed: Vec<Value> = current
                                .iter()
                                .map(|v| match v.as_str() {
                                    Some(t) => {
                                        let (fixed, n) = crate::nearest::replace_word(t, host, &corrected);
                                        said += n;
                                        Value::String(fixed)
                                    }
                                    None => v.clone(),
                                })
                                .collect();
                            (said > 0).then(|| FieldChange {
                                object: owner.clone(),
                                container: Some(cname.to_string()),
                                init: true,
                                field: (*field).to_string(),
                                current: Value::Array(current.clone()),
                                proposed: Some(Value::Array(proposed)),
                                basis: format!(
                                    "it waits for {host:?}; the Service is {meant:?}, the rest of the command kept"
                                ),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut f = finding(
                "init-waiting",
                Severity::Error,
                owner.clone(),
                pod,
                format!(
                    "pods of {owner} wait in init container {cname} for {svc:?}, which is no Service here"
                ),
                evidence,
                changes,
            );
            if f.changes.is_empty() {
                f.suggested_action = Some(format!(
                    "create the Service {svc:?} for the pods it should reach (kubectl expose), or point init container {cname} at an existing one"
                ));
            }
            out.push(f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_hosts_a_wait_names_are_read() {
        assert_eq!(
            hosts_in("until nslookup rabbit; do sleep 2; done"),
            ["rabbit"]
        );
        assert_eq!(
            hosts_in("until nc -z -w 2 postgress 5432; do sleep 1; done"),
            ["postgress"]
        );
        assert_eq!(
            hosts_in("wget -qO- http://api.shop.svc.cluster.local:8080/health"),
            ["api.shop.svc.cluster.local"]
        );
        assert!(hosts_in("nc -z 10.0.0.1 80").is_empty());
    }

    fn snap(wait_for: &str) -> Snapshot {
        Snapshot {
            namespace: "jobs".into(),
            services: vec![json!({"metadata": {"name": "postgres"}})],
            pods: vec![json!({"metadata": {"name": "consumer-1"},
                "spec": {"initContainers": [{"name": "wait-db", "image": "busybox",
                    "command": ["sh", "-c", format!("until nc -z {wait_for} 5432; do sleep 2; done")]}]},
                "status": {"initContainerStatuses": [{"name": "wait-db", "state": {"running": {}}}]}})],
            ..Default::default()
        }
    }

    #[test]
    fn a_wait_for_a_misspelled_service_is_corrected_and_one_for_an_existing_service_is_silent() {
        let f = analyze(&snap("postgress"));
        assert_eq!(f.len(), 1);
        let c = &f[0].changes[0];
        assert!(c.init);
        assert_eq!(
            c.proposed,
            Some(json!([
                "sh",
                "-c",
                "until nc -z postgres 5432; do sleep 2; done"
            ]))
        );
        assert!(analyze(&snap("postgres")).is_empty());
        assert!(analyze(&snap("postgres.jobs.svc.cluster.local")).is_empty());
    }
}
