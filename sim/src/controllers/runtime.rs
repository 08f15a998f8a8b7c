//! The instant pod runtime: a scheduled pod is Running and Ready at once, with the events
//! a kubelet writes — except a Job's pod, which runs to completion at once (as kwok's
//! default stages do), so Jobs and CronJobs finish without processes; a deleted pod's
//! containers stop at once, so it is Terminating only until the next pass.

use serde_json::{Value, json};

use super::{ControllerConfig, PodRuntime};
use crate::events::{Kind, Recorder};
use crate::meta;
use crate::meta::ident;
use crate::resources::POD;
use crate::store::{Store, UpdateScope};

fn running_status(pod: &Value, ip: &str) -> Value {
    let now = meta::now();
    let cond = |t: &str| json!({"type": t, "status": "True", "lastProbeTime": null, "lastTransitionTime": now});
    let statuses: Vec<Value> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            json!({
                "name": c["name"], "image": c["image"], "imageID": format!("kubesim://{}", c["image"].as_str().unwrap_or_default()),
                "containerID": format!("kubesim://{}", meta::uid()), "ready": true, "started": true, "restartCount": 0,
                "state": {"running": {"startedAt": now}}, "lastState": {},
            })
        })
        .collect();
    let inits: Vec<Value> = pod["spec"]["initContainers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            json!({
                "name": c["name"], "image": c["image"], "imageID": format!("kubesim://{}", c["image"].as_str().unwrap_or_default()),
                "containerID": format!("kubesim://{}", meta::uid()), "ready": true, "started": false, "restartCount": 0,
                "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now, "finishedAt": now}}, "lastState": {},
            })
        })
        .collect();
    let mut status = json!({
        "phase": "Running",
        "conditions": [cond("PodReadyToStartContainers"), cond("Initialized"), cond("Ready"), cond("ContainersReady"), cond("PodScheduled")],
        "hostIP": "127.0.0.1",
        "hostIPs": [{"ip": "127.0.0.1"}],
        "podIP": ip,
        "podIPs": [{"ip": ip}],
        "startTime": now,
        "containerStatuses": statuses,
        "qosClass": pod["status"]["qosClass"],
    });
    if !inits.is_empty() {
        status["initContainerStatuses"] = json!(inits);
    }
    status
}

fn owned_by_job(pod: &Value) -> bool {
    pod["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|o| o["kind"] == "Job" && o["controller"] == true)
}

/// A running status turned into one that ran and exited 0.
fn complete(status: &mut Value) {
    let now = meta::now();
    status["phase"] = json!("Succeeded");
    for c in status["conditions"].as_array_mut().into_iter().flatten() {
        if matches!(c["type"].as_str(), Some("Ready" | "ContainersReady")) {
            c["status"] = json!("False");
            c["reason"] = json!("PodCompleted");
        }
    }
    for c in status["containerStatuses"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        let started = c["state"]["running"]["startedAt"].clone();
        c["ready"] = json!(false);
        c["started"] = json!(false);
        c["state"] = json!({"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": started, "finishedAt": now, "containerID": c["containerID"]}});
    }
}

/// One pass over scheduled pods that have not started.
pub fn reconcile(store: &Store, cfg: &ControllerConfig, rec: &mut Recorder) {
    if cfg.runtime != PodRuntime::Instant {
        return;
    }
    let pods_rt = &POD;
    for pod in store.all_shared(pods_rt) {
        // Its containers stop at once: a Terminating pod goes.
        if crate::graceful::terminating(&pod) {
            let (name, ns, uid) = ident(&pod);
            crate::graceful::finish(store, &ns, &name, &uid);
            continue;
        }
        if !pod["spec"]["nodeName"].is_string() || pod["status"]["phase"] != "Pending" {
            continue;
        }
        let (name, ns, _) = ident(&pod);
        let ip = format!("10.244.0.{}", 2 + (store.resource_version() % 250));
        let mut next = (*pod).clone();
        next["status"] = running_status(&pod, &ip);
        if owned_by_job(&pod) {
            complete(&mut next["status"]);
        }
        if let Ok(p) = store.update(pods_rt, &ns, &name, next, UpdateScope::Status) {
            for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
                let cname = c["name"].as_str().unwrap_or_default();
                let image = c["image"].as_str().unwrap_or_default();
                rec.record(
                    store,
                    &p,
                    Kind::Normal,
                    "Pulled",
                    &format!("Container image \"{image}\" already present on machine"),
                    "kubelet",
                );
                rec.record(
                    store,
                    &p,
                    Kind::Normal,
                    "Created",
                    &format!("Created container: {cname}"),
                    "kubelet",
                );
                rec.record(
                    store,
                    &p,
                    Kind::Normal,
                    "Started",
                    &format!("Started container {cname}"),
                    "kubelet",
                );
            }
        }
    }
}
