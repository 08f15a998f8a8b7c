//! Objects walked along their shape: the fields an object sets, the fields an update
//! changed, an applied configuration merged into a live object, and fields removed.

use serde_json::{Map, Value};

use super::fieldset::FieldSet;
use crate::structure::{Cursor, ListType};

/// The `FieldsV1` key of a list item: its keys (the second with its default) as JSON.
fn item_key(list: ListType, item: &Value, index: usize) -> String {
    let ListType::Map { key, also } = list else {
        return format!("i:{index}");
    };
    let Some(id) = item.get(key) else {
        return format!("i:{index}");
    };
    let mut fields = Map::new();
    fields.insert(key.to_string(), id.clone());
    if let Some((field, default)) = also {
        let v = item
            .get(field)
            .cloned()
            .unwrap_or_else(|| Value::from(default));
        fields.insert(field.to_string(), v);
    }
    format!("k:{}", Value::Object(fields))
}

fn value_key(v: &Value) -> String {
    format!("v:{v}")
}

fn is_struct(at: Cursor, v: &Value) -> bool {
    v.as_object().is_some_and(|m| !m.is_empty()) && !at.is_atomic()
}

/// The fields `v` sets, below the node it is at.
pub fn set_of(at: Cursor, v: &Value) -> FieldSet {
    let mut out = FieldSet::default();
    let Some(m) = v.as_object().filter(|_| !at.is_atomic()) else {
        return FieldSet::leaf();
    };
    for (k, child) in m {
        if child.is_null() {
            continue;
        }
        out.children
            .insert(format!("f:{k}"), field_set(at, k, child));
    }
    out
}

fn field_set(parent: Cursor, field: &str, v: &Value) -> FieldSet {
    let at = parent.field(field);
    match v {
        Value::Array(items) if !items.is_empty() => match parent.list_type(field) {
            ListType::Atomic => FieldSet::leaf(),
            ListType::Set => FieldSet {
                member: false,
                children: items
                    .iter()
                    .map(|i| (value_key(i), FieldSet::leaf()))
                    .collect(),
            },
            list => FieldSet {
                member: false,
                children: items
                    .iter()
                    .enumerate()
                    .map(|(n, i)| {
                        let mut s = set_of(at.items(), i);
                        s.member = true;
                        (item_key(list, i, n), s)
                    })
                    .collect(),
            },
        },
        _ if is_struct(at, v) => set_of(at, v),
        _ => FieldSet::leaf(),
    }
}

/// The fields `after` adds or changes against `before`, and the fields it removes.
pub fn diff(at: Cursor, before: &Value, after: &Value) -> (FieldSet, FieldSet) {
    let mut changed = FieldSet::default();
    let mut removed = FieldSet::default();
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return (FieldSet::leaf(), FieldSet::default());
    };
    for (k, av) in a.iter().filter(|(_, v)| !v.is_null()) {
        let key = format!("f:{k}");
        match b.get(k).filter(|v| !v.is_null()) {
            None => {
                let mut s = field_set(at, k, av);
                // A new map or list item is itself owned, as well as what is in it.
                s.member |= av.is_object() && !s.children.is_empty();
                changed.children.insert(key, s);
            }
            Some(bv) if bv == av => {}
            Some(bv) => {
                let (c, r) = diff_field(at, k, bv, av);
                if !c.is_empty() {
                    changed.children.insert(key.clone(), c);
                }
                if !r.is_empty() {
                    removed.children.insert(key, r);
                }
            }
        }
    }
    for k in b.keys().filter(|k| a.get(*k).is_none_or(Value::is_null)) {
        removed.children.insert(format!("f:{k}"), FieldSet::leaf());
    }
    (changed, removed)
}

fn diff_field(parent: Cursor, field: &str, before: &Value, after: &Value) -> (FieldSet, FieldSet) {
    let at = parent.field(field);
    match (before, after) {
        (Value::Array(b), Value::Array(a)) => match parent.list_type(field) {
            ListType::Atomic => (FieldSet::leaf(), FieldSet::default()),
            ListType::Set => {
                let mut changed = FieldSet::default();
                let mut removed = FieldSet::default();
                for v in a.iter().filter(|v| !b.contains(v)) {
                    changed.children.insert(value_key(v), FieldSet::leaf());
                }
                for v in b.iter().filter(|v| !a.contains(v)) {
                    removed.children.insert(value_key(v), FieldSet::leaf());
                }
                (changed, removed)
            }
            list => {
                let keyed = |items: &[Value]| -> Vec<(String, Value)> {
                    items
                        .iter()
                        .enumerate()
                        .map(|(n, i)| (item_key(list, i, n), i.clone()))
                        .collect()
                };
                let (b, a) = (keyed(b), keyed(a));
                let mut changed = FieldSet::default();
                let mut removed = FieldSet::default();
                for (k, item) in &a {
                    match b.iter().find(|(bk, _)| bk == k) {
                        None => {
                            let mut s = set_of(at.items(), item);
                            s.member = true;
                            changed.children.insert(k.clone(), s);
                        }
                        Some((_, old)) if old == item => {}
                        Some((_, old)) => {
                            let (c, r) = diff(at.items(), old, item);
                            changed.children.insert(k.clone(), c);
                            removed.children.insert(k.clone(), r);
                        }
                    }
                }
                for (k, _) in b.iter().filter(|(k, _)| a.iter().all(|(ak, _)| ak != k)) {
                    removed.children.insert(k.clone(), FieldSet::leaf());
                }
                (changed, removed)
            }
        },
        (Value::Object(_), Value::Object(_)) if !at.is_atomic() => diff(at, before, after),
        _ => (FieldSet::leaf(), FieldSet::default()),
    }
}

/// `config` merged into `live` as server-side apply merges: fields set, list items merged
/// by key, sets joined, atomic lists and structs replaced.
pub fn merge(at: Cursor, live: &Value, config: &Value) -> Value {
    let (Some(l), Some(c)) = (live.as_object(), config.as_object()) else {
        return config.clone();
    };
    if at.is_atomic() {
        return config.clone();
    }
    let mut out = l.clone();
    for (k, cv) in c {
        if cv.is_null() {
            continue;
        }
        let merged = match (l.get(k), cv) {
            (Some(Value::Array(lv)), Value::Array(items)) => merge_list(at, k, lv, items),
            (Some(lv @ Value::Object(_)), Value::Object(_)) => merge(at.field(k), lv, cv),
            _ => cv.clone(),
        };
        out.insert(k.clone(), merged);
    }
    Value::Object(out)
}

fn merge_list(parent: Cursor, field: &str, live: &[Value], items: &[Value]) -> Value {
    match parent.list_type(field) {
        ListType::Atomic => Value::Array(items.to_vec()),
        ListType::Set => {
            let mut out = live.to_vec();
            out.extend(items.iter().filter(|i| !live.contains(i)).cloned());
            Value::Array(out)
        }
        list => {
            let at = parent.field(field).items();
            let mut out = live.to_vec();
            for (n, item) in items.iter().enumerate() {
                let k = item_key(list, item, n);
                match out
                    .iter()
                    .enumerate()
                    .position(|(m, o)| item_key(list, o, m) == k)
                {
                    Some(p) => out[p] = merge(at, &out[p], item),
                    None => out.push(item.clone()),
                }
            }
            Value::Array(out)
        }
    }
}

/// Removes from `obj` the members of `gone`, except what `kept` holds at or below them.
pub fn prune(at: Cursor, obj: &mut Value, gone: &FieldSet, kept: &FieldSet) {
    let Some(m) = obj.as_object_mut() else {
        return;
    };
    for (k, g) in &gone.children {
        let Some(field) = k.strip_prefix("f:") else {
            continue;
        };
        let kept_below = kept.children.get(k);
        if g.member && kept_below.is_none_or(FieldSet::is_empty) {
            m.remove(field);
            continue;
        }
        let empty = FieldSet::default();
        let kept_below = kept_below.unwrap_or(&empty);
        if kept_below.member && kept_below.children.is_empty() {
            // Another manager owns the field whole (an atomic value).
            continue;
        }
        match m.get_mut(field) {
            Some(Value::Array(items)) => prune_list(at, field, items, g, kept_below),
            Some(v @ Value::Object(_)) => prune(at.field(field), v, g, kept_below),
            _ => {}
        }
    }
}

fn prune_list(
    parent: Cursor,
    field: &str,
    items: &mut Vec<Value>,
    gone: &FieldSet,
    kept: &FieldSet,
) {
    let list = parent.list_type(field);
    let at = parent.field(field).items();
    let empty = FieldSet::default();
    let mut n = 0;
    items.retain_mut(|item| {
        let k = match list {
            ListType::Set => value_key(item),
            _ => item_key(list, item, n),
        };
        n += 1;
        let Some(g) = gone.children.get(&k) else {
            return true;
        };
        let kept_below = kept.children.get(&k).unwrap_or(&empty);
        if g.member && kept_below.is_empty() {
            return false;
        }
        prune(at, item, g, kept_below);
        true
    });
}

/// The value at a path of `FieldsV1` keys, if the object has one.
pub fn lookup<'a>(at: Cursor, v: &'a Value, keys: &[String]) -> Option<&'a Value> {
    let Some((k, rest)) = keys.split_first() else {
        return Some(v);
    };
    let field = k.strip_prefix("f:")?;
    let child = v.get(field)?;
    match (rest.split_first(), child) {
        (Some((item, rest)), Value::Array(items)) if !item.starts_with("f:") => {
            let list = at.list_type(field);
            let (_, found) = items.iter().enumerate().find(|(n, i)| match list {
                ListType::Set => value_key(i) == *item,
                _ => item_key(list, i, *n) == *item,
            })?;
            lookup(at.field(field).items(), found, rest)
        }
        _ => lookup(at.field(field), child, rest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::DEPLOYMENT;
    use serde_json::json;

    fn pod_spec() -> Cursor {
        Cursor::of(&DEPLOYMENT)
            .field("spec")
            .field("template")
            .field("spec")
    }

    #[test]
    fn sets_merges_and_prunes_follow_the_schema() {
        let live = json!({"containers": [
            {"name": "app", "image": "a:1", "args": ["x"], "ports": [{"containerPort": 80}]},
            {"name": "side", "image": "s:1"}
        ]});
        let config = json!({"containers": [{"name": "app", "image": "a:2", "args": ["y"]}]});
        let set = set_of(pod_spec(), &config);
        let f = set.to_fields_v1();
        assert_eq!(
            f["f:containers"]["k:{\"name\":\"app\"}"],
            json!({".": {}, "f:args": {}, "f:image": {}, "f:name": {}})
        );
        let merged = merge(pod_spec(), &live, &config);
        assert_eq!(merged["containers"][0]["image"], "a:2");
        assert_eq!(merged["containers"][0]["args"], json!(["y"]));
        assert_eq!(merged["containers"][0]["ports"][0]["containerPort"], 80);
        assert_eq!(merged["containers"][1]["name"], "side");
        let (changed, removed) = diff(pod_spec(), &live, &merged);
        let paths: Vec<String> = changed
            .members()
            .iter()
            .map(|p| super::super::fieldset::path_string(p))
            .collect();
        assert_eq!(
            paths,
            [
                ".containers[name=\"app\"].args",
                ".containers[name=\"app\"].image"
            ]
        );
        assert!(removed.is_empty());
        // The side container was this manager's alone: it goes; ports kept by another.
        let gone = set_of(pod_spec(), &live).minus(&set);
        let kept = FieldSet::from_fields_v1(&json!({"f:containers": {
            "k:{\"name\":\"app\"}": {"f:ports": {}}}}));
        let mut pruned = merged.clone();
        prune(pod_spec(), &mut pruned, &gone, &kept);
        assert_eq!(pruned["containers"].as_array().map(Vec::len), Some(1));
        assert_eq!(pruned["containers"][0]["ports"][0]["containerPort"], 80);
        let port = lookup(
            pod_spec(),
            &live,
            &[
                "f:containers".into(),
                "k:{\"name\":\"app\"}".into(),
                "f:ports".into(),
                "k:{\"containerPort\":80,\"protocol\":\"TCP\"}".into(),
                "f:containerPort".into(),
            ],
        );
        assert_eq!(port, Some(&json!(80)));
    }
}
