//! The StatefulSet controller: pods with stable names `<set>-0…`, a claim per
//! `volumeClaimTemplates` entry and ordinal, created in order (each waits for the one
//! before to be Running and Ready unless the policy is `Parallel`), removed from the
//! highest ordinal, and rolled from the highest ordinal down to the partition.

use std::sync::Arc;

use serde_json::{Value, json};

use super::deployment::template_hash;
use super::workload::{
    PodName, delete_pod, finished, pod_from_template, pods_of, ready, running_and_ready,
    write_status,
};
use crate::events::{Kind, Recorder};
use crate::meta::ident;
use crate::resources::{CONTROLLER_REVISION, POD, PVC, STATEFUL_SET};
use crate::store::Store;

const COMPONENT: &str = "statefulset-controller";
/// The label naming the revision a pod was made from.
pub const REVISION_LABEL: &str = "controller-revision-hash";

fn ordinal(set: &str, pod: &Value) -> Option<i64> {
    pod["metadata"]["name"]
        .as_str()?
        .strip_prefix(set)?
        .strip_prefix('-')?
        .parse()
        .ok()
}

fn claim_name(template: &Value, set: &str, i: i64) -> String {
    format!(
        "{}-{set}-{i}",
        template["metadata"]["name"].as_str().unwrap_or_default()
    )
}

fn claim_templates(set: &Value) -> Vec<Value> {
    set["spec"]["volumeClaimTemplates"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Creates the claims pod `i` needs; false when one could not be made.
fn ensure_claims(store: &Store, rec: &mut Recorder, set: &Value, i: i64) -> bool {
    let (name, ns, _) = ident(set);
    for t in claim_templates(set) {
        let claim = claim_name(&t, &name, i);
        if store.get(&PVC, &ns, &claim).is_ok() {
            continue;
        }
        let mut labels = t["metadata"]["labels"].clone();
        for (k, v) in set["spec"]["selector"]["matchLabels"]
            .as_object()
            .into_iter()
            .flatten()
        {
            labels[k] = v.clone();
        }
        let mut pvc = json!({"metadata": {"name": claim, "labels": labels, "annotations": t["metadata"]["annotations"]}, "spec": t["spec"]});
        if set["spec"]["persistentVolumeClaimRetentionPolicy"]["whenDeleted"] == "Delete" {
            pvc["metadata"]["ownerReferences"] = json!([super::workload::owner_ref(set)]);
        }
        let pod = format!("{name}-{i}");
        match store.create(&PVC, &ns, pvc) {
            Ok(_) => rec.record(
                store,
                set,
                Kind::Normal,
                "SuccessfulCreate",
                &format!("create Claim {claim} Pod {pod} in StatefulSet {name} success"),
                COMPONENT,
            ),
            Err(e) => {
                rec.record(
                    store,
                    set,
                    Kind::Warning,
                    "FailedCreate",
                    &format!(
                        "create Claim {claim} for Pod {pod} in StatefulSet {name} failed error: {e}"
                    ),
                    COMPONENT,
                );
                return false;
            }
        }
    }
    true
}

fn new_pod(set: &Value, i: i64, revision: &str) -> Value {
    let (name, _, _) = ident(set);
    let pod_name = format!("{name}-{i}");
    let mut template = set["spec"]["template"].clone();
    let labels = &mut template["metadata"]["labels"];
    labels["statefulset.kubernetes.io/pod-name"] = json!(pod_name);
    labels[REVISION_LABEL] = json!(revision);
    labels["apps.kubernetes.io/pod-index"] = json!(i.to_string());
    let spec = &mut template["spec"];
    spec["hostname"] = json!(pod_name);
    if let Some(service) = set["spec"]["serviceName"]
        .as_str()
        .filter(|s| !s.is_empty())
    {
        spec["subdomain"] = json!(service);
    }
    for t in claim_templates(set) {
        if !spec["volumes"].is_array() {
            spec["volumes"] = json!([]);
        }
        let Some(volumes) = spec["volumes"].as_array_mut() else {
            continue;
        };
        volumes.retain(|v| v["name"] != t["metadata"]["name"]);
        volumes.push(json!({"name": t["metadata"]["name"], "persistentVolumeClaim": {"claimName": claim_name(&t, &name, i)}}));
    }
    pod_from_template(&template, set, PodName::Fixed(pod_name))
}

/// Records the template as a ControllerRevision (what `kubectl rollout history` reads).
fn ensure_revision(store: &Store, set: &Value, revision: &str) {
    let (_, ns, _) = ident(set);
    if store.get(&CONTROLLER_REVISION, &ns, revision).is_ok() {
        return;
    }
    let number = store
        .all(&CONTROLLER_REVISION)
        .iter()
        .filter(|r| crate::meta::owned_by(r, &ident(set).2))
        .filter_map(|r| r["revision"].as_i64())
        .max()
        .unwrap_or(0)
        + 1;
    let mut template = set["spec"]["template"].clone();
    template["$patch"] = json!("replace");
    let _ = store.create(&CONTROLLER_REVISION, &ns, json!({
        "metadata": {"name": revision, "labels": set["spec"]["selector"]["matchLabels"], "ownerReferences": [super::workload::owner_ref(set)]},
        "data": {"spec": {"template": template}},
        "revision": number,
    }));
}

/// One pass over every StatefulSet.
pub fn reconcile(store: &Store, rec: &mut Recorder) {
    let all_pods = store.all_shared(&POD);
    for set in store.all(&STATEFUL_SET) {
        let (name, _, uid) = ident(&set);
        let revision = format!("{name}-{}", template_hash(&set["spec"]["template"]));
        ensure_revision(store, &set, &revision);
        let mut pods = pods_of(&all_pods, &uid);
        pods.sort_by_key(|p| ordinal(&name, p));
        sync(store, rec, &set, &pods, &revision);
        update_status(store, &set, &revision);
    }
}

fn sync(store: &Store, rec: &mut Recorder, set: &Value, pods: &[Arc<Value>], revision: &str) {
    let (name, _, _) = ident(set);
    let replicas = set["spec"]["replicas"].as_i64().unwrap_or(1).max(0);
    let ordered = set["spec"]["podManagementPolicy"] != "Parallel";
    let delete = |rec: &mut Recorder, p: &Value| {
        if delete_pod(store, p) {
            let pname = p["metadata"]["name"].as_str().unwrap_or_default();
            rec.record(
                store,
                set,
                Kind::Normal,
                "SuccessfulDelete",
                &format!("delete Pod {pname} in StatefulSet {name} successful"),
                COMPONENT,
            );
        }
    };
    // A pod that ended is replaced, as the controller does for any failed or succeeded pod.
    for p in pods.iter().filter(|p| finished(p)) {
        delete(rec, p);
    }
    let pods: Vec<&Arc<Value>> = pods.iter().filter(|p| !finished(p)).collect();
    let at = |i: i64| pods.iter().find(|p| ordinal(&name, p) == Some(i));
    for i in 0..replicas {
        match at(i) {
            Some(p) if ordered && !running_and_ready(p) => return,
            Some(_) => continue,
            None => {
                if !ensure_claims(store, rec, set, i) {
                    return;
                }
                let (_, ns, _) = ident(set);
                match store.create(&POD, &ns, new_pod(set, i, revision)) {
                    Ok(_) => rec.record(
                        store,
                        set,
                        Kind::Normal,
                        "SuccessfulCreate",
                        &format!("create Pod {name}-{i} in StatefulSet {name} successful"),
                        COMPONENT,
                    ),
                    Err(e) => {
                        rec.record(
                            store,
                            set,
                            Kind::Warning,
                            "FailedCreate",
                            &format!(
                                "create Pod {name}-{i} in StatefulSet {name} failed error: {e}"
                            ),
                            COMPONENT,
                        );
                        return;
                    }
                }
                if ordered {
                    return;
                }
            }
        }
    }
    // Scale down from the highest ordinal, one at a time when ordered.
    let mut extra: Vec<&&Arc<Value>> = pods
        .iter()
        .filter(|p| ordinal(&name, p).is_none_or(|i| i >= replicas))
        .collect();
    extra.sort_by_key(|p| std::cmp::Reverse(ordinal(&name, p)));
    if !extra.is_empty() {
        let all_ready = pods.iter().all(|p| running_and_ready(p));
        for p in extra {
            if ordered && !all_ready {
                return;
            }
            delete(rec, p);
            if ordered {
                return;
            }
        }
        return;
    }
    // Rolling update: the highest ordinal at an old revision, down to the partition.
    if set["spec"]["updateStrategy"]["type"] != "RollingUpdate"
        || !pods.iter().all(|p| running_and_ready(p))
    {
        return;
    }
    let partition = set["spec"]["updateStrategy"]["rollingUpdate"]["partition"]
        .as_i64()
        .unwrap_or(0);
    if let Some(p) = pods.iter().rev().find(|p| {
        ordinal(&name, p).is_some_and(|i| i >= partition)
            && p["metadata"]["labels"][REVISION_LABEL] != revision
    }) {
        delete(rec, p);
    }
}

fn update_status(store: &Store, set: &Value, revision: &str) {
    let (_, _, uid) = ident(set);
    let Ok(set) = store.get(
        &STATEFUL_SET,
        set["metadata"]["namespace"].as_str().unwrap_or_default(),
        &ident(set).0,
    ) else {
        return;
    };
    let pods: Vec<Arc<Value>> = pods_of(&store.all_shared(&POD), &uid)
        .into_iter()
        .filter(|p| !finished(p))
        .collect();
    let at = |r: &str| {
        pods.iter()
            .filter(|p| p["metadata"]["labels"][REVISION_LABEL] == r)
            .count()
    };
    let want = set["spec"]["replicas"].as_i64().unwrap_or(1) as usize;
    let ready_count = pods.iter().filter(|p| ready(p)).count();
    let updated = at(revision);
    let mut current = set["status"]["currentRevision"]
        .as_str()
        .unwrap_or(revision)
        .to_string();
    if updated == want && ready_count == want && pods.len() == want {
        current = revision.to_string();
    }
    let status = json!({
        "observedGeneration": set["metadata"]["generation"],
        "replicas": pods.len(),
        "readyReplicas": ready_count,
        "availableReplicas": ready_count,
        "currentReplicas": at(&current),
        "updatedReplicas": updated,
        "currentRevision": current,
        "updateRevision": revision,
        "collisionCount": 0,
    });
    write_status(store, &STATEFUL_SET, &set, status);
}
