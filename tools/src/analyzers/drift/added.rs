//! Container fields a workload has that its release does not render and that another field
//! manager added (`metadata.managedFields`: a `kubectl patch`, `edit` or `set`). Re-applying
//! the release leaves them — server-side apply only takes back what the release renders — so
//! the repair removes them from the object.

use serde_json::Value;

use crate::repair::FieldChange;

/// Whether a managedFields entry is someone editing the object outside the release: an
/// update of the main resource (not an apply, which is how Helm 4 writes; not Helm 3's own
/// updates; not a status or scale subresource).
fn edited_outside(entry: &Value) -> bool {
    entry["operation"] == "Update"
        && entry["subresource"].as_str().is_none_or(str::is_empty)
        && entry["manager"] != "helm"
}

/// Container lists a strategic merge patch merges item by item, and each one's key.
const MERGED_LISTS: [(&str, &str); 3] = [
    ("env", "name"),
    ("ports", "containerPort"),
    ("volumeMounts", "mountPath"),
];

/// Items of a merged list (`env`, …) that `manager` owns, the live container has and the
/// rendered one lacks: one change per list whose proposal deletes them (`$patch: delete`).
fn added_items(
    object: &str,
    container: &str,
    manager: &str,
    (list, key): (&str, &str),
    owned: &Value,
    (rendered, live): (&Value, &Value),
    out: &mut Vec<FieldChange>,
) {
    let has = |c: &Value, v: &Value| {
        c[list]
            .as_array()
            .and_then(|items| items.iter().find(|i| &i[key] == v).cloned())
    };
    let mut current = Vec::new();
    let mut proposed = Vec::new();
    let mut names = Vec::new();
    for k in owned.as_object().into_iter().flatten().map(|(k, _)| k) {
        let Some(v) = k
            .strip_prefix("k:")
            .and_then(|k| serde_json::from_str::<Value>(k).ok())
            .map(|k| k[key].clone())
        else {
            continue;
        };
        if let (None, Some(item)) = (has(rendered, &v), has(live, &v)) {
            current.push(item);
            proposed.push(serde_json::json!({key: v.clone(), "$patch": "delete"}));
            names.push(v.as_str().map_or_else(|| v.to_string(), str::to_string));
        }
    }
    if current.is_empty()
        || out
            .iter()
            .any(|c| c.container.as_deref() == Some(container) && c.field == list)
    {
        return;
    }
    out.push(FieldChange {
        init: false,
        object: object.to_string(),
        container: Some(container.to_string()),
        field: list.to_string(),
        current: Value::Array(current),
        proposed: Some(Value::Array(proposed)),
        basis: format!(
            "the release does not render {list} {}; {manager} added it",
            names.join(", ")
        ),
    });
}

/// The container fields `live` has beyond what `rendered` does, each with who added it,
/// as field changes whose repair is removal.
pub fn added_container_fields(object: &str, rendered: &Value, live: &Value) -> Vec<FieldChange> {
    let rendered_containers = &rendered["spec"]["template"]["spec"]["containers"];
    let live_containers = &live["spec"]["template"]["spec"]["containers"];
    let mut out: Vec<FieldChange> = Vec::new();
    for entry in live["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| edited_outside(e))
    {
        let manager = entry["manager"].as_str().unwrap_or("an unnamed client");
        let owned = &entry["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"];
        for (key, fields) in owned.as_object().into_iter().flatten() {
            let Some(name) = key
                .strip_prefix("k:")
                .and_then(|k| serde_json::from_str::<Value>(k).ok())
                .and_then(|k| k["name"].as_str().map(str::to_string))
            else {
                continue;
            };
            let by_name = |list: &Value| {
                list.as_array()
                    .and_then(|l| l.iter().find(|c| c["name"] == name.as_str()))
                    .cloned()
            };
            let (Some(r), Some(l)) = (by_name(rendered_containers), by_name(live_containers))
            else {
                continue;
            };
            for field in fields
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, _)| k.strip_prefix("f:"))
                .filter(|f| *f != "name")
            {
                let current = &l[field];
                let known = out
                    .iter()
                    .any(|c| c.container.as_deref() == Some(name.as_str()) && c.field == field);
                if r.get(field).is_none() && !current.is_null() && !known {
                    out.push(FieldChange {
                        init: false,
                        object: object.to_string(),
                        container: Some(name.clone()),
                        field: field.to_string(),
                        current: current.clone(),
                        proposed: Some(Value::Null),
                        basis: format!("the release does not render it; {manager} added it"),
                    });
                }
            }
            for (list, key) in MERGED_LISTS {
                added_items(
                    object,
                    &name,
                    manager,
                    (list, key),
                    &fields[format!("f:{list}")],
                    (&r, &l),
                    &mut out,
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_fields_another_manager_added_beyond_the_rendering_are_named() {
        let rendered = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "web:1"}]}}}});
        let mut live = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "web:2", "command": ["webb"], "imagePullPolicy": "IfNotPresent"}]}}}});
        let owned = |fields: Value| {
            json!({"f:spec": {"f:template": {"f:spec": {"f:containers": {
            "k:{\"name\":\"app\"}": fields}}}}})
        };
        live["metadata"]["managedFields"] = json!([
            {"manager": "helm-app", "operation": "Apply", "fieldsV1": owned(json!({"f:image": {}, "f:name": {}}))},
            {"manager": "kubectl-patch", "operation": "Update", "fieldsV1": owned(json!({"f:command": {}, "f:image": {}}))},
            {"manager": "kubectl", "operation": "Update", "subresource": "scale", "fieldsV1": owned(json!({"f:args": {}}))},
        ]);
        let added = added_container_fields("deployment/web", &rendered, &live);
        assert_eq!(added.len(), 1, "{added:?}");
        assert_eq!(added[0].field, "command");
        assert_eq!(added[0].current, json!(["webb"]));
        assert_eq!(added[0].proposed, Some(Value::Null));
        assert!(added[0].basis.contains("kubectl-patch"));
        // Defaulted fields nobody edited, and rendered fields changed in place, are not added.
        let mut with_env = live.clone();
        with_env["spec"]["template"]["spec"]["containers"][0]["env"] =
            json!([{"name": "LEVEL", "value": "info"}, {"name": "DEBUG", "value": "1"}]);
        let mut rendered_env = rendered.clone();
        rendered_env["spec"]["template"]["spec"]["containers"][0]["env"] =
            json!([{"name": "LEVEL", "value": "info"}]);
        with_env["metadata"]["managedFields"] = json!([
            {"manager": "kubectl-set", "operation": "Update", "fieldsV1": owned(json!({
                "f:env": {".": {}, "k:{\"name\":\"DEBUG\"}": {".": {}, "f:name": {}, "f:value": {}}}}))}
        ]);
        let added = added_container_fields("deployment/web", &rendered_env, &with_env);
        assert_eq!(added.len(), 1, "{added:?}");
        assert_eq!(added[0].field, "env");
        assert_eq!(added[0].current, json!([{"name": "DEBUG", "value": "1"}]));
        assert_eq!(
            added[0].proposed,
            Some(json!([{"name": "DEBUG", "$patch": "delete"}]))
        );
        assert!(
            added[0].basis.contains("env DEBUG; kubectl-set"),
            "{}",
            added[0].basis
        );
        live["metadata"]["managedFields"] = json!([]);
        assert!(added_container_fields("deployment/web", &rendered, &live).is_empty());
    }
}
