//! The scheduler: binds each pending pod to the best scored node (see `scoring`) of those
//! that pass every filter (its claims bound, then per node: cordon, taints, node selector
//! and affinity, resources, inter-pod affinity and anti-affinity), else leaves it Pending
//! with `FailedScheduling` and the scheduler's own message.

pub(crate) mod filters;
mod inter_pod;
mod scoring;
mod volumes;

use std::collections::HashMap;

use filters::Free;

use serde_json::{Value, json};

use crate::events::{Kind, Recorder};
use crate::meta;
use crate::meta::ident;
use crate::resources::{NODE, POD};
use crate::store::{Store, UpdateScope};
use quantity::{bytes, cpu_milli};

/// CPU (millicores) and memory (bytes) a pod requests; limits stand in for absent requests.
pub fn requests(pod: &Value) -> (i64, i64) {
    let mut cpu = 0;
    let mut mem = 0;
    for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
        let r = &c["resources"];
        let get = |k: &str| {
            r["requests"][k]
                .as_str()
                .or_else(|| r["limits"][k].as_str())
                .map(str::to_string)
                .or_else(|| {
                    r["requests"][k]
                        .as_f64()
                        .or_else(|| r["limits"][k].as_f64())
                        .map(|f| f.to_string())
                })
        };
        cpu += get("cpu").and_then(|q| cpu_milli(&q)).unwrap_or(0);
        mem += get("memory").and_then(|q| bytes(&q)).unwrap_or(0);
    }
    (cpu, mem)
}

fn set_scheduled_condition(
    pod: &mut Value,
    status: &str,
    reason: Option<&str>,
    message: Option<&str>,
) {
    let mut conds: Vec<Value> = pod["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    conds.retain(|c| c["type"] != "PodScheduled");
    let mut c = json!({"type": "PodScheduled", "status": status, "lastProbeTime": null, "lastTransitionTime": meta::now()});
    if let Some(r) = reason {
        c["reason"] = json!(r);
    }
    if let Some(m) = message {
        c["message"] = json!(m);
    }
    conds.insert(0, c);
    pod["status"]["conditions"] = json!(conds);
}

/// What a node has for pods in all (`status.allocatable`).
fn allocatable(node: &Value) -> Free {
    let alloc = &node["status"]["allocatable"];
    let amount =
        |k: &str, parse: fn(&str) -> Option<i64>| alloc[k].as_str().and_then(parse).unwrap_or(0);
    Free {
        cpu: amount("cpu", cpu_milli),
        memory: amount("memory", bytes),
        pods: alloc["pods"]
            .as_str()
            .and_then(|p| p.parse().ok())
            .unwrap_or(110),
    }
}

/// What every node has left once the pods bound to it are counted.
fn free_per_node(
    nodes: &[std::sync::Arc<Value>],
    pods: &[std::sync::Arc<Value>],
) -> HashMap<String, Free> {
    let mut free: HashMap<String, Free> = nodes
        .iter()
        .map(|n| {
            (
                n["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                allocatable(n),
            )
        })
        .collect();
    for p in pods
        .iter()
        .filter(|p| !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
    {
        if let Some(f) = p["spec"]["nodeName"].as_str().and_then(|n| free.get_mut(n)) {
            let (cpu, mem) = requests(p);
            f.cpu -= cpu;
            f.memory -= mem;
            f.pods -= 1;
        }
    }
    free
}

/// Why `node` cannot take `pod` (empty: it can): the first filter that fails, as
/// kube-scheduler stops at it; resources report every one short.
fn rejections(
    pod: &Value,
    node: &Value,
    free: Free,
    nodes: &[&Value],
    placed: &[inter_pod::Placed],
) -> Vec<filters::Rejection> {
    let first = filters::cordoned(pod, node)
        .or_else(|| filters::untolerated_taint(pod, node))
        .or_else(|| filters::affinity(pod, node));
    if let Some(r) = first {
        return vec![r];
    }
    let short = filters::resources(requests(pod), free);
    if !short.is_empty() {
        return short;
    }
    inter_pod::check(pod, node, nodes, placed)
        .into_iter()
        .collect()
}

/// One pass over unscheduled pods.
pub fn reconcile(store: &Store, rec: &mut Recorder) {
    let pods_rt = &POD;
    let mut nodes = store.all_shared(&NODE);
    if nodes.is_empty() {
        return;
    }
    nodes.sort_by(|a, b| {
        a["metadata"]["name"]
            .as_str()
            .cmp(&b["metadata"]["name"].as_str())
    });
    let mut pods = store.all_shared(pods_rt);
    pods.sort_by(|a, b| {
        a["metadata"]["creationTimestamp"]
            .as_str()
            .cmp(&b["metadata"]["creationTimestamp"].as_str())
    });
    let mut free = free_per_node(&nodes, &pods);
    let node_refs: Vec<&Value> = nodes.iter().map(|n| n.as_ref()).collect();
    // Where pods are, for inter-pod affinity; pods bound in this pass are added as they go.
    let mut placed: Vec<inter_pod::Placed> = pods
        .iter()
        .filter(|p| !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
        .filter_map(|p| {
            let node = p["spec"]["nodeName"].as_str().filter(|n| !n.is_empty())?;
            Some(inter_pod::Placed::of(p, node))
        })
        .collect();
    let ours = |p: &Value| {
        p["spec"]["schedulerName"]
            .as_str()
            .is_none_or(|s| s == "default-scheduler")
    };
    for pod in pods
        .iter()
        .filter(|p| p["spec"]["nodeName"].as_str().is_none_or(str::is_empty) && ours(p))
    {
        match volumes::check(store, pod) {
            volumes::Claims::Ready => {}
            volumes::Claims::Provisioning => continue,
            volumes::Claims::Blocked(reason) => {
                let message = filters::prefilter_message(nodes.len(), &reason);
                mark_unschedulable(store, rec, pod, &message);
                continue;
            }
        }
        let (name, ns, _) = ident(pod);
        let mut refused = Vec::new();
        let mut fits: Vec<scoring::Candidate> = Vec::new();
        for node in &nodes {
            let node_name = node["metadata"]["name"].as_str().unwrap_or_default();
            let left = free.get(node_name).copied().unwrap_or_default();
            let r = rejections(pod, node, left, &node_refs, &placed);
            if r.is_empty() {
                fits.push(scoring::Candidate {
                    node,
                    free: left,
                    allocatable: allocatable(node),
                });
            } else {
                refused.push(r);
            }
        }
        if let Some(best) = scoring::best(pod, &fits, &node_refs, &placed) {
            let node_name = fits[best].node["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            placed.push(inter_pod::Placed::of(pod, &node_name));
            let (cpu, mem) = requests(pod);
            if let Some(f) = free.get_mut(&node_name) {
                f.cpu -= cpu;
                f.memory -= mem;
                f.pods -= 1;
            }
            let bound = store.modify(pods_rt, &ns, &name, |p| {
                p["spec"]["nodeName"] = json!(node_name);
                set_scheduled_condition(p, "True", None, None);
                Ok(())
            });
            if let Ok(p) = bound {
                rec.record(
                    store,
                    &p,
                    Kind::Normal,
                    "Scheduled",
                    &format!("Successfully assigned {ns}/{name} to {node_name}"),
                    "default-scheduler",
                );
            }
            continue;
        }
        let message = filters::no_node_message(nodes.len(), &refused);
        mark_unschedulable(store, rec, pod, &message);
    }
}

/// Leaves the pod Pending with the scheduler's condition and event (once per message).
fn mark_unschedulable(store: &Store, rec: &mut Recorder, pod: &Value, message: &str) {
    let (name, ns, _) = ident(pod);
    let already = pod["status"]["conditions"].as_array().is_some_and(|c| {
        c.iter()
            .any(|c| c["type"] == "PodScheduled" && c["message"] == message)
    });
    if already {
        return;
    }
    let mut next = pod.clone();
    set_scheduled_condition(&mut next, "False", Some("Unschedulable"), Some(message));
    if let Ok(p) = store.update(&POD, &ns, &name, next, UpdateScope::Status) {
        rec.record(
            store,
            &p,
            Kind::Warning,
            "FailedScheduling",
            message,
            "default-scheduler",
        );
    }
}
