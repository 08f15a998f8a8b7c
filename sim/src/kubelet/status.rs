//! Writing a container's state into its pod's status, and the pod-level phase and
//! conditions that follow from all containers.

use serde_json::{Value, json};

use crate::meta;
use crate::resources::POD;
use crate::store::Store;

/// Whether the init containers have all completed; `Err` names the ones not done.
fn initialized(pod: &Value) -> Result<(), Vec<String>> {
    let statuses = pod["status"]["initContainerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let pending: Vec<String> = pod["spec"]["initContainers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .filter(|name| {
            !statuses
                .iter()
                .any(|s| s["name"] == *name && s["state"]["terminated"]["exitCode"] == 0)
        })
        .map(str::to_string)
        .collect();
    if pending.is_empty() {
        Ok(())
    } else {
        Err(pending)
    }
}

fn recompute(pod: &mut Value) {
    let now = meta::now();
    let init_failed = pod["spec"]["restartPolicy"] == "Never"
        && pod["status"]["initContainerStatuses"]
            .as_array()
            .is_some_and(|s| {
                s.iter().any(|c| {
                    c["state"]["terminated"]["exitCode"]
                        .as_i64()
                        .is_some_and(|x| x != 0)
                })
            });
    let init = initialized(pod);
    let statuses = pod["status"]["containerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let total = pod["spec"]["containers"].as_array().map_or(0, Vec::len);
    let all_ready = statuses.len() == total && statuses.iter().all(|c| c["ready"] == true);
    let started = statuses
        .iter()
        .any(|c| c["state"]["running"].is_object() || c["lastState"]["terminated"].is_object());
    let terminal = pod["spec"]["restartPolicy"] != "Always"
        && statuses.len() == total
        && statuses
            .iter()
            .all(|c| c["state"]["terminated"].is_object());
    let phase = if init_failed {
        "Failed"
    } else if init.is_err() {
        "Pending"
    } else if terminal {
        if statuses
            .iter()
            .all(|c| c["state"]["terminated"]["exitCode"] == 0)
        {
            "Succeeded"
        } else {
            "Failed"
        }
    } else if started {
        "Running"
    } else {
        "Pending"
    };
    pod["status"]["phase"] = json!(phase);
    let mut conds: Vec<Value> = pod["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut set = |t: &str, ok: bool, reason: Option<&str>, message: Option<String>| {
        let status = if ok { "True" } else { "False" };
        if let Some(c) = conds.iter_mut().find(|c| c["type"] == t) {
            if c["status"] != status {
                c["status"] = json!(status);
                c["lastTransitionTime"] = json!(now);
            }
            match reason {
                Some(r) if !ok => c["reason"] = json!(r),
                _ => {
                    if let Some(m) = c.as_object_mut() {
                        m.remove("reason");
                    }
                }
            }
            match &message {
                Some(m) if !ok => c["message"] = json!(m),
                _ => {
                    if let Some(m) = c.as_object_mut() {
                        m.remove("message");
                    }
                }
            }
        } else {
            let mut c = json!({"type": t, "status": status, "lastProbeTime": null, "lastTransitionTime": now});
            if let (Some(r), false) = (reason, ok) {
                c["reason"] = json!(r);
            }
            if let (Some(m), false) = (message, ok) {
                c["message"] = json!(m);
            }
            conds.push(c);
        }
    };
    let unready: Vec<&str> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .filter(|n| {
            !statuses
                .iter()
                .any(|s| s["name"] == *n && s["ready"] == true)
        })
        .collect();
    let unready = Some(format!(
        "containers with unready status: [{}]",
        unready.join(" ")
    ));
    set("PodReadyToStartContainers", true, None, None);
    match &init {
        Ok(()) => set("Initialized", true, None, None),
        Err(pending) => set(
            "Initialized",
            false,
            Some("ContainersNotInitialized"),
            Some(format!(
                "containers with incomplete status: [{}]",
                pending.join(" ")
            )),
        ),
    }
    set(
        "Ready",
        all_ready,
        Some("ContainersNotReady"),
        unready.clone(),
    );
    set(
        "ContainersReady",
        all_ready,
        Some("ContainersNotReady"),
        unready,
    );
    set("PodScheduled", true, None, None);
    pod["status"]["conditions"] = json!(conds);
    pod["status"]["hostIP"] = json!("127.0.0.1");
    pod["status"]["hostIPs"] = json!([{"ip": "127.0.0.1"}]);
    // A pod on the cluster network has its own address (see `record_pod_ip`); without
    // one it shares this machine's.
    if !pod["status"]["podIP"].is_string() {
        pod["status"]["podIP"] = json!("127.0.0.1");
        pod["status"]["podIPs"] = json!([{"ip": "127.0.0.1"}]);
    }
    if pod["status"]["startTime"].is_null() {
        pod["status"]["startTime"] = json!(now);
    }
}

/// Applies `f` to the status of container `name` (created if absent), then recomputes the
/// pod's phase and conditions. Returns the pod after the change, if it still exists.
pub fn update<F>(store: &Store, ns: &str, pod: &str, container: &Value, f: F) -> Option<Value>
where
    F: FnOnce(&mut Value),
{
    let name = container["name"].as_str().unwrap_or_default().to_string();
    store
        .modify(&POD, ns, pod, |p| {
            let init = p["spec"]["initContainers"]
                .as_array()
                .is_some_and(|list| list.iter().any(|c| c["name"] == name.as_str()));
            let key = if init { "initContainerStatuses" } else { "containerStatuses" };
            let mut statuses: Vec<Value> = p["status"][key].as_array().cloned().unwrap_or_default();
            let i = match statuses.iter().position(|c| c["name"] == name.as_str()) {
                Some(i) => i,
                None => {
                    statuses.push(json!({
                        "name": name, "image": container["image"], "imageID": "", "ready": false, "started": false,
                        "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}, "lastState": {},
                    }));
                    statuses.len() - 1
                }
            };
            f(&mut statuses[i]);
            p["status"][key] = json!(statuses);
            recompute(p);
            Ok(())
        })
        .ok()
}

/// Records the address a pod got on the cluster network.
pub fn record_pod_ip(store: &Store, ns: &str, pod: &str, ip: &str) {
    let _ = store.modify(&POD, ns, pod, |p| {
        p["status"]["podIP"] = json!(ip);
        p["status"]["podIPs"] = json!([{ "ip": ip }]);
        Ok(())
    });
}

/// Records the host ports of a pod's containers.
pub fn record_host_ports(store: &Store, ns: &str, pod: &str, ports: &[(i64, u16)]) {
    let map: serde_json::Map<String, Value> = ports
        .iter()
        .map(|(c, h)| (c.to_string(), json!(h)))
        .collect();
    let text = Value::Object(map).to_string();
    let _ = store.modify(&POD, ns, pod, |p| {
        p["metadata"]["annotations"][crate::meta::HOST_PORTS] = json!(text);
        Ok(())
    });
}
