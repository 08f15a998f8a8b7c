//! The DaemonSet controller: one pod per node the template's selector, affinity and taints
//! allow, pinned to that node by a required node affinity on its name (the scheduler binds
//! it), with the tolerations the controller adds; old pods replaced one at a time.

use std::sync::Arc;

use serde_json::{Value, json};

use super::deployment::template_hash;
use super::scheduler::filters;
use super::workload::{
    PodName, create_pod, delete_pod_of, finished, pod_from_template, pods_of, ready, write_status,
};
use crate::events::Recorder;
use crate::meta::ident;
use crate::resources::{DAEMON_SET, NODE, POD};
use crate::store::Store;

const COMPONENT: &str = "daemonset-controller";
const REVISION_LABEL: &str = "controller-revision-hash";

/// The tolerations every daemon pod gets, so node conditions and cordons do not evict it.
fn daemon_tolerations(spec: &mut Value) {
    let mut added = vec![
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    if spec["hostNetwork"] == true {
        added.push(("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    if !spec["tolerations"].is_array() {
        spec["tolerations"] = json!([]);
    }
    let Some(list) = spec["tolerations"].as_array_mut() else {
        return;
    };
    for (key, effect) in added {
        if !list
            .iter()
            .any(|t| t["key"] == key && t["effect"] == effect)
        {
            list.push(json!({"key": key, "operator": "Exists", "effect": effect}));
        }
    }
}

fn node_name_of(pod: &Value) -> Option<String> {
    if let Some(n) = pod["spec"]["nodeName"].as_str() {
        return Some(n.to_string());
    }
    pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
        .as_array()?
        .iter()
        .flat_map(|t| t["matchFields"].as_array().cloned().unwrap_or_default())
        .find(|f| f["key"] == "metadata.name")?["values"][0]
        .as_str()
        .map(str::to_string)
}

/// The pod the set runs on `node`.
fn daemon_pod(set: &Value, node: &str, revision: &str) -> Value {
    let (name, _, _) = ident(set);
    let mut template = set["spec"]["template"].clone();
    template["metadata"]["labels"][REVISION_LABEL] = json!(revision);
    template["metadata"]["labels"]["pod-template-generation"] = json!(
        set["metadata"]["generation"]
            .as_i64()
            .unwrap_or(1)
            .to_string()
    );
    let spec = &mut template["spec"];
    daemon_tolerations(spec);
    spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = json!({
        "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]
    });
    pod_from_template(&template, set, PodName::Prefix(format!("{name}-")))
}

/// Whether the set should run on `node`: its selector and affinity match and every
/// NoSchedule/NoExecute taint is tolerated.
fn should_run(set: &Value, node: &Value) -> bool {
    let probe = probe_pod(set);
    filters::affinity(&probe, node).is_none() && filters::untolerated_taint(&probe, node).is_none()
}

/// Whether a pod already on `node` may stay: a new NoSchedule taint does not evict it,
/// a NoExecute one (or a selector that no longer matches) does.
fn may_stay(set: &Value, node: &Value) -> bool {
    let probe = probe_pod(set);
    let no_execute = node["spec"]["taints"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["effect"] == "NoExecute");
    let evicting = no_execute.into_iter().any(|t| {
        let only = json!({"spec": {"taints": [t]}});
        filters::untolerated_taint(&probe, &only).is_some()
    });
    filters::affinity(&probe, node).is_none() && !evicting
}

fn probe_pod(set: &Value) -> Value {
    let mut probe = json!({"spec": set["spec"]["template"]["spec"].clone()});
    daemon_tolerations(&mut probe["spec"]);
    probe
}

/// One pass over every DaemonSet.
pub fn reconcile(store: &Store, rec: &mut Recorder) {
    let nodes = store.all(&NODE);
    let all_pods = store.all_shared(&POD);
    for set in store.all(&DAEMON_SET) {
        let (_, _, uid) = ident(&set);
        let revision = template_hash(&set["spec"]["template"]);
        let pods = pods_of(&all_pods, &uid);
        sync(store, rec, &set, &nodes, &pods, &revision);
        update_status(store, &set, &nodes, &revision);
    }
}

fn sync(
    store: &Store,
    rec: &mut Recorder,
    set: &Value,
    nodes: &[Value],
    pods: &[Arc<Value>],
    revision: &str,
) {
    let delete = |rec: &mut Recorder, p: &Value| {
        delete_pod_of(store, rec, set, p, COMPONENT);
    };
    for p in pods.iter().filter(|p| p["status"]["phase"] == "Failed") {
        delete(rec, p);
    }
    let live: Vec<&Arc<Value>> = pods.iter().filter(|p| !finished(p)).collect();
    for node in nodes {
        let node_name = node["metadata"]["name"].as_str().unwrap_or_default();
        let here: Vec<&&Arc<Value>> = live
            .iter()
            .filter(|p| node_name_of(p).as_deref() == Some(node_name))
            .collect();
        if !should_run(set, node) {
            if !may_stay(set, node) {
                for p in here {
                    delete(rec, p);
                }
            }
            continue;
        }
        if here.is_empty() {
            create_pod(
                store,
                rec,
                set,
                daemon_pod(set, node_name, revision),
                COMPONENT,
            );
        }
        for extra in here.iter().skip(1) {
            delete(rec, extra);
        }
    }
    // Rolling update with maxUnavailable 1: replace one old pod while the rest are ready.
    if set["spec"]["updateStrategy"]["type"] == "RollingUpdate"
        && live.iter().all(|p| ready(p))
        && let Some(old) = live
            .iter()
            .find(|p| p["metadata"]["labels"][REVISION_LABEL] != revision)
    {
        delete(rec, old);
    }
}

fn update_status(store: &Store, set: &Value, nodes: &[Value], revision: &str) {
    let (name, ns, uid) = ident(set);
    let Ok(set) = store.get(&DAEMON_SET, &ns, &name) else {
        return;
    };
    let pods: Vec<Arc<Value>> = pods_of(&store.all_shared(&POD), &uid)
        .into_iter()
        .filter(|p| !finished(p))
        .collect();
    let eligible: Vec<&str> = nodes
        .iter()
        .filter(|n| should_run(&set, n))
        .filter_map(|n| n["metadata"]["name"].as_str())
        .collect();
    let on = |p: &Value| p["spec"]["nodeName"].as_str().map(str::to_string);
    let scheduled: Vec<&Arc<Value>> = pods.iter().filter(|p| on(p).is_some()).collect();
    let current = scheduled
        .iter()
        .filter(|p| on(p).is_some_and(|n| eligible.contains(&n.as_str())))
        .count();
    let ready_count = scheduled.iter().filter(|p| ready(p)).count();
    let updated = scheduled
        .iter()
        .filter(|p| p["metadata"]["labels"][REVISION_LABEL] == revision)
        .count();
    let desired = eligible.len();
    let mut status = json!({
        "observedGeneration": set["metadata"]["generation"],
        "desiredNumberScheduled": desired,
        "currentNumberScheduled": current,
        "numberMisscheduled": scheduled.len() - current,
        "numberReady": ready_count,
    });
    if updated > 0 {
        status["updatedNumberScheduled"] = json!(updated);
    }
    if ready_count > 0 {
        status["numberAvailable"] = json!(ready_count);
    }
    if desired > ready_count {
        status["numberUnavailable"] = json!(desired - ready_count);
    }
    write_status(store, &DAEMON_SET, &set, status);
}
