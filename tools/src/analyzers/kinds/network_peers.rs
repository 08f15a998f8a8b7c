//! `network-peer`: a NetworkPolicy admits traffic from pods that do not exist (its peer's
//! `podSelector` matches no pod), while the pods that talk to the pods it protects — their
//! commands or environment name a Service in front of those pods — are shut out. The repair
//! points the peer at those clients' labels, keeping the policy, its ports and its other
//! rules.

use serde_json::{Map, Value};

use super::{finding, init_waits::hosts_in, name};
use crate::analyzers::{Finding, Severity};
use crate::repair::FieldChange;
use crate::snapshot::Snapshot;

/// Whether `labels` holds every pair of `selector` (a non-empty `matchLabels`).
fn matches(selector: &Value, labels: &Value) -> bool {
    selector
        .as_object()
        .is_some_and(|s| !s.is_empty() && s.iter().all(|(k, v)| labels[k] == *v))
}

/// The Service names a pod's containers reach for: hosts in their commands, and words of
/// their environment values.
fn names_reached(pod: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
        let text: Vec<&str> = ["command", "args"]
            .iter()
            .flat_map(|f| c[*f].as_array().into_iter().flatten())
            .filter_map(Value::as_str)
            .collect();
        out.extend(hosts_in(&text.join(" ")));
        for e in c["env"].as_array().into_iter().flatten() {
            if let Some(v) = e["value"].as_str() {
                out.extend(hosts_in(&format!("nc {v}")));
                out.extend(hosts_in(v));
            }
        }
    }
    out.iter()
        .map(|h| h.split('.').next().unwrap_or_default().to_string())
        .collect()
}

/// A finding per policy whose peer matches nobody while clients are shut out.
pub fn analyze(snap: &Snapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    for np in &snap.kinds.network_policies {
        let n = name(np);
        let target = &np["spec"]["podSelector"]["matchLabels"];
        let protected: Vec<&Value> = snap
            .pods
            .iter()
            .filter(|p| {
                target.as_object().is_some_and(|t| t.is_empty())
                    || matches(target, &p["metadata"]["labels"])
            })
            .collect();
        // The Services in front of the protected pods.
        let fronts: Vec<&str> = snap
            .services
            .iter()
            .filter(|s| {
                let sel = &s["spec"]["selector"];
                protected
                    .iter()
                    .any(|p| matches(sel, &p["metadata"]["labels"]))
            })
            .map(name)
            .collect();
        let clients: Vec<&Value> = snap
            .pods
            .iter()
            .filter(|p| !protected.iter().any(|q| name(q) == name(p)))
            .filter(|p| {
                names_reached(p)
                    .iter()
                    .any(|h| fronts.contains(&h.as_str()))
            })
            .collect();
        let Some(client) = clients.first() else {
            continue;
        };
        let Some(rules) = np["spec"]["ingress"].as_array() else {
            continue;
        };
        let mut proposed = rules.clone();
        let mut evidence = Vec::new();
        for rule in proposed.iter_mut() {
            for peer in rule["from"].as_array_mut().into_iter().flatten() {
                if !peer["namespaceSelector"].is_null() || !peer["ipBlock"].is_null() {
                    continue;
                }
                let sel = peer["podSelector"]["matchLabels"].clone();
                if sel.as_object().is_none_or(Map::is_empty)
                    || snap
                        .pods
                        .iter()
                        .any(|p| matches(&sel, &p["metadata"]["labels"]))
                {
                    continue;
                }
                let labels = &client["metadata"]["labels"];
                let mut meant: Map<String, Value> = sel
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, _)| Some((k.clone(), labels.get(k)?.clone())))
                    .collect();
                if meant.is_empty() {
                    // The clients carry none of its keys: their own app label.
                    let Some(app) = labels.get("app") else {
                        continue;
                    };
                    meant.insert("app".into(), app.clone());
                }
                // Every client must match the new peer, or it is no repair of theirs.
                let new = Value::Object(meant);
                if !clients
                    .iter()
                    .all(|c| matches(&new, &c["metadata"]["labels"]))
                {
                    continue;
                }
                evidence.push(format!(
                    "peer podSelector {sel} matches no pod; pod {} (labels {labels}) reaches {} through Service {}",
                    name(client),
                    target,
                    fronts.join(", ")
                ));
                peer["podSelector"]["matchLabels"] = new;
            }
        }
        if evidence.is_empty() {
            continue;
        }
        let object = format!("networkpolicy/{n}");
        out.push(finding(
            "network-peer",
            Severity::Error,
            object.clone(),
            np,
            format!("networkpolicy {n} admits pods that do not exist and shuts out the pods that use it"),
            evidence,
            vec![FieldChange {
                object,
                container: None,
                init: false,
                field: "ingress".into(),
                current: Value::Array(rules.clone()),
                proposed: Some(Value::Array(proposed)),
                basis: "the labels of the pods that connect to the pods it protects; ports and other rules kept".into(),
            }],
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn snap(peer_role: &str) -> Snapshot {
        let mut s = Snapshot {
            pods: vec![
                json!({"metadata": {"name": "db-1", "labels": {"app": "db"}}, "spec": {"containers": [{"name": "redis"}]}}),
                json!({"metadata": {"name": "web-1", "labels": {"app": "web", "role": "web"}},
                    "spec": {"containers": [{"name": "web", "command": ["sh", "-c", "nc -z -w 2 db 6379"]}]}}),
            ],
            services: vec![
                json!({"metadata": {"name": "db"}, "spec": {"selector": {"app": "db"}}}),
            ],
            ..Default::default()
        };
        s.kinds.network_policies = vec![json!({"metadata": {"name": "db-ingress"}, "spec": {
            "podSelector": {"matchLabels": {"app": "db"}},
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"role": peer_role}}}], "ports": [{"port": 6379}]}]}})];
        s
    }

    #[test]
    fn a_peer_that_matches_nobody_is_pointed_at_the_clients_and_a_matching_one_is_silent() {
        let f = analyze(&snap("frontend"));
        assert_eq!(f.len(), 1);
        let p = f[0].changes[0].proposed.clone().unwrap();
        assert_eq!(
            p[0]["from"][0]["podSelector"]["matchLabels"],
            json!({"role": "web"})
        );
        assert_eq!(p[0]["ports"], json!([{"port": 6379}]));
        assert!(analyze(&snap("web")).is_empty());
    }
}
