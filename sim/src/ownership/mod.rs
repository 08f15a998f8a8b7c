//! Field ownership (`metadata.managedFields`), as the API server keeps it: every write
//! records which manager set which fields; server-side apply merges a configuration,
//! removes what its manager stopped applying, and refuses to change a field another manager
//! owns unless forced.

mod conflict;
mod entries;
mod fieldset;
mod walk;

use serde_json::{Value, json};

pub use conflict::{Conflict, conflict_message};
pub use entries::Manager;
pub use fieldset::{FieldSet, path_string};

use entries::{Entry, client_entries, entries, store_entries};

use crate::resources::ResourceType;
use crate::structure::Cursor;

/// Metadata the server keeps for itself: nobody owns it.
const SERVER_METADATA: [&str; 9] = [
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
];

/// The part of `obj` a write through `who` can own: the status for the status subresource,
/// everything but the status otherwise; never the server's bookkeeping.
fn owned_part(rt: &ResourceType, obj: &Value, who: &Manager) -> Value {
    let mut part = serde_json::Map::new();
    for (k, v) in obj.as_object().into_iter().flatten() {
        let status = k == "status";
        let wanted = match who.subresource.as_deref() {
            Some("status") => status,
            _ => !(status && rt.has_status),
        };
        if wanted && k != "apiVersion" && k != "kind" {
            part.insert(k.clone(), v.clone());
        }
    }
    if let Some(m) = part.get_mut("metadata").and_then(Value::as_object_mut) {
        m.retain(|k, _| !SERVER_METADATA.contains(&k.as_str()));
        if m.is_empty() {
            part.remove("metadata");
        }
    }
    Value::Object(part)
}

/// Records an update (create, replace or non-apply patch) by `who` on `after`: the fields
/// it added or changed become its own and leave every other manager; removed fields leave
/// everyone.
pub fn record_update(rt: &ResourceType, before: Option<&Value>, after: &mut Value, who: &Manager) {
    let at = Cursor::of(rt);
    let mut list =
        client_entries(before, after).unwrap_or_else(|| before.map(entries).unwrap_or_default());
    let old = before.map_or(json!({}), |b| owned_part(rt, b, who));
    let (changed, removed) = walk::diff(at, &old, &owned_part(rt, after, who));
    if changed.is_empty() && removed.is_empty() {
        store_entries(after, &list);
        return;
    }
    for e in list.iter_mut() {
        if !e.is(who, "Update") {
            e.fields = e.fields.minus(&changed);
        }
        e.fields.remove_subtrees(&removed);
    }
    let now = crate::meta::now();
    match list.iter_mut().find(|e| e.is(who, "Update")) {
        Some(mine) => {
            mine.fields.union(&changed);
            mine.api_version = who.api_version.clone();
            mine.time = Some(now);
        }
        None => list.push(Entry {
            manager: who.name.clone(),
            operation: "Update".into(),
            api_version: who.api_version.clone(),
            time: Some(now),
            subresource: who.subresource.clone(),
            fields: changed,
        }),
    }
    store_entries(after, &list);
}

/// Server-side apply of `config` by `who` onto `live` (None: the object does not exist).
/// Returns the new object with its managed fields, or the conflicts when not `force`d.
pub fn apply(
    rt: &ResourceType,
    live: Option<&Value>,
    config: &Value,
    who: &Manager,
    force: bool,
) -> Result<Value, Vec<Conflict>> {
    let at = Cursor::of(rt);
    let empty = json!({});
    let current = live.unwrap_or(&empty);
    let mut list = entries(current);
    let applied = walk::set_of(at, &owned_part(rt, config, who));
    let mut merged = walk::merge(at, current, config);
    // Only fields whose value the apply changes can conflict.
    let (changed, _) = walk::diff(
        at,
        &owned_part(rt, current, who),
        &owned_part(rt, &merged, who),
    );
    let contested = applied.intersect(&changed);
    let taken: Vec<FieldSet> = list
        .iter()
        .map(|e| {
            if e.is(who, "Apply") {
                FieldSet::default()
            } else {
                e.fields.intersect(&contested)
            }
        })
        .collect();
    if !force {
        let allowed = migrating_from_client_side_apply(rt, current, who);
        let conflicts: Vec<Conflict> = list
            .iter()
            .zip(&taken)
            .flat_map(|(e, t)| {
                t.minus(&allowed).members().into_iter().map(|p| Conflict {
                    manager: e.describe(),
                    field: path_string(&p),
                })
            })
            .collect();
        if !conflicts.is_empty() {
            return Err(conflicts);
        }
    }
    for (e, t) in list.iter_mut().zip(&taken) {
        e.fields = e.fields.minus(t);
    }
    // What this manager applied before and applies no more goes, unless another owns it.
    let before = list
        .iter()
        .find(|e| e.is(who, "Apply"))
        .map(|e| e.fields.clone())
        .unwrap_or_default();
    // Kept: what others own, and what is still applied below a node this manager no longer
    // owns itself (a map it owned as a whole and now owns key by key).
    let mut kept = applied.clone();
    for e in list.iter().filter(|e| !e.is(who, "Apply")) {
        kept.union(&e.fields);
    }
    walk::prune(at, &mut merged, &before.minus(&applied), &kept);
    let now = crate::meta::now();
    list.retain(|e| !e.is(who, "Apply"));
    list.push(Entry {
        manager: who.name.clone(),
        operation: "Apply".into(),
        api_version: who.api_version.clone(),
        time: Some(now),
        subresource: who.subresource.clone(),
        fields: applied,
    });
    store_entries(&mut merged, &list);
    Ok(merged)
}

/// The fields `kubectl apply --server-side` may take over without `--force-conflicts`: those
/// of the last client-side apply (its annotation) that still hold the values it applied, so
/// that moving from client-side to server-side apply does not conflict with itself.
fn migrating_from_client_side_apply(rt: &ResourceType, live: &Value, who: &Manager) -> FieldSet {
    const ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";
    let last = live["metadata"]["annotations"][ANNOTATION]
        .as_str()
        .and_then(|s| serde_json::from_str::<Value>(s).ok());
    let Some(last) = last.filter(|_| who.name == "kubectl") else {
        return FieldSet::default();
    };
    let at = Cursor::of(rt);
    let (last, live) = (owned_part(rt, &last, who), owned_part(rt, live, who));
    let mut allowed = FieldSet::default();
    for p in walk::set_of(at, &last).members() {
        if walk::lookup(at, &last, &p) == walk::lookup(at, &live, &p) {
            let mut node = &mut allowed;
            for k in &p {
                node = node.children.entry(k.clone()).or_default();
            }
            node.member = true;
        }
    }
    allowed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::DEPLOYMENT;

    fn who(name: &str) -> Manager {
        Manager {
            name: name.into(),
            api_version: "apps/v1".into(),
            subresource: None,
        }
    }

    fn deployment(replicas: i64, image: &str) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": image}]}}}})
    }

    #[test]
    fn an_update_takes_the_fields_it_changes_and_apply_conflicts_on_them() {
        let d = &DEPLOYMENT;
        let mut created = deployment(1, "nginx:1");
        record_update(d, None, &mut created, &who("kubectl-create"));
        let owned = &created["metadata"]["managedFields"][0];
        assert_eq!(owned["manager"], "kubectl-create");
        assert_eq!(owned["operation"], "Update");
        assert_eq!(owned["fieldsV1"]["f:spec"]["f:replicas"], json!({}));
        // The selector is atomic: owned whole.
        assert_eq!(owned["fieldsV1"]["f:spec"]["f:selector"], json!({}));

        // Apply the same values: shared, no conflict. Another replica count: conflict.
        let applied = apply(
            d,
            Some(&created),
            &deployment(1, "nginx:1"),
            &who("kubectl"),
            false,
        )
        .expect("same values share ownership");
        assert_eq!(
            applied["metadata"]["managedFields"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
        let conflicts = apply(
            d,
            Some(&applied),
            &deployment(3, "nginx:1"),
            &who("kubectl"),
            false,
        )
        .unwrap_err();
        let fields: Vec<&str> = conflicts.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, [".spec.replicas"]);
        assert!(
            conflict_message(&conflicts).starts_with(
                "Apply failed with 1 conflict: conflict with \"kubectl-create\" using apps/v1 at "
            ),
            "{}",
            conflict_message(&conflicts)
        );
        // Forced: the field changes hands.
        let forced = apply(
            d,
            Some(&applied),
            &deployment(3, "nginx:1"),
            &who("kubectl"),
            true,
        )
        .expect("force takes the field");
        assert_eq!(forced["spec"]["replicas"], 3);
        let creator = entries(&forced)
            .into_iter()
            .find(|e| e.manager == "kubectl-create")
            .expect("the creator keeps its other fields");
        assert!(
            !creator
                .fields
                .touches(&["f:spec".into(), "f:replicas".into()])
        );
        assert!(
            creator
                .fields
                .touches(&["f:spec".into(), "f:template".into()])
        );
    }

    #[test]
    fn apply_removes_what_its_manager_stopped_applying() {
        let d = &DEPLOYMENT;
        let mut config = deployment(2, "nginx:1");
        config["metadata"]["labels"]["tier"] = json!("front");
        let first = apply(d, None, &config, &who("helm"), false).unwrap();
        assert_eq!(first["metadata"]["labels"]["tier"], "front");
        let second = apply(
            d,
            Some(&first),
            &deployment(2, "nginx:2"),
            &who("helm"),
            false,
        )
        .expect("own fields never conflict");
        assert!(second["metadata"]["labels"].get("tier").is_none());
        assert_eq!(
            second["spec"]["template"]["spec"]["containers"][0]["image"],
            "nginx:2"
        );
        // A label another manager added stays when the applier does not mention it.
        let mut edited = second.clone();
        edited["metadata"]["labels"]["team"] = json!("a");
        record_update(d, Some(&second), &mut edited, &who("kubectl-label"));
        let third = apply(
            d,
            Some(&edited),
            &deployment(2, "nginx:2"),
            &who("helm"),
            false,
        )
        .unwrap();
        assert_eq!(third["metadata"]["labels"]["team"], "a");
        // A map the manager owned as a whole ("." as kubectl's client-side-apply migration
        // leaves it) keeps the keys it still applies.
        let mut migrated = third.clone();
        migrated["metadata"]["managedFields"] = json!([{"manager": "helm", "operation": "Apply",
            "apiVersion": "apps/v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {
                "f:labels": {".": {}, "f:app": {}}}}}]);
        let fourth = apply(
            d,
            Some(&migrated),
            &deployment(2, "nginx:2"),
            &who("helm"),
            false,
        )
        .unwrap();
        assert_eq!(fourth["metadata"]["labels"]["app"], "web");
    }
}
