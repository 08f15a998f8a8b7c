//! Two of the three patch formats of the API: JSON patch (RFC 6902) and strategic merge
//! patch (lists of objects merged by their key, `$patch` directives). JSON merge patch
//! (RFC 7386) is `json_patch::merge`.

use serde_json::{Map, Value};

use crate::structure::{Cursor, ListType};

fn pointer_parts(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(vec![]);
    }
    let rest = path
        .strip_prefix('/')
        .ok_or_else(|| format!("invalid JSON pointer {path:?}: it must start with '/'"))?;
    Ok(rest
        .split('/')
        .map(|p| p.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn parent_mut<'a>(doc: &'a mut Value, parts: &[String]) -> Result<&'a mut Value, String> {
    let mut cur = doc;
    for p in parts {
        cur = match cur {
            Value::Object(m) => m
                .get_mut(p)
                .ok_or_else(|| format!("path element {p:?} not found"))?,
            Value::Array(a) => {
                let i: usize = p
                    .parse()
                    .map_err(|_| format!("{p:?} is not an array index"))?;
                a.get_mut(i)
                    .ok_or_else(|| format!("array index {i} out of range"))?
            }
            _ => return Err(format!("cannot descend into a scalar at {p:?}")),
        };
    }
    Ok(cur)
}

fn add(doc: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let parts = pointer_parts(path)?;
    let Some((last, parents)) = parts.split_last() else {
        *doc = value;
        return Ok(());
    };
    match parent_mut(doc, parents)? {
        Value::Object(m) => {
            m.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(a) => {
            if last == "-" {
                a.push(value);
                return Ok(());
            }
            let i: usize = last
                .parse()
                .map_err(|_| format!("{last:?} is not an array index"))?;
            if i > a.len() {
                return Err(format!("array index {i} out of range"));
            }
            a.insert(i, value);
            Ok(())
        }
        _ => Err(format!("cannot add at {path:?}: parent is not a container")),
    }
}

fn remove(doc: &mut Value, path: &str) -> Result<Value, String> {
    let parts = pointer_parts(path)?;
    let Some((last, parents)) = parts.split_last() else {
        return Err("cannot remove the whole document".into());
    };
    match parent_mut(doc, parents)? {
        Value::Object(m) => m
            .remove(last)
            .ok_or_else(|| format!("unable to remove nonexistent key: {last}")),
        Value::Array(a) => {
            let i: usize = last
                .parse()
                .map_err(|_| format!("{last:?} is not an array index"))?;
            if i >= a.len() {
                return Err(format!("array index {i} out of range"));
            }
            Ok(a.remove(i))
        }
        _ => Err(format!("cannot remove at {path:?}")),
    }
}

/// RFC 6902 JSON patch.
pub fn json_patch(target: &Value, ops: &Value) -> Result<Value, String> {
    let ops = ops
        .as_array()
        .ok_or("a JSON patch must be an array of operations")?;
    let mut doc = target.clone();
    for op in ops {
        let path = op["path"]
            .as_str()
            .ok_or("every operation needs a \"path\"")?;
        match op["op"].as_str() {
            Some("add") => add(&mut doc, path, op["value"].clone())?,
            Some("remove") => {
                remove(&mut doc, path)?;
            }
            Some("replace") => {
                remove(&mut doc, path)?;
                add(&mut doc, path, op["value"].clone())?;
            }
            Some("move") => {
                let from = op["from"].as_str().ok_or("move needs \"from\"")?;
                let v = remove(&mut doc, from)?;
                add(&mut doc, path, v)?;
            }
            Some("copy") => {
                let from = op["from"].as_str().ok_or("copy needs \"from\"")?;
                let v = doc
                    .pointer(from)
                    .cloned()
                    .ok_or_else(|| format!("{from:?} not found"))?;
                add(&mut doc, path, v)?;
            }
            Some("test") => {
                if doc.pointer(path) != Some(&op["value"]) {
                    return Err(format!("test operation failed at {path:?}"));
                }
            }
            other => return Err(format!("unknown JSON patch operation {other:?}")),
        }
    }
    Ok(doc)
}

/// Strategic merge patch of an object of the shape at `at` (see [`Cursor::of`]).
pub fn strategic_merge(at: Cursor, target: &Value, patch: &Value) -> Result<Value, String> {
    match (target, patch) {
        (_, Value::Object(p)) => {
            if p.get("$patch").and_then(Value::as_str) == Some("replace") {
                return Ok(strip_directives(patch));
            }
            let mut out: Map<String, Value> = target.as_object().cloned().unwrap_or_default();
            if let Some(keys) = p.get("$retainKeys").and_then(Value::as_array) {
                let keep: Vec<&str> = keys.iter().filter_map(Value::as_str).collect();
                out.retain(|k, _| keep.contains(&k.as_str()));
            }
            for (k, v) in p {
                if k.starts_with("$setElementOrder/") || k == "$retainKeys" || k == "$patch" {
                    continue;
                }
                if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
                    if let (Some(Value::Array(list)), Some(del)) =
                        (out.get_mut(field), v.as_array())
                    {
                        list.retain(|x| !del.contains(x));
                    }
                    continue;
                }
                if v.is_null() {
                    out.remove(k);
                    continue;
                }
                let merged = match (out.get(k), v) {
                    (Some(Value::Array(cur)), Value::Array(items)) => {
                        merge_list(at, k, cur, items)?
                    }
                    (Some(cur), _) => strategic_merge(at.field(k), cur, v)?,
                    (None, _) => strip_directives(v),
                };
                out.insert(k.clone(), merged);
            }
            Ok(Value::Object(out))
        }
        (_, other) => Ok(other.clone()),
    }
}

fn merge_list(at: Cursor, field: &str, cur: &[Value], items: &[Value]) -> Result<Value, String> {
    let key = match at.list_type(field) {
        ListType::Map { key, .. } => key,
        ListType::Set => {
            let mut out = cur.to_vec();
            for i in items {
                if !out.contains(i) {
                    out.push(i.clone());
                }
            }
            return Ok(Value::Array(out));
        }
        ListType::Atomic => return Ok(Value::Array(items.iter().map(strip_directives).collect())),
    };
    let item_shape = at.field(field).items();
    let mut out: Vec<Value> = cur.to_vec();
    for item in items {
        let id = item.get(key);
        let pos = out.iter().position(|c| id.is_some() && c.get(key) == id);
        let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
        match (pos, delete) {
            (Some(i), true) => {
                out.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => out[i] = strategic_merge(item_shape, &out[i], item)?,
            (None, false) => out.push(strip_directives(item)),
        }
    }
    Ok(Value::Array(out))
}

fn strip_directives(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .map(|(k, v)| (k.clone(), strip_directives(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_directives).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_patch_ops() {
        let t = json!({"spec": {"replicas": 1, "list": [1, 2]}});
        let p = json!([
            {"op": "replace", "path": "/spec/replicas", "value": 3},
            {"op": "add", "path": "/spec/list/-", "value": 9},
            {"op": "remove", "path": "/spec/list/0"},
            {"op": "test", "path": "/spec/replicas", "value": 3}
        ]);
        assert_eq!(
            json_patch(&t, &p).unwrap(),
            json!({"spec": {"replicas": 3, "list": [2, 9]}})
        );
        assert!(json_patch(&t, &json!([{"op": "remove", "path": "/nope"}])).is_err());
    }

    #[test]
    fn strategic_merge_by_key() {
        let t = json!({"spec": {"containers": [
            {"name": "app", "image": "a:1", "env": [{"name": "X", "value": "1"}]},
            {"name": "side", "image": "s:1"}
        ]}});
        let p = json!({"spec": {
        "$setElementOrder/containers": [{"name": "app"}],
        "containers": [
            {"name": "app", "image": "a:2", "env": [{"name": "Y", "value": "2"}]},
            {"name": "side", "$patch": "delete"}
        ]}});
        let at = Cursor::of(&crate::resources::POD).field("spec").field("x");
        let pod_spec = Cursor::of(&crate::resources::POD).field("spec");
        let out = strategic_merge(pod_spec, &t["spec"], &p["spec"]).unwrap();
        let out = json!({"spec": out});
        assert_eq!(
            out,
            json!({"spec": {"containers": [
                {"name": "app", "image": "a:2", "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]}
            ]}})
        );
        // Lists without a key are replaced.
        let container = pod_spec.field("containers").items();
        let out = strategic_merge(
            container,
            &json!({"args": ["a", "b"]}),
            &json!({"args": ["c"]}),
        )
        .unwrap();
        assert_eq!(out, json!({"args": ["c"]}));
        // Tolerations have no merge key in the API: a patch replaces them, whatever their keys.
        let out = strategic_merge(
            pod_spec,
            &json!({"tolerations": [{"key": "a", "operator": "Exists"}]}),
            &json!({"tolerations": [{"key": "b", "operator": "Exists"}]}),
        )
        .unwrap();
        assert_eq!(
            out["tolerations"],
            json!([{"key": "b", "operator": "Exists"}])
        );
        // An unknown position merges objects and replaces lists.
        let out = strategic_merge(at, &json!({"a": {"b": 1}}), &json!({"a": {"c": 2}})).unwrap();
        assert_eq!(out, json!({"a": {"b": 1, "c": 2}}));
    }
}
