//! The DefaultStorageClass plugin: a claim that names no class (the field absent, not
//! `""`) gets the cluster's default class, the newest when several say they are default.

use serde_json::{Value, json};

use super::View;
use crate::resources::{PVC, ResourceType, STORAGE_CLASS};

fn is_default(class: &Value) -> bool {
    let a = &class["metadata"]["annotations"];
    a["storageclass.kubernetes.io/is-default-class"] == "true"
        || a["storageclass.beta.kubernetes.io/is-default-class"] == "true"
}

/// Sets `spec.storageClassName` of a new claim that has none.
pub fn admit(view: &dyn View, rt: &ResourceType, pvc: &mut Value) {
    if rt != &PVC || !pvc["spec"]["storageClassName"].is_null() {
        return;
    }
    let default = view
        .list(&STORAGE_CLASS, "")
        .into_iter()
        .filter(is_default)
        .max_by(|a, b| {
            let t = |c: &Value| {
                c["metadata"]["creationTimestamp"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            };
            t(a).cmp(&t(b))
        });
    if let Some(class) = default {
        pvc["spec"]["storageClassName"] = json!(class["metadata"]["name"]);
    }
}
