//! PersistentVolumeClaimResize: a claim may ask for more storage only once it is bound and
//! only when its StorageClass allows expansion; otherwise the update is refused with the
//! plugin's words (`kubectl patch pvc` and Helm upgrades show them).

use serde_json::Value;

use super::View;
use crate::resources::{PVC, ResourceType, STORAGE_CLASS};

fn requested(claim: &Value) -> i128 {
    claim["spec"]["resources"]["requests"]["storage"]
        .as_str()
        .and_then(quantity::milli)
        .unwrap_or(0)
}

/// Why growing `before` into `next` is refused, if it is.
pub fn admit(
    view: &dyn View,
    rt: &'static ResourceType,
    before: &Value,
    next: &Value,
) -> Result<(), String> {
    if !std::ptr::eq(rt, &PVC) || requested(next) <= requested(before) {
        return Ok(());
    }
    if before["status"]["phase"] != "Bound" {
        return Err("Only bound persistent volume claims can be expanded".into());
    }
    let class = next["spec"]["storageClassName"]
        .as_str()
        .unwrap_or_default();
    let expandable = !class.is_empty()
        && view
            .list(&STORAGE_CLASS, "")
            .iter()
            .any(|c| c["metadata"]["name"] == class && c["allowVolumeExpansion"] == true);
    if expandable {
        Ok(())
    } else {
        Err("only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize".into())
    }
}
