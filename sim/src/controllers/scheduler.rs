//! The scheduler: binds pods to the node when their requests fit its allocatable
//! resources, else leaves them Pending with `FailedScheduling`.

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

/// One pass over unscheduled pods.
pub fn reconcile(store: &Store, rec: &mut Recorder) {
    let pods_rt = &POD;
    let Some(node) = store.all(&NODE).into_iter().next() else {
        return;
    };
    let node_name = node["metadata"]["name"]
        .as_str()
        .unwrap_or("kubesim")
        .to_string();
    let alloc_cpu = node["status"]["allocatable"]["cpu"]
        .as_str()
        .and_then(cpu_milli)
        .unwrap_or(0);
    let alloc_mem = node["status"]["allocatable"]["memory"]
        .as_str()
        .and_then(bytes)
        .unwrap_or(0);
    let mut pods = store.all_shared(pods_rt);
    pods.sort_by(|a, b| {
        a["metadata"]["creationTimestamp"]
            .as_str()
            .cmp(&b["metadata"]["creationTimestamp"].as_str())
    });
    let (mut used_cpu, mut used_mem) = pods
        .iter()
        .filter(|p| {
            p["spec"]["nodeName"].is_string()
                && !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
        })
        .map(|p| requests(p))
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    for pod in pods.iter().filter(|p| !p["spec"]["nodeName"].is_string()) {
        let (name, ns, _) = ident(pod);
        let (cpu, mem) = requests(pod);
        let short_cpu = used_cpu + cpu > alloc_cpu;
        let short_mem = used_mem + mem > alloc_mem;
        if !short_cpu && !short_mem {
            used_cpu += cpu;
            used_mem += mem;
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
        let mut why = Vec::new();
        if short_cpu {
            why.push("1 Insufficient cpu");
        }
        if short_mem {
            why.push("1 Insufficient memory");
        }
        let message = format!(
            "0/1 nodes are available: {}. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
            why.join(", ")
        );
        let already = pod["status"]["conditions"].as_array().is_some_and(|c| {
            c.iter()
                .any(|c| c["type"] == "PodScheduled" && c["message"] == message.as_str())
        });
        if already {
            continue;
        }
        let mut next = (**pod).clone();
        set_scheduled_condition(&mut next, "False", Some("Unschedulable"), Some(&message));
        if let Ok(p) = store.update(pods_rt, &ns, &name, next, UpdateScope::Status) {
            rec.record(
                store,
                &p,
                Kind::Warning,
                "FailedScheduling",
                &message,
                "default-scheduler",
            );
        }
    }
}
