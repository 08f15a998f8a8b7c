//! `patch` with `recreate`: for a change the API server refuses in place — a claim's
//! storageClassName is fixed once created — the object is deleted and created again with the
//! patch applied, as a person would with `kubectl delete` and `kubectl create`. Only for a
//! PersistentVolumeClaim no volume is bound to, so nothing stored is lost.

use std::time::{Duration, Instant};

use kube::api::{DeleteParams, DynamicObject, PostParams};
use serde_json::Value;

use super::object::{Target, object_diff};
use super::patch::{PatchArgs, PatchOutcome, PatchType};
use crate::tool::{ToolContext, ToolError};

/// How long the old object may take to go (finalizers) before the change is given up.
const GONE_WITHIN: Duration = Duration::from_secs(30);

/// Metadata the server or its controllers write; a new object must not carry them.
const SERVER_METADATA: [&str; 7] = [
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "managedFields",
    "generation",
    "deletionTimestamp",
    "finalizers",
];

/// Annotation prefixes the binder and provisioners write about a claim's volume.
const CONTROLLER_ANNOTATIONS: [&str; 3] = [
    "pv.kubernetes.io/",
    "volume.beta.kubernetes.io/",
    "volume.kubernetes.io/",
];

/// The object as it will be created again: the patch applied, the server's fields dropped.
fn recreated(before: &DynamicObject, a: &PatchArgs) -> Result<Value, ToolError> {
    let mut obj = serde_json::to_value(before)
        .map_err(|e| ToolError::Fatal(format!("reading {}: {e}", a.object)))?;
    match a.patch_type {
        PatchType::Json => {
            let ops: json_patch::Patch = serde_json::from_value(a.patch.clone())
                .map_err(|e| ToolError::Retry(format!("not a JSON patch (RFC 6902): {e}")))?;
            json_patch::patch(&mut obj, &ops)
                .map_err(|e| ToolError::Retry(format!("the JSON patch does not apply: {e}")))?;
        }
        PatchType::Merge => json_patch::merge(&mut obj, &a.patch),
        PatchType::Strategic => merge_by_name(&mut obj, &a.patch),
    }
    Ok(without_server_fields(obj))
}

/// Lists a strategic merge patch merges by their items' `name`.
const NAMED_LISTS: [&str; 3] = ["containers", "initContainers", "env"];

/// A strategic merge patch as the API server applies it to what a recreated object holds:
/// a merge patch, except that containers (and their env) are merged by name.
fn merge_by_name(target: &mut Value, patch: &Value) {
    let (Some(t), Some(p)) = (target.as_object_mut(), patch.as_object()) else {
        json_patch::merge(target, patch);
        return;
    };
    for (k, v) in p {
        match (t.get_mut(k), v) {
            (Some(Value::Array(items)), Value::Array(changes))
                if NAMED_LISTS.contains(&k.as_str()) =>
            {
                for change in changes {
                    match items.iter_mut().find(|i| i["name"] == change["name"]) {
                        Some(item) => merge_by_name(item, change),
                        None => items.push(change.clone()),
                    }
                }
            }
            (Some(existing), _) if v.is_object() => merge_by_name(existing, v),
            _ if v.is_null() => {
                t.remove(k);
            }
            _ => {
                t.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Labels the Job controller writes on a Job and its template, and that a new Job must
/// not carry (its selector is generated again with its new uid).
const JOB_LABELS: [&str; 4] = [
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
    "job-name",
    "batch.kubernetes.io/job-name",
];

/// A Job as it is created again: without its generated selector and the labels naming its
/// old uid.
fn as_new_job(mut obj: Value) -> Value {
    if let Some(spec) = obj["spec"].as_object_mut() {
        spec.remove("selector");
        spec.remove("manualSelector");
    }
    for path in ["/metadata/labels", "/spec/template/metadata/labels"] {
        if let Some(labels) = obj.pointer_mut(path).and_then(Value::as_object_mut) {
            labels.retain(|k, _| !JOB_LABELS.contains(&k.as_str()));
        }
    }
    obj
}

/// An object without what the server and its controllers write (identity, times, status,
/// binding): what a new object may carry, and what a person compares.
fn without_server_fields(mut obj: Value) -> Value {
    if let Some(meta) = obj["metadata"].as_object_mut() {
        for f in SERVER_METADATA {
            meta.remove(f);
        }
        if let Some(notes) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            // The binder's and provisioner's notes about the old claim; the person's stay.
            notes.retain(|k, _| !CONTROLLER_ANNOTATIONS.iter().any(|p| k.starts_with(p)));
        }
    }
    if let Some(m) = obj.as_object_mut() {
        m.remove("status");
    }
    if let Some(spec) = obj["spec"].as_object_mut() {
        spec.remove("volumeName");
    }
    obj
}

/// The diff a person reads: the two objects without the server's fields.
fn comparable_diff(
    ctx: &ToolContext,
    before: &DynamicObject,
    after: &DynamicObject,
    labels: (&str, &str),
) -> String {
    let plain = |o: &DynamicObject| -> Option<DynamicObject> {
        serde_json::from_value(without_server_fields(serde_json::to_value(o).ok()?)).ok()
    };
    object_diff(ctx, plain(before).as_ref(), plain(after).as_ref(), labels)
}

/// Deletes the claim and creates it again with the patch applied (or, in a dry run, shows
/// what would be created).
pub(crate) async fn recreate(
    ctx: &ToolContext,
    a: &PatchArgs,
    t: &Target,
    before: DynamicObject,
    dry_run: bool,
) -> Result<PatchOutcome, ToolError> {
    let kind = before
        .types
        .as_ref()
        .map(|t| t.kind.as_str())
        .unwrap_or_default();
    let bound = before.data["status"]["phase"] == "Bound"
        || before.data["spec"]["volumeName"]
            .as_str()
            .is_some_and(|v| !v.is_empty());
    // A Job that still runs pods would lose their work.
    let running_job = kind == "Job" && before.data["status"]["active"].as_i64().unwrap_or(0) > 0;
    let allowed = match kind {
        "PersistentVolumeClaim" => !bound,
        "Job" => !running_job,
        _ => false,
    };
    if !allowed {
        return Err(ToolError::Retry(format!(
            "recreate is only for a PersistentVolumeClaim no volume is bound to, or a Job that runs no pod (nothing is lost then); {} is {}{}: patch it in place instead",
            a.object,
            if kind.is_empty() {
                "another kind"
            } else {
                kind
            },
            if bound {
                " and bound"
            } else if running_job {
                " with running pods"
            } else {
                ""
            }
        )));
    }
    let mut new_value = recreated(&before, a)?;
    if kind == "Job" {
        new_value = as_new_job(new_value);
    }
    let new_obj: DynamicObject = serde_json::from_value(new_value)
        .map_err(|e| ToolError::Fatal(format!("building the new {}: {e}", a.object)))?;
    if dry_run {
        return Ok(PatchOutcome {
            object: a.object.clone(),
            diff: comparable_diff(ctx, &before, &new_obj, ("live", "re-created")),
        });
    }
    let err = |e| ToolError::from(ctx.cluster.error(e));
    t.api
        .delete(&t.name, &DeleteParams::background())
        .await
        .map_err(err)?;
    let deadline = Instant::now() + GONE_WITHIN;
    while t.api.get_opt(&t.name).await.map_err(err)?.is_some() {
        if Instant::now() > deadline {
            return Err(ToolError::Retry(format!(
                "{} is still being deleted after {}s (a pod that mounts it holds it: delete that pod, its controller makes a new one); create it again once it is gone",
                a.object,
                GONE_WITHIN.as_secs()
            )));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let after = t
        .api
        .create(&PostParams::default(), &new_obj)
        .await
        .map_err(err)?;
    Ok(PatchOutcome {
        object: a.object.clone(),
        diff: comparable_diff(ctx, &before, &after, ("deleted", "created")),
    })
}
