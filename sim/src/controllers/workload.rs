//! What every workload controller shares: the pod it makes from its template, the owner
//! reference that ties them, and how it reads a pod's progress.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::events::{Kind, Recorder};
use crate::meta::{ident, owned_by};
use crate::resources::POD;
use crate::store::Store;

/// The controller owner reference to `owner` (the garbage collector follows it).
pub fn owner_ref(owner: &Value) -> Value {
    let (name, _, uid) = ident(owner);
    json!({
        "apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": name, "uid": uid,
        "controller": true, "blockOwnerDeletion": true,
    })
}

/// How a new pod is named: a fixed name (StatefulSet) or a prefix the API server completes.
pub enum PodName {
    /// Exactly this name.
    Fixed(String),
    /// `generateName`.
    Prefix(String),
}

/// A pod from a pod template, owned by `owner`.
pub fn pod_from_template(template: &Value, owner: &Value, name: PodName) -> Value {
    let mut metadata = json!({
        "labels": template["metadata"]["labels"],
        "annotations": template["metadata"]["annotations"],
        "ownerReferences": [owner_ref(owner)],
    });
    match name {
        PodName::Fixed(n) => metadata["name"] = json!(n),
        PodName::Prefix(p) => metadata["generateName"] = json!(p),
    }
    if !metadata["labels"].is_object() {
        metadata["labels"] = json!({});
    }
    json!({"metadata": metadata, "spec": template["spec"]})
}

/// The pods whose controller is the object with `uid`.
pub fn pods_of(all: &[Arc<Value>], uid: &str) -> Vec<Arc<Value>> {
    all.iter().filter(|p| owned_by(p, uid)).cloned().collect()
}

/// Whether a pod has finished for good (Succeeded or Failed).
pub fn finished(p: &Value) -> bool {
    matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
}

/// Whether a pod is Ready.
pub fn ready(p: &Value) -> bool {
    p["status"]["conditions"].as_array().is_some_and(|c| {
        c.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    })
}

/// Whether a pod is Running and Ready (what ordered StatefulSets wait for).
pub fn running_and_ready(p: &Value) -> bool {
    p["status"]["phase"] == "Running" && ready(p)
}

/// Writes `status` when it differs from what the object has.
pub fn write_status(
    store: &Store,
    rt: &'static crate::resources::ResourceType,
    obj: &Value,
    status: Value,
) {
    if obj["status"] == status {
        return;
    }
    let (name, ns, _) = ident(obj);
    let mut next = obj.clone();
    next["status"] = status;
    let _ = store.update(rt, &ns, &name, next, crate::store::UpdateScope::Status);
}

/// Creates a pod for `owner` with the events the controllers' shared pod control records
/// (`SuccessfulCreate: Created pod: x`, `FailedCreate: Error creating: …`); whether it was
/// created.
pub fn create_pod(
    store: &Store,
    rec: &mut Recorder,
    owner: &Value,
    pod: Value,
    component: &str,
) -> bool {
    let (_, ns, _) = ident(owner);
    match store.create(&POD, &ns, pod) {
        Ok(p) => {
            let msg = format!(
                "Created pod: {}",
                p["metadata"]["name"].as_str().unwrap_or_default()
            );
            rec.record(
                store,
                owner,
                Kind::Normal,
                "SuccessfulCreate",
                &msg,
                component,
            );
            true
        }
        Err(e) => {
            rec.record(
                store,
                owner,
                Kind::Warning,
                "FailedCreate",
                &format!("Error creating: {e}"),
                component,
            );
            false
        }
    }
}

/// Deletes a pod of `owner` with the shared pod control's `SuccessfulDelete: Deleted pod: x`;
/// whether it was there.
pub fn delete_pod_of(
    store: &Store,
    rec: &mut Recorder,
    owner: &Value,
    pod: &Value,
    component: &str,
) -> bool {
    let deleted = delete_pod(store, pod);
    if deleted {
        let msg = format!(
            "Deleted pod: {}",
            pod["metadata"]["name"].as_str().unwrap_or_default()
        );
        rec.record(
            store,
            owner,
            Kind::Normal,
            "SuccessfulDelete",
            &msg,
            component,
        );
    }
    deleted
}

/// Deletes a pod as a controller does (gracefully, see `graceful`); true when it was there.
pub fn delete_pod(store: &Store, p: &Value) -> bool {
    let (name, ns, _) = ident(p);
    crate::graceful::delete_pod(store, &ns, &name, None).is_ok()
}
