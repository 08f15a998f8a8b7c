//! The VolumeBinding pre-filter: a pod whose claims are missing or unbound cannot go to
//! any node, so kube-scheduler says so once for the pod rather than per node.

use serde_json::Value;

use crate::resources::{PVC, STORAGE_CLASS};
use crate::store::Store;

/// What the pod's claims allow.
#[derive(Debug, PartialEq, Eq)]
pub enum Claims {
    /// Every claim is bound (or the pod has none).
    Ready,
    /// A claim waits for its first consumer to be provisioned; try again later, quietly.
    Provisioning,
    /// The pod cannot be scheduled: the scheduler's reason.
    Blocked(String),
}

/// Checks the pod's PersistentVolumeClaim volumes.
pub fn check(store: &Store, pod: &Value) -> Claims {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let mut waiting = false;
    let mut unbound_immediate = false;
    for v in pod["spec"]["volumes"].as_array().into_iter().flatten() {
        let Some(claim) = v["persistentVolumeClaim"]["claimName"].as_str() else {
            continue;
        };
        let Ok(pvc) = store.get(&PVC, ns, claim) else {
            return Claims::Blocked(format!("persistentvolumeclaim \"{claim}\" not found"));
        };
        if pvc["metadata"]["deletionTimestamp"].is_string() {
            return Claims::Blocked(format!(
                "persistentvolumeclaim \"{claim}\" is being deleted"
            ));
        }
        if pvc["status"]["phase"] == "Bound" {
            continue;
        }
        let delayed = pvc["spec"]["storageClassName"]
            .as_str()
            .and_then(|c| store.get(&STORAGE_CLASS, "", c).ok())
            .is_some_and(|c| c["volumeBindingMode"] == "WaitForFirstConsumer");
        if delayed {
            waiting = true;
        } else {
            unbound_immediate = true;
        }
    }
    if unbound_immediate {
        Claims::Blocked("pod has unbound immediate PersistentVolumeClaims".into())
    } else if waiting {
        Claims::Provisioning
    } else {
        Claims::Ready
    }
}
