//! The Deployment controller: a ReplicaSet per pod template (named by its hash), rolling
//! updates within maxSurge / maxUnavailable, revisions for `rollout undo`, and the
//! Available / Progressing conditions `rollout status` and `wait` read.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::ControllerConfig;
use crate::events::{Kind, Recorder};
use crate::meta;
use crate::meta::{ident, owned_by};
use crate::resources::{DEPLOYMENT, REPLICA_SET};
use crate::store::{Store, UpdateScope};

/// Memory the controller keeps between passes: when each Deployment last progressed.
#[derive(Default)]
pub struct DeploymentState {
    last_progress: HashMap<String, (Value, Instant)>,
}

const HASH_LABEL: &str = "pod-template-hash";
const REVISION: &str = "deployment.kubernetes.io/revision";

/// Drops nulls and empty maps and lists, so a template round-tripped through typed
/// clients (which add `creationTimestamp: null`, `resources: {}`) hashes the same.
fn canonical(v: &Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::Object(m) => {
            let m: serde_json::Map<String, Value> = m
                .iter()
                .filter_map(|(k, v)| canonical(v).map(|v| (k.clone(), v)))
                .collect();
            (!m.is_empty()).then_some(Value::Object(m))
        }
        Value::Array(a) => (!a.is_empty()).then(|| {
            Value::Array(
                a.iter()
                    .map(|x| canonical(x).unwrap_or(Value::Null))
                    .collect(),
            )
        }),
        other => Some(other.clone()),
    }
}

/// A stable short hash of a pod template, in the alphabet Kubernetes uses for names.
pub fn template_hash(template: &Value) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut t = canonical(template).unwrap_or(Value::Null);
    if let Some(l) = t["metadata"]["labels"].as_object_mut() {
        l.remove(HASH_LABEL);
    }
    for b in t.to_string().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut out = String::new();
    while out.len() < 10 {
        out.push(ALPHABET[(h % 27) as usize] as char);
        h /= 27;
    }
    out
}

fn revision(rs: &Value) -> i64 {
    rs["metadata"]["annotations"][REVISION]
        .as_str()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// Resolves an int-or-percent against `total` (rounding up for surge, down otherwise).
fn resolve(v: &Value, total: i64, round_up: bool) -> i64 {
    match v {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => match s.strip_suffix('%').and_then(|p| p.parse::<f64>().ok()) {
            Some(p) => {
                let x = p * total as f64 / 100.0;
                if round_up {
                    x.ceil() as i64
                } else {
                    x.floor() as i64
                }
            }
            None => s.parse().unwrap_or(0),
        },
        _ => 0,
    }
}

fn scale_rs(store: &Store, rec: &mut Recorder, d: &Value, rs: &Value, to: i64) {
    let from = rs["spec"]["replicas"].as_i64().unwrap_or(0);
    if from == to {
        return;
    }
    let (name, ns, _) = ident(rs);
    let ok = store.modify(&REPLICA_SET, &ns, &name, |r| {
        r["spec"]["replicas"] = json!(to);
        r["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] =
            json!(d["spec"]["replicas"].as_i64().unwrap_or(1).to_string());
        Ok(())
    });
    if ok.is_ok() {
        let verb = if to > from { "up" } else { "down" };
        rec.record(
            store,
            d,
            Kind::Normal,
            "ScalingReplicaSet",
            &format!("Scaled {verb} replica set {name} from {from} to {to}"),
            "deployment-controller",
        );
    }
}

fn condition(conds: &[Value], t: &str) -> Option<Value> {
    conds.iter().find(|c| c["type"] == t).cloned()
}

fn set_condition(
    conds: &mut Vec<Value>,
    t: &str,
    status: &str,
    reason: &str,
    message: &str,
    touch: bool,
) {
    let now = meta::now();
    let prev = condition(conds, t);
    let transition = match &prev {
        Some(p) if p["status"] == status => p["lastTransitionTime"].clone(),
        _ => json!(now),
    };
    let same = prev
        .as_ref()
        .is_some_and(|p| p["status"] == status && p["reason"] == reason && p["message"] == message);
    let update = match &prev {
        Some(p) if same && !touch => p["lastUpdateTime"].clone(),
        _ => json!(now),
    };
    conds.retain(|c| c["type"] != t);
    conds.push(json!({"type": t, "status": status, "lastUpdateTime": update, "lastTransitionTime": transition, "reason": reason, "message": message}));
    conds.sort_by_key(|c| if c["type"] == "Available" { 0 } else { 1 });
}

/// One pass over every Deployment.
pub fn reconcile(
    store: &Store,
    cfg: &ControllerConfig,
    state: &mut DeploymentState,
    rec: &mut Recorder,
) {
    let all_rs = store.all(&REPLICA_SET);
    for mut d in store.all(&DEPLOYMENT) {
        let (_, _, uid) = ident(&d);
        let spec = &d["spec"];
        let replicas = spec["replicas"].as_i64().unwrap_or(1).max(0);
        let hash = template_hash(&spec["template"]);
        let owned: Vec<&Value> = all_rs.iter().filter(|r| owned_by(r, &uid)).collect();
        let max_rev = owned.iter().map(|r| revision(r)).max().unwrap_or(0);
        // The ReplicaSet of the current template; the first pass after a template change
        // only creates it, the next ones scale.
        let Some(new_rs) = owned
            .iter()
            .find(|r| r["metadata"]["labels"][HASH_LABEL] == hash.as_str())
            .copied()
        else {
            if spec["paused"] == true {
                // Paused: no ReplicaSet for the new template; the newest one keeps the
                // replica count, as the controller's sync without rollout does.
                if let Some(current) = owned.iter().max_by_key(|r| revision(r)) {
                    scale_rs(store, rec, &d, current, replicas);
                }
                update_status(store, cfg, state, &d, "", 0);
                continue;
            }
            create_replica_set(store, state, &d, &hash, replicas, max_rev + 1);
            continue;
        };
        let (new_name, _, _) = ident(new_rs);
        if spec["paused"] == true {
            // A paused rollout stays where it is; only the replica count follows the spec.
            if owned.len() == 1 {
                scale_rs(store, rec, &d, new_rs, replicas);
            }
            update_status(store, cfg, state, &d, &new_name, 0);
            continue;
        }
        let current_revision = if revision(new_rs) < max_rev {
            mark_rollback(store, rec, &d, new_rs, max_rev + 1);
            max_rev + 1
        } else {
            revision(new_rs)
        };
        // The Deployment carries its current revision too (`kubectl rollout undo` and
        // `history` read it).
        // The status written below is based on the object as this write leaves it: a stale
        // resourceVersion would make that write conflict and leave the status behind.
        if d["metadata"]["annotations"][REVISION] != current_revision.to_string().as_str() {
            let (name, ns, _) = ident(&d);
            if let Ok(updated) = store.modify(&DEPLOYMENT, &ns, &name, |o| {
                o["metadata"]["annotations"][REVISION] = json!(current_revision.to_string());
                Ok(())
            }) {
                d = updated;
            }
        }
        let old: Vec<&Value> = owned
            .iter()
            .filter(|r| r["metadata"]["name"] != new_name.as_str())
            .copied()
            .collect();
        let unavailable = if d["spec"]["strategy"]["type"] == "Recreate" {
            recreate(store, rec, &d, new_rs, &old, replicas);
            replicas
        } else {
            roll(store, rec, &d, new_rs, &old, replicas)
        };
        prune_history(store, &d, &old);
        update_status(store, cfg, state, &d, &new_name, unavailable);
    }
}

fn replicas_of(r: &Value) -> i64 {
    r["spec"]["replicas"].as_i64().unwrap_or(0)
}

fn available_of(r: &Value) -> i64 {
    r["status"]["availableReplicas"].as_i64().unwrap_or(0)
}

/// Creates the ReplicaSet of the Deployment's current template (empty; scaling comes next),
/// as revision `revision`, and records progress.
fn create_replica_set(
    store: &Store,
    state: &mut DeploymentState,
    d: &Value,
    hash: &str,
    replicas: i64,
    revision: i64,
) {
    let (name, ns, uid) = ident(d);
    let spec = &d["spec"];
    let mut template = spec["template"].clone();
    template["metadata"]["labels"][HASH_LABEL] = json!(hash);
    let mut selector = spec["selector"].clone();
    selector["matchLabels"][HASH_LABEL] = json!(hash);
    let rs_name = format!("{name}-{hash}");
    let rs = json!({
        "metadata": {
            "name": rs_name,
            "labels": template["metadata"]["labels"],
            "annotations": {REVISION: revision.to_string(), "deployment.kubernetes.io/desired-replicas": replicas.to_string(), "deployment.kubernetes.io/max-replicas": replicas.to_string()},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "uid": uid, "controller": true, "blockOwnerDeletion": true}],
        },
        "spec": {"replicas": 0, "minReadySeconds": spec["minReadySeconds"].as_i64().unwrap_or(0), "selector": selector, "template": template},
    });
    if store.create(&REPLICA_SET, &ns, rs).is_err() {
        return;
    }
    let mut next = d.clone();
    let mut conds: Vec<Value> = d["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    set_condition(
        &mut conds,
        "Progressing",
        "True",
        "NewReplicaSetCreated",
        &format!("Created new replica set \"{rs_name}\""),
        true,
    );
    next["status"]["conditions"] = json!(conds);
    let _ = store.update(&DEPLOYMENT, &ns, &name, next, UpdateScope::Status);
    state
        .last_progress
        .insert(uid, (Value::Null, Instant::now()));
}

/// A rollback to an older template: that ReplicaSet becomes the newest revision again.
fn mark_rollback(store: &Store, rec: &mut Recorder, d: &Value, rs: &Value, revision_now: i64) {
    let (name, ns, _) = ident(d);
    let (rs_name, _, _) = ident(rs);
    let _ = store.modify(&REPLICA_SET, &ns, &rs_name, |r| {
        r["metadata"]["annotations"][REVISION] = json!(revision_now.to_string());
        Ok(())
    });
    rec.record(
        store,
        d,
        Kind::Normal,
        "DeploymentRollback",
        &format!(
            "Rolled back deployment \"{name}\" to revision {}",
            revision(rs)
        ),
        "deployment-controller",
    );
}

/// `Recreate`: every old pod goes first; the new ReplicaSet scales up only once none is left.
fn recreate(
    store: &Store,
    rec: &mut Recorder,
    d: &Value,
    new_rs: &Value,
    old: &[&Value],
    replicas: i64,
) {
    for r in old {
        scale_rs(store, rec, d, r, 0);
    }
    let old_pods: i64 = old
        .iter()
        .map(|r| r["status"]["replicas"].as_i64().unwrap_or(0))
        .sum();
    if old_pods == 0 {
        scale_rs(store, rec, d, new_rs, replicas);
    }
}

/// `RollingUpdate`, one step; returns the resolved `maxUnavailable`.
///
/// Like the real controller, each pass does two things bounded by the strategy:
/// - scale up: the new ReplicaSet grows while all pods of every revision stay within
///   `replicas + maxSurge`;
/// - scale down: old ReplicaSets (oldest first) shrink while the available pods stay at or
///   above `replicas - maxUnavailable`. Old pods that are not available count against
///   nothing, so they may always go — that is what unblocks a rollout stuck behind broken
///   old pods.
///
/// Pods become available only as the kubelet reports them Ready, so successive passes walk
/// the rollout forward. Both bounds resolve percentages against `replicas` (surge rounded
/// up, unavailable down); when both come out 0, one pod may be unavailable, or nothing
/// could ever move.
fn roll(
    store: &Store,
    rec: &mut Recorder,
    d: &Value,
    new_rs: &Value,
    old: &[&Value],
    replicas: i64,
) -> i64 {
    let ru = &d["spec"]["strategy"]["rollingUpdate"];
    let surge = resolve(&ru["maxSurge"], replicas, true);
    let mut unavailable = resolve(&ru["maxUnavailable"], replicas, false);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    // Nothing old left running: the new ReplicaSet simply follows `replicas`.
    if old.iter().all(|r| replicas_of(r) == 0) {
        scale_rs(store, rec, d, new_rs, replicas);
        return unavailable;
    }
    let total: i64 = replicas_of(new_rs) + old.iter().map(|r| replicas_of(r)).sum::<i64>();
    let new_spec = replicas_of(new_rs);
    if new_spec < replicas {
        let room = replicas + surge - total;
        if room > 0 {
            scale_rs(store, rec, d, new_rs, replicas.min(new_spec + room));
        }
    } else if new_spec > replicas {
        scale_rs(store, rec, d, new_rs, replicas);
    }
    let total_available: i64 =
        available_of(new_rs) + old.iter().map(|r| available_of(r)).sum::<i64>();
    // How many available old pods may still go without dropping below the floor.
    let mut can_remove = total_available - (replicas - unavailable);
    let mut olds = old.to_vec();
    olds.sort_by_key(|r| revision(r));
    for r in olds {
        let s = replicas_of(r);
        if s == 0 {
            continue;
        }
        let unhealthy = (s - available_of(r)).max(0);
        let remove = s.min(unhealthy + can_remove.max(0));
        if remove > 0 {
            scale_rs(store, rec, d, r, s - remove);
            can_remove -= (remove - unhealthy).max(0);
        }
    }
    unavailable
}

/// Old ReplicaSets beyond `revisionHistoryLimit` are deleted once empty, oldest first.
fn prune_history(store: &Store, d: &Value, old: &[&Value]) {
    let (_, ns, _) = ident(d);
    let limit = d["spec"]["revisionHistoryLimit"]
        .as_i64()
        .unwrap_or(10)
        .max(0) as usize;
    let mut empty_old: Vec<&Value> = old
        .iter()
        .filter(|r| replicas_of(r) == 0 && r["status"]["replicas"].as_i64().unwrap_or(0) == 0)
        .copied()
        .collect();
    if empty_old.len() > limit {
        empty_old.sort_by_key(|r| revision(r));
        for r in &empty_old[..empty_old.len() - limit] {
            let (n, _, _) = ident(r);
            let _ = store.delete(&REPLICA_SET, &ns, &n);
        }
    }
}

fn update_status(
    store: &Store,
    cfg: &ControllerConfig,
    state: &mut DeploymentState,
    d: &Value,
    new_name: &str,
    max_unavailable: i64,
) {
    let (name, ns, uid) = ident(d);
    let owned: Vec<Value> = store
        .all(&REPLICA_SET)
        .into_iter()
        .filter(|r| owned_by(r, &uid))
        .collect();
    let sum = |k: &str| {
        owned
            .iter()
            .map(|r| r["status"][k].as_i64().unwrap_or(0))
            .sum::<i64>()
    };
    let new = owned.iter().find(|r| r["metadata"]["name"] == new_name);
    let replicas = d["spec"]["replicas"].as_i64().unwrap_or(1);
    let (total, ready, available) = (
        sum("replicas"),
        sum("readyReplicas"),
        sum("availableReplicas"),
    );
    let updated = new.map_or(0, |r| r["status"]["replicas"].as_i64().unwrap_or(0));
    let new_available = new.map_or(0, |r| {
        r["status"]["availableReplicas"].as_i64().unwrap_or(0)
    });
    let counts = json!([total, updated, ready, available]);
    let now = Instant::now();
    let progressed = match state.last_progress.get(&uid) {
        Some((c, _)) => *c != counts,
        None => true,
    };
    if progressed {
        state
            .last_progress
            .insert(uid.clone(), (counts.clone(), now));
    }
    let since = state.last_progress.get(&uid).map_or(now, |(_, t)| *t);
    let mut conds: Vec<Value> = d["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if available >= replicas - max_unavailable {
        set_condition(
            &mut conds,
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
            false,
        );
    } else {
        set_condition(
            &mut conds,
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            false,
        );
    }
    let complete = updated == replicas && new_available == replicas && total == replicas;
    let deadline = cfg.scaled(Duration::from_secs(
        d["spec"]["progressDeadlineSeconds"].as_u64().unwrap_or(600),
    ));
    let was_paused =
        condition(&conds, "Progressing").is_some_and(|c| c["reason"] == "DeploymentPaused");
    if d["spec"]["paused"] == true {
        set_condition(
            &mut conds,
            "Progressing",
            "Unknown",
            "DeploymentPaused",
            "Deployment is paused",
            false,
        );
    } else if was_paused {
        set_condition(
            &mut conds,
            "Progressing",
            "Unknown",
            "DeploymentResumed",
            "Deployment is resumed",
            false,
        );
    } else if complete {
        set_condition(
            &mut conds,
            "Progressing",
            "True",
            "NewReplicaSetAvailable",
            &format!("ReplicaSet \"{new_name}\" has successfully progressed."),
            false,
        );
    } else if now.duration_since(since) > deadline {
        set_condition(
            &mut conds,
            "Progressing",
            "False",
            "ProgressDeadlineExceeded",
            &format!("ReplicaSet \"{new_name}\" has timed out progressing."),
            false,
        );
    } else {
        set_condition(
            &mut conds,
            "Progressing",
            "True",
            "ReplicaSetUpdated",
            &format!("ReplicaSet \"{new_name}\" is progressing."),
            progressed,
        );
    }
    let mut status = json!({
        "observedGeneration": d["metadata"]["generation"],
        "replicas": total,
        "updatedReplicas": updated,
        "readyReplicas": ready,
        "availableReplicas": available,
        "conditions": conds,
    });
    if replicas - available > 0 {
        status["unavailableReplicas"] = json!(replicas - available);
    }
    if d["status"] != status {
        let mut next = d.clone();
        next["status"] = status;
        let _ = store.update(&DEPLOYMENT, &ns, &name, next, UpdateScope::Status);
    }
}

#[cfg(test)]
mod tests {
    use super::template_hash;
    use serde_json::json;

    #[test]
    fn hash_ignores_typed_client_noise_and_the_hash_label() {
        let a = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}});
        let b = json!({"metadata": {"creationTimestamp": null, "labels": {"app": "web", "pod-template-hash": "x"}}, "spec": {"containers": [{"name": "web", "image": "nginx", "resources": {}}]}});
        assert_eq!(template_hash(&a), template_hash(&b));
        let c = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx:2"}]}});
        assert_ne!(template_hash(&a), template_hash(&c));
    }
}
