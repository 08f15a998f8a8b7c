//! The ReplicaSet controller: keeps `spec.replicas` pods from the template, reports counts.

use serde_json::{Value, json};

use crate::events::{Kind, Recorder};
use crate::meta::{ident, owned_by};
use crate::resources::{POD, REPLICA_SET};
use crate::store::{Store, UpdateScope};

/// Whether a pod is Ready.
pub fn pod_ready(p: &Value) -> bool {
    p["status"]["conditions"].as_array().is_some_and(|c| {
        c.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    })
}

fn pod_from_template(rs: &Value) -> Value {
    let (name, _, uid) = ident(rs);
    let t = &rs["spec"]["template"];
    json!({
        "metadata": {
            "generateName": format!("{name}-"),
            "labels": t["metadata"]["labels"],
            "annotations": t["metadata"]["annotations"],
            "ownerReferences": [{
                "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": name, "uid": uid,
                "controller": true, "blockOwnerDeletion": true,
            }],
        },
        "spec": t["spec"],
    })
}

/// One pass over every ReplicaSet.
pub fn reconcile(store: &Store, rec: &mut Recorder) {
    let pods_rt = &POD;
    let all_pods = store.all_shared(pods_rt);
    for rs in store.all(&REPLICA_SET) {
        let (name, ns, uid) = ident(&rs);
        let mut pods: Vec<&Value> = all_pods
            .iter()
            .map(|p| &**p)
            .filter(|p| owned_by(p, &uid))
            .collect();
        let want = rs["spec"]["replicas"].as_i64().unwrap_or(1).max(0) as usize;
        if pods.len() < want {
            for _ in pods.len()..want {
                match store.create(pods_rt, &ns, pod_from_template(&rs)) {
                    Ok(p) => {
                        let msg = format!(
                            "Created pod: {}",
                            p["metadata"]["name"].as_str().unwrap_or_default()
                        );
                        rec.record(
                            store,
                            &rs,
                            Kind::Normal,
                            "SuccessfulCreate",
                            &msg,
                            "replicaset-controller",
                        );
                    }
                    Err(e) => {
                        rec.record(
                            store,
                            &rs,
                            Kind::Warning,
                            "FailedCreate",
                            &format!("Error creating: {e}"),
                            "replicaset-controller",
                        );
                        break;
                    }
                }
            }
        } else if pods.len() > want {
            // Unscheduled first, then not ready, then the newest.
            pods.sort_by_key(|p| {
                (
                    p["spec"]["nodeName"].is_string(),
                    pod_ready(p),
                    std::cmp::Reverse(
                        p["metadata"]["creationTimestamp"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                    ),
                )
            });
            for p in pods.iter().take(pods.len() - want) {
                let (pname, _, _) = ident(p);
                if store.delete(pods_rt, &ns, &pname).is_ok() {
                    rec.record(
                        store,
                        &rs,
                        Kind::Normal,
                        "SuccessfulDelete",
                        &format!("Deleted pod: {pname}"),
                        "replicaset-controller",
                    );
                }
            }
        }
        let pods: Vec<Value> = store
            .all(pods_rt)
            .into_iter()
            .filter(|p| owned_by(p, &uid))
            .collect();
        let ready = pods.iter().filter(|p| pod_ready(p)).count();
        let status = json!({
            "replicas": pods.len(),
            "fullyLabeledReplicas": pods.len(),
            "readyReplicas": ready,
            "availableReplicas": ready,
            "observedGeneration": rs["metadata"]["generation"],
        });
        if rs["status"] != status {
            let mut next = rs.clone();
            next["status"] = status;
            let _ = store.update(&REPLICA_SET, &ns, &name, next, UpdateScope::Status);
        }
    }
}
