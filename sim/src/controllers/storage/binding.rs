//! Matching a claim to a volume, binding the two, growing a bound claim, and what happens
//! to a volume once its claim is gone.

use serde_json::{Value, json};

use super::StorageState;
use crate::meta::ident;
use crate::resources::{PV, PVC};
use crate::selector::LabelSelector;
use crate::store::Store;
use quantity::bytes;

fn storage(v: &Value) -> i64 {
    v.as_str().and_then(bytes).unwrap_or(0)
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// Whether `pv` can serve `pvc`: same class, every access mode, enough room, the claim's
/// selector, the same volume mode, and free (or already meant for this claim).
fn fits(pv: &Value, pvc: &Value) -> bool {
    let (name, ns, uid) = ident(pvc);
    let claim = &pv["spec"]["claimRef"];
    let free = match claim.as_object() {
        None => pv["status"]["phase"] != "Released",
        Some(_) => {
            claim["name"] == name.as_str()
                && claim["namespace"] == ns.as_str()
                && claim["uid"].as_str().is_none_or(|u| u == uid)
        }
    };
    let class = |v: &Value| {
        v["spec"]["storageClassName"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let modes = strings(&pv["spec"]["accessModes"]);
    let mode = |v: &Value| {
        v["spec"]["volumeMode"]
            .as_str()
            .unwrap_or("Filesystem")
            .to_string()
    };
    free && class(pv) == class(pvc)
        && strings(&pvc["spec"]["accessModes"])
            .iter()
            .all(|m| modes.contains(m))
        && storage(&pv["spec"]["capacity"]["storage"])
            >= storage(&pvc["spec"]["resources"]["requests"]["storage"])
        && mode(pv) == mode(pvc)
        && LabelSelector::from_object(&pvc["spec"]["selector"])
            .matches(pv["metadata"]["labels"].as_object())
}

/// The volume a pending claim should bind: the one it names, else the smallest that fits.
pub fn matching_volume(pvs: &[Value], pvc: &Value) -> Option<Value> {
    if let Some(named) = pvc["spec"]["volumeName"].as_str() {
        return pvs
            .iter()
            .find(|pv| pv["metadata"]["name"] == named && fits(pv, pvc))
            .cloned();
    }
    pvs.iter()
        .filter(|pv| fits(pv, pvc))
        .min_by_key(|pv| storage(&pv["spec"]["capacity"]["storage"]))
        .cloned()
}

/// Binds both ways, with the annotations the PV controller leaves.
pub fn bind(store: &Store, pv: &Value, pvc: &Value, by_controller: bool) {
    let (claim, ns, uid) = ident(pvc);
    let (volume, _, _) = ident(pv);
    let bound_pv = store.modify(&PV, "", &volume, |v| {
        v["spec"]["claimRef"] = json!({
            "kind": "PersistentVolumeClaim", "apiVersion": "v1", "namespace": ns, "name": claim,
            "uid": uid, "resourceVersion": pvc["metadata"]["resourceVersion"],
        });
        // Only a claimRef the controller sets marks the volume (not a provisioner's).
        if !pv["spec"]["claimRef"].is_object() {
            v["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] = json!("yes");
        }
        v["status"] = json!({"phase": "Bound"});
        Ok(())
    });
    let Ok(pv) = bound_pv else { return };
    let _ = store.modify(&PVC, &ns, &claim, |c| {
        c["spec"]["volumeName"] = json!(volume);
        let a = &mut c["metadata"]["annotations"];
        a["pv.kubernetes.io/bind-completed"] = json!("yes");
        if by_controller {
            a["pv.kubernetes.io/bound-by-controller"] = json!("yes");
        }
        c["status"] = json!({
            "phase": "Bound",
            "accessModes": pv["spec"]["accessModes"],
            "capacity": pv["spec"]["capacity"],
        });
        Ok(())
    });
}

/// A bound claim asking for more than it has grows, when its class allows expansion.
pub fn expand(store: &Store, classes: &[Value], pvc: &Value) {
    let want = &pvc["spec"]["resources"]["requests"]["storage"];
    if storage(want) <= storage(&pvc["status"]["capacity"]["storage"]) {
        return;
    }
    let class = pvc["spec"]["storageClassName"].as_str().unwrap_or_default();
    let allowed = classes
        .iter()
        .any(|c| c["metadata"]["name"] == class && c["allowVolumeExpansion"] == true);
    let Some(volume) = pvc["spec"]["volumeName"].as_str().filter(|_| allowed) else {
        return;
    };
    let (claim, ns, _) = ident(pvc);
    if store
        .modify(&PV, "", volume, |v| {
            v["spec"]["capacity"]["storage"] = want.clone();
            Ok(())
        })
        .is_ok()
    {
        let _ = store.modify(&PVC, &ns, &claim, |c| {
            c["status"]["capacity"]["storage"] = want.clone();
            Ok(())
        });
    }
}

/// A volume whose claim is gone is deleted (with its directory) or Released, as its
/// reclaim policy says; an unclaimed one is Available.
pub fn release_or_settle(store: &Store, state: &StorageState, pv: &Value) {
    let (name, _, _) = ident(pv);
    let claim = &pv["spec"]["claimRef"];
    let phase = if claim.is_object() {
        let ns = claim["namespace"].as_str().unwrap_or_default();
        let cname = claim["name"].as_str().unwrap_or_default();
        let alive = store.get(&PVC, ns, cname).is_ok_and(|c| {
            claim["uid"]
                .as_str()
                .is_none_or(|u| c["metadata"]["uid"] == u)
        });
        if alive {
            return; // Bound, or pre-bound and about to be.
        }
        if pv["status"]["phase"] != "Bound" && pv["status"]["phase"] != "Released" {
            return; // Reserved for a claim not created yet.
        }
        if pv["spec"]["persistentVolumeReclaimPolicy"] == "Delete" {
            if store.delete(&PV, "", &name).is_ok()
                && let Some(path) = pv["spec"]["hostPath"]["path"].as_str()
                && state
                    .volume_dir
                    .as_ref()
                    .is_some_and(|d| std::path::Path::new(path).starts_with(d))
            {
                let _ = std::fs::remove_dir_all(path);
            }
            return;
        }
        "Released"
    } else {
        "Available"
    };
    if pv["status"]["phase"] != phase {
        let _ = store.modify(&PV, "", &name, |v| {
            v["status"] = json!({"phase": phase});
            Ok(())
        });
    }
}
