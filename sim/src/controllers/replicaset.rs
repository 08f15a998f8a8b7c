//! The ReplicaSet controller: keeps `spec.replicas` pods from the template, reports counts.

use serde_json::{Value, json};

use super::workload::{PodName, create_pod, delete_pod_of, pod_from_template};
use crate::events::Recorder;
use crate::graceful::terminating;
use crate::meta::{ident, owned_by};
use crate::resources::{POD, REPLICA_SET};
use crate::store::{Store, UpdateScope};

pub use super::workload::ready as pod_ready;

const COMPONENT: &str = "replicaset-controller";

/// One pass over every ReplicaSet.
pub fn reconcile(store: &Store, rec: &mut Recorder) {
    let pods_rt = &POD;
    let all_pods = store.all_shared(pods_rt);
    for rs in store.all(&REPLICA_SET) {
        let (name, ns, uid) = ident(&rs);
        // Pods being deleted no longer count: their replacements start at once.
        let mut pods: Vec<&Value> = all_pods
            .iter()
            .map(|p| &**p)
            .filter(|p| owned_by(p, &uid) && !terminating(p))
            .collect();
        let want = rs["spec"]["replicas"].as_i64().unwrap_or(1).max(0) as usize;
        if pods.len() < want {
            for _ in pods.len()..want {
                let pod = pod_from_template(
                    &rs["spec"]["template"],
                    &rs,
                    PodName::Prefix(format!("{name}-")),
                );
                if !create_pod(store, rec, &rs, pod, COMPONENT) {
                    break;
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
                delete_pod_of(store, rec, &rs, p, COMPONENT);
            }
        }
        let pods: Vec<Value> = store
            .all(pods_rt)
            .into_iter()
            .filter(|p| owned_by(p, &uid) && !terminating(p))
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
