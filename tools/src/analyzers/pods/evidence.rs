//! What the cluster itself says a broken pod's fields should be: requests that fit the
//! room the nodes have, the image a ready ReplicaSet of the same Deployment runs, the
//! ConfigMap or Secret that has a missing key, probe timings below Kubernetes' defaults.

use serde_json::{Value, json};

use crate::analyzers::owner_of;
use crate::repair::FieldChange;
use crate::snapshot::{Snapshot, pod_requests, unscheduled};

/// One mebibyte in thousandths, the unit memory proposals are rounded down to.
const MIB_MILLI: i128 = 1024 * 1024 * 1000;
/// Ten millicores, the unit CPU proposals are rounded down to.
const CPU_STEP: i128 = 10;

/// The requests that would let every pending pod of `owner` fit on the node with the most
/// room, for each resource the scheduler's message says is short.
pub fn requests_that_fit(snap: &Snapshot, pod: &Value, owner: &str, msg: &str) -> Vec<FieldChange> {
    let pending = snap
        .pods
        .iter()
        .filter(|p| owner_of(snap, p) == owner && unscheduled(p))
        .count()
        .max(1) as i128;
    // Room for the extra pods a rolling update starts too, or the next rollout cannot.
    let surge = snap
        .deployments
        .iter()
        .find(|d| {
            owner
                == format!(
                    "deployment/{}",
                    d["metadata"]["name"].as_str().unwrap_or_default()
                )
        })
        .map_or(0, surge_of);
    let sharing = pending + surge;
    let (pod_cpu, pod_mem) = pod_requests(pod);
    let mut out = Vec::new();
    for (resource, short, total, room, step) in [
        (
            "cpu",
            "Insufficient cpu",
            pod_cpu,
            snap.node_room.iter().map(|n| n.cpu_milli).max(),
            CPU_STEP,
        ),
        (
            "memory",
            "Insufficient memory",
            pod_mem,
            snap.node_room.iter().map(|n| n.memory_milli).max(),
            MIB_MILLI,
        ),
    ] {
        if !msg.contains(short) || total <= 0 {
            continue;
        }
        let budget = room.filter(|r| *r > 0).map(|r| r / sharing);
        for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
            let Some(current) = c["resources"]["requests"][resource].as_str() else {
                continue;
            };
            let Some(req) = quantity::milli(current) else {
                continue;
            };
            // This container's share of what one pod may request, rounded down.
            let proposed = budget
                .map(|b| (req * b / total) / step * step)
                .filter(|p| *p > 0 && *p < req);
            out.push(FieldChange {
                init: false,
                object: owner.to_string(),
                container: c["name"].as_str().map(str::to_string),
                field: format!("resources.requests.{resource}"),
                current: json!(current),
                proposed: proposed.map(|p| json!(quantity::format_milli(p))),
                basis: if proposed.is_some() {
                    format!(
                        "what the roomiest node has left, shared by {pending} pending pod(s) and {surge} a rollout adds"
                    )
                } else {
                    String::new()
                },
            });
        }
    }
    out
}

/// How many pods a Deployment's rolling update may add beyond its replicas (`maxSurge`, a
/// count or a percentage rounded up; 25% when unset), as the Deployment controller counts.
fn surge_of(d: &Value) -> i128 {
    if d["spec"]["strategy"]["type"] == "Recreate" {
        return 0;
    }
    let replicas = i128::from(d["spec"]["replicas"].as_i64().unwrap_or(1));
    match &d["spec"]["strategy"]["rollingUpdate"]["maxSurge"] {
        Value::Number(n) => i128::from(n.as_i64().unwrap_or(0)),
        Value::String(p) => p
            .strip_suffix('%')
            .and_then(|p| p.parse::<i128>().ok())
            .map_or(0, |pct| (replicas * pct + 99) / 100),
        _ => (replicas * 25 + 99) / 100,
    }
}

/// The image a ready ReplicaSet of the same Deployment runs for container `cname`, when it
/// differs from this pod's: (image, ReplicaSet name), the newest such ReplicaSet.
pub fn last_good_image(snap: &Snapshot, pod: &Value, cname: &str) -> Option<(String, String)> {
    let image_of = |tpl: &Value| {
        tpl["spec"]["containers"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["name"] == cname))
            .and_then(|c| c["image"].as_str())
            .map(str::to_string)
    };
    let current = image_of(pod)?;
    let (_, siblings) = super::last_good::ready_siblings(snap, pod)?;
    siblings.into_iter().find_map(|r| {
        let image = image_of(&r["spec"]["template"]).filter(|i| *i != current)?;
        Some((image, r["metadata"]["name"].as_str()?.to_string()))
    })
}

/// Whether a ConfigMap or Secret of the snapshot has `key` (Secrets in a snapshot list their
/// keys; ConfigMaps keep their data).
pub fn has_key(o: &Value, key: &str) -> bool {
    let data = &o["data"];
    data.as_array()
        .is_some_and(|keys| keys.iter().any(|x| x == key))
        || !data[key].is_null()
}

/// A ConfigMap or Secret a container cannot be created without, read from the kubelet's
/// message, with the one object of that kind that has the missing key, if exactly one does.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingRef {
    /// `Secret` or `ConfigMap`.
    pub kind: &'static str,
    /// The name the pod refers to.
    pub name: String,
    /// The key it wants, when the message names one.
    pub key: Option<String>,
    /// Another object of the kind that has the key.
    pub holder: Option<String>,
}

/// Reads `secret "x" not found` and `couldn't find key K in Secret ns/x` (and the same for
/// configmaps), as the kubelet words them.
pub fn config_ref(snap: &Snapshot, msg: &str) -> Option<MissingRef> {
    let (kind, name, key) = if let Some(rest) = msg.strip_prefix("couldn't find key ") {
        let (key, rest) = rest.split_once(" in ")?;
        let (kind, path) = rest.split_once(' ')?;
        let name = path.rsplit('/').next()?.trim();
        (kind, name.to_string(), Some(key.to_string()))
    } else {
        let (kind, rest) = msg.split_once(" \"")?;
        let (name, tail) = rest.split_once('"')?;
        if tail.trim() != "not found" {
            return None;
        }
        (kind, name.to_string(), None)
    };
    let (kind, objects): (&'static str, &[Value]) = match kind.to_ascii_lowercase().as_str() {
        "secret" => ("Secret", &snap.secrets),
        "configmap" => ("ConfigMap", &snap.configmaps),
        _ => return None,
    };
    let holders: Vec<String> = key
        .as_deref()
        .map(|k| {
            objects
                .iter()
                .filter(|o| o["metadata"]["name"] != name.as_str() && has_key(o, k))
                .filter_map(|o| o["metadata"]["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Some(MissingRef {
        kind,
        name,
        key,
        holder: (holders.len() == 1).then(|| holders[0].clone()),
    })
}

/// Kubernetes' defaults for probe timings (`initialDelaySeconds` has none to return to).
const PROBE_DEFAULTS: [(&str, i64); 3] = [
    ("periodSeconds", 10),
    ("timeoutSeconds", 1),
    ("failureThreshold", 3),
];

/// A probe's timing fields, each with Kubernetes' default as the proposal when it is
/// stricter than that; the release's history, where it has one, says more.
pub fn probe_timing(owner: &str, cname: &str, probe: &Value, field: &str) -> Vec<FieldChange> {
    [
        "initialDelaySeconds",
        "periodSeconds",
        "timeoutSeconds",
        "failureThreshold",
    ]
    .iter()
    .filter_map(|name| {
        let current = probe[*name].as_i64()?;
        let default = PROBE_DEFAULTS
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| *d);
        let stricter = default.filter(|d| match *name {
            // A shorter period is stricter only together with few failures; leave it.
            "periodSeconds" => false,
            _ => current < *d,
        });
        Some(FieldChange {
            init: false,
            object: owner.to_string(),
            container: Some(cname.to_string()),
            field: format!("{field}.{name}"),
            current: json!(current),
            proposed: stricter.map(|d| json!(d)),
            basis: if stricter.is_some() {
                "Kubernetes' default".into()
            } else {
                String::new()
            },
        })
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{NodeRoom, Snapshot};

    fn pod(name: &str, rs: &str, image: &str, cpu: &str, pending: bool) -> Value {
        json!({
            "metadata": {"name": name, "ownerReferences": [{"kind": "ReplicaSet", "name": rs}]},
            "spec": {"containers": [{"name": "app", "image": image, "resources": {"requests": {"cpu": cpu, "memory": "1Gi"}}}]},
            "status": {"conditions": [{"type": "PodScheduled", "status": if pending {"False"} else {"True"}}]}
        })
    }

    fn rs(name: &str, rev: &str, image: &str, ready: i64) -> Value {
        json!({
            "metadata": {"name": name, "ownerReferences": [{"kind": "Deployment", "name": "web"}], "annotations": {"deployment.kubernetes.io/revision": rev}},
            "spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}},
            "status": {"readyReplicas": ready}
        })
    }

    #[test]
    fn requests_are_cut_to_what_the_roomiest_node_has_for_each_pending_pod() {
        let p1 = pod("a", "web-2", "web:2", "3", true);
        let snap = Snapshot {
            pods: vec![p1.clone(), pod("b", "web-2", "web:2", "3", true)],
            replicasets: vec![rs("web-2", "2", "web:2", 0)],
            node_room: vec![
                NodeRoom {
                    node: "n1".into(),
                    cpu_milli: 905,
                    memory_milli: 0,
                },
                NodeRoom {
                    node: "n2".into(),
                    cpu_milli: 1_505,
                    memory_milli: 0,
                },
            ],
            ..Default::default()
        };
        let c = requests_that_fit(
            &snap,
            &p1,
            "deployment/web",
            "0/2 nodes are available: 2 Insufficient cpu.",
        );
        assert_eq!(c.len(), 1, "memory is not short: {c:?}");
        assert_eq!(c[0].field, "resources.requests.cpu");
        // 1505m shared by two pending pods, rounded down to 10m (no Deployment: no surge).
        assert_eq!(c[0].proposed, Some(json!("750m")));
        // A Deployment of 2 with the default 25% surge: one more pod to make room for.
        let mut with_deployment = snap.clone();
        with_deployment.deployments =
            vec![json!({"metadata": {"name": "web"}, "spec": {"replicas": 2}})];
        let c = requests_that_fit(&with_deployment, &p1, "deployment/web", "Insufficient cpu");
        assert_eq!(c[0].proposed, Some(json!("500m")));
        // A full node gives no proposal, only the field.
        let full = Snapshot {
            node_room: vec![NodeRoom {
                node: "n".into(),
                cpu_milli: -5,
                memory_milli: 0,
            }],
            ..snap
        };
        assert_eq!(
            requests_that_fit(&full, &p1, "deployment/web", "Insufficient cpu")[0].proposed,
            None
        );
    }

    #[test]
    fn the_last_good_image_is_the_newest_ready_sibling_replicaset_s() {
        let bad = pod("a", "web-3", "web:typo", "1", false);
        let snap = Snapshot {
            replicasets: vec![
                rs("web-3", "3", "web:typo", 0),
                rs("web-1", "1", "web:1", 1),
                rs("web-2", "2", "web:2", 2),
                rs("other", "9", "x:1", 1),
            ],
            ..Default::default()
        };
        let mut snap = snap;
        snap.replicasets[3]["metadata"]["ownerReferences"][0]["name"] = json!("other-deploy");
        assert_eq!(
            last_good_image(&snap, &bad, "app"),
            Some(("web:2".into(), "web-2".into()))
        );
        snap.replicasets.truncate(1);
        assert_eq!(last_good_image(&snap, &bad, "app"), None);
    }

    #[test]
    fn kubelet_messages_name_the_object_key_and_the_one_that_has_the_key() {
        let snap = Snapshot {
            secrets: vec![
                json!({"metadata": {"name": "app-secrets"}, "data": ["DATABASE_URL", "TOKEN"]}),
                json!({"metadata": {"name": "other"}, "data": ["X"]}),
            ],
            configmaps: vec![json!({"metadata": {"name": "cfg"}, "data": {"MODE": "a"}})],
            ..Default::default()
        };
        let m = config_ref(&snap, "couldn't find key TOKEN in Secret default/mine").unwrap();
        assert_eq!(
            (
                m.kind,
                m.name.as_str(),
                m.key.as_deref(),
                m.holder.as_deref()
            ),
            ("Secret", "mine", Some("TOKEN"), Some("app-secrets"))
        );
        let m = config_ref(&snap, "configmap \"settings\" not found").unwrap();
        assert_eq!(
            (m.kind, m.name.as_str(), m.holder),
            ("ConfigMap", "settings", None)
        );
        let m = config_ref(&snap, "couldn't find key MODE in ConfigMap default/cfg2").unwrap();
        assert_eq!(m.holder.as_deref(), Some("cfg"));
        assert!(config_ref(&snap, "something else").is_none());
    }

    #[test]
    fn probe_timings_stricter_than_kubernetes_defaults_are_proposed_back() {
        let probe = json!({"initialDelaySeconds": 0, "periodSeconds": 2, "timeoutSeconds": 1, "failureThreshold": 1});
        let c = probe_timing("deployment/web", "app", &probe, "livenessProbe");
        let proposed: Vec<(String, Option<Value>)> = c
            .iter()
            .map(|c| (c.field.clone(), c.proposed.clone()))
            .collect();
        assert_eq!(
            proposed,
            [
                ("livenessProbe.initialDelaySeconds".to_string(), None),
                ("livenessProbe.periodSeconds".to_string(), None),
                ("livenessProbe.timeoutSeconds".to_string(), None),
                ("livenessProbe.failureThreshold".to_string(), Some(json!(3))),
            ]
        );
    }
}
