//! The hostpath provisioner behind the default class, as minikube ships it: one directory
//! per claim, a volume named after the claim's uid, reclaimed as the class says.

use serde_json::{Value, json};

use super::{Said, StorageState};
use crate::events::{Kind, Recorder};
use crate::meta::ident;
use crate::resources::PV;
use crate::store::Store;

/// The default StorageClass's name (minikube's).
pub const DEFAULT_CLASS: &str = "standard";

/// The provisioner kubesim runs (minikube's name for it, so manifests written for
/// minikube work unchanged).
pub const PROVISIONER: &str = "k8s.io/minikube-hostpath";

/// Where minikube's provisioner puts volumes; kubesim records the same paths when it has
/// no folder of its own (the instant runtime runs no process that could use one).
const MINIKUBE_ROOT: &str = "/tmp/hostpath-provisioner";

/// The default StorageClass a new cluster has.
pub fn default_class() -> Value {
    json!({
        "metadata": {
            "name": DEFAULT_CLASS,
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
            "labels": {"addonmanager.kubernetes.io/mode": "EnsureExists"},
        },
        "provisioner": PROVISIONER,
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "Immediate",
    })
}

/// Provisions a volume for `pvc` from `class` and binds them.
pub fn provision(
    store: &Store,
    state: &mut StorageState,
    rec: &mut Recorder,
    class: &Value,
    pvc: &Value,
) {
    let (claim, ns, uid) = ident(pvc);
    let component = format!("{PROVISIONER}_kubesim_{}", &uid[..uid.len().min(8)]);
    state.say(
        store,
        rec,
        pvc,
        Said {
            kind: Kind::Normal,
            reason: "Provisioning",
            message: format!(
                "External provisioner is provisioning volume for claim \"{ns}/{claim}\""
            ),
            component: &component,
        },
    );
    let path = match &state.volume_dir {
        Some(dir) => {
            let p = dir.join(&ns).join(&claim);
            if let Err(e) = std::fs::create_dir_all(&p) {
                state.say(
                    store,
                    rec,
                    pvc,
                    Said {
                        kind: Kind::Warning,
                        reason: "ProvisioningFailed",
                        message: format!(
                            "failed to provision volume with StorageClass \"{}\": {e}",
                            ident(class).0
                        ),
                        component: &component,
                    },
                );
                return;
            }
            p.display().to_string()
        }
        None => format!("{MINIKUBE_ROOT}/{ns}/{claim}"),
    };
    let name = format!("pvc-{uid}");
    let pv = json!({
        "metadata": {
            "name": name,
            "annotations": {
                "pv.kubernetes.io/provisioned-by": PROVISIONER,
                "hostPathProvisionerIdentity": crate::meta::uid(),
            },
        },
        "spec": {
            "capacity": {"storage": pvc["spec"]["resources"]["requests"]["storage"]},
            "accessModes": pvc["spec"]["accessModes"],
            "hostPath": {"path": path, "type": ""},
            "persistentVolumeReclaimPolicy": class["reclaimPolicy"].as_str().unwrap_or("Delete"),
            "storageClassName": class["metadata"]["name"],
            "volumeMode": pvc["spec"]["volumeMode"],
            "claimRef": {
                "kind": "PersistentVolumeClaim", "apiVersion": "v1", "namespace": ns, "name": claim,
                "uid": uid, "resourceVersion": pvc["metadata"]["resourceVersion"],
            },
        },
    });
    let Ok(pv) = store.create(&PV, "", pv) else {
        return;
    };
    let _ = store.modify(&crate::resources::PVC, &ns, &claim, |c| {
        let a = &mut c["metadata"]["annotations"];
        a["volume.beta.kubernetes.io/storage-provisioner"] = json!(PROVISIONER);
        a["volume.kubernetes.io/storage-provisioner"] = json!(PROVISIONER);
        Ok(())
    });
    let Ok(pvc) = store.get(&crate::resources::PVC, &ns, &claim) else {
        return;
    };
    super::binding::bind(store, &pv, &pvc, true);
    state.say(
        store,
        rec,
        &pvc,
        Said {
            kind: Kind::Normal,
            reason: "ProvisioningSucceeded",
            message: format!("Successfully provisioned volume {name}"),
            component: &component,
        },
    );
}
