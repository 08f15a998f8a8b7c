//! Persistent storage as the PV controller and minikube's hostpath provisioner run it: a
//! claim binds the smallest matching available volume, else its class provisions one (the
//! default class `standard` does, a directory per volume), else it stays Pending with the
//! controller's own event; a released volume is deleted or kept as its reclaim policy says.

mod binding;
mod provision;

use std::collections::HashSet;
use std::path::PathBuf;

use serde_json::Value;

use crate::events::{Kind, Recorder};
use crate::meta::ident;
use crate::resources::{POD, PV, PVC, STORAGE_CLASS};
use crate::store::Store;

pub use provision::{DEFAULT_CLASS, PROVISIONER, default_class};

/// What the storage controller remembers between passes.
#[derive(Default)]
pub struct StorageState {
    /// Events already said once per claim (a real controller repeats them on resync; saying
    /// them again on every pass would never let the store settle).
    announced: HashSet<(String, String)>,
    /// Where provisioned volumes live (None: recorded paths only, nothing is created).
    volume_dir: Option<PathBuf>,
}

impl StorageState {
    /// A controller that provisions into `volume_dir`.
    pub fn new(volume_dir: Option<PathBuf>) -> Self {
        Self {
            announced: HashSet::new(),
            volume_dir,
        }
    }

    /// Records an event about a claim the first time it is said.
    fn say(&mut self, store: &Store, rec: &mut Recorder, pvc: &Value, said: Said<'_>) {
        let (_, _, uid) = ident(pvc);
        if self
            .announced
            .insert((uid, format!("{}:{}", said.reason, said.message)))
        {
            rec.record(
                store,
                pvc,
                said.kind,
                said.reason,
                &said.message,
                said.component,
            );
        }
    }
}

/// One event a storage controller says about a claim.
struct Said<'a> {
    kind: Kind,
    reason: &'a str,
    message: String,
    component: &'a str,
}

const PV_CONTROLLER: &str = "persistentvolume-controller";

/// The class a claim names: `None` for none (`""` or absent).
fn class_of(pvc: &Value) -> Option<&str> {
    pvc["spec"]["storageClassName"]
        .as_str()
        .filter(|c| !c.is_empty())
}

/// Whether a pod that has not finished mounts the claim.
fn has_consumer(pods: &[std::sync::Arc<Value>], pvc: &Value) -> bool {
    let (name, ns, _) = ident(pvc);
    pods.iter().any(|p| {
        p["metadata"]["namespace"] == ns.as_str()
            && !super::workload::finished(p)
            && p["spec"]["volumes"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|v| v["persistentVolumeClaim"]["claimName"] == name.as_str())
    })
}

/// One pass: bind or provision pending claims, release volumes whose claim is gone.
pub fn reconcile(store: &Store, state: &mut StorageState, rec: &mut Recorder) {
    let classes = store.all(&STORAGE_CLASS);
    let pods = store.all_shared(&POD);
    for pvc in store.all(&PVC) {
        if pvc["status"]["phase"] == "Bound" {
            binding::expand(store, &classes, &pvc);
            continue;
        }
        let pvs = store.all(&PV);
        if let Some(pv) = binding::matching_volume(&pvs, &pvc) {
            binding::bind(store, &pv, &pvc, !pvc["spec"]["volumeName"].is_string());
            continue;
        }
        if pvc["spec"]["volumeName"].is_string() {
            continue; // Waits for the volume it names.
        }
        let Some(class_name) = class_of(&pvc) else {
            state.say(
                store,
                rec,
                &pvc,
                Said {
                    kind: Kind::Normal,
                    reason: "FailedBinding",
                    message:
                        "no persistent volumes available for this claim and no storage class is set"
                            .to_string(),
                    component: PV_CONTROLLER,
                },
            );
            continue;
        };
        let Some(class) = classes.iter().find(|c| c["metadata"]["name"] == class_name) else {
            state.say(
                store,
                rec,
                &pvc,
                Said {
                    kind: Kind::Warning,
                    reason: "ProvisioningFailed",
                    message: format!("storageclass.storage.k8s.io \"{class_name}\" not found"),
                    component: PV_CONTROLLER,
                },
            );
            continue;
        };
        if class["volumeBindingMode"] == "WaitForFirstConsumer" && !has_consumer(&pods, &pvc) {
            state.say(
                store,
                rec,
                &pvc,
                Said {
                    kind: Kind::Normal,
                    reason: "WaitForFirstConsumer",
                    message: "waiting for first consumer to be created before binding".to_string(),
                    component: PV_CONTROLLER,
                },
            );
            continue;
        }
        let provisioner = class["provisioner"].as_str().unwrap_or_default();
        state.say(store, rec, &pvc, Said { kind: Kind::Normal, reason: "ExternalProvisioning", message: format!(
            "Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."
        ), component: PV_CONTROLLER });
        if provisioner == PROVISIONER {
            provision::provision(store, state, rec, class, &pvc);
        }
    }
    for pv in store.all(&PV) {
        binding::release_or_settle(store, state, &pv);
    }
}
