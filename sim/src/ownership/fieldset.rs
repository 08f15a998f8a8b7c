//! A set of field paths in the `FieldsV1` form `metadata.managedFields` stores: a tree whose
//! keys are `f:<field>`, `k:<item keys as JSON>`, `v:<value as JSON>` and `i:<index>`, where
//! `{}` is a member leaf and `"."` marks a node that is itself a member.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// A set of fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSet {
    /// The path to this node is itself in the set.
    pub member: bool,
    /// Sub-paths, by `FieldsV1` key.
    pub children: BTreeMap<String, FieldSet>,
}

impl FieldSet {
    /// A set holding only this node.
    pub fn leaf() -> Self {
        Self {
            member: true,
            children: BTreeMap::new(),
        }
    }

    /// Whether nothing is in the set.
    pub fn is_empty(&self) -> bool {
        !self.member && self.children.values().all(FieldSet::is_empty)
    }

    /// Reads a `fieldsV1` object; anything else is the empty set.
    pub fn from_fields_v1(v: &Value) -> Self {
        let Some(m) = v.as_object() else {
            return Self::default();
        };
        Self {
            member: m.is_empty() || m.contains_key("."),
            children: m
                .iter()
                .filter(|(k, _)| *k != ".")
                .map(|(k, v)| (k.clone(), Self::from_fields_v1(v)))
                .collect(),
        }
    }

    /// The `fieldsV1` object.
    pub fn to_fields_v1(&self) -> Value {
        let mut m = Map::new();
        if self.member && !self.children.is_empty() {
            m.insert(".".into(), Value::Object(Map::new()));
        }
        for (k, c) in &self.children {
            if !c.is_empty() {
                m.insert(k.clone(), c.to_fields_v1());
            }
        }
        Value::Object(m)
    }

    /// Adds every path of `other`.
    pub fn union(&mut self, other: &FieldSet) {
        self.member |= other.member;
        for (k, c) in &other.children {
            self.children.entry(k.clone()).or_default().union(c);
        }
    }

    /// The paths of `self` that `other` does not hold (path by path, not subtrees).
    pub fn minus(&self, other: &FieldSet) -> FieldSet {
        let empty = FieldSet::default();
        FieldSet {
            member: self.member && !other.member,
            children: self
                .children
                .iter()
                .map(|(k, c)| (k.clone(), c.minus(other.children.get(k).unwrap_or(&empty))))
                .filter(|(_, c)| !c.is_empty())
                .collect(),
        }
    }

    /// The paths both hold.
    pub fn intersect(&self, other: &FieldSet) -> FieldSet {
        FieldSet {
            member: self.member && other.member,
            children: self
                .children
                .iter()
                .filter_map(|(k, c)| Some((k.clone(), c.intersect(other.children.get(k)?))))
                .filter(|(_, c)| !c.is_empty())
                .collect(),
        }
    }

    /// Drops every path at or below a member of `removed` (a field that is gone takes what
    /// was inside it along).
    pub fn remove_subtrees(&mut self, removed: &FieldSet) {
        for (k, r) in &removed.children {
            if r.member {
                self.children.remove(k);
            } else if let Some(c) = self.children.get_mut(k) {
                c.remove_subtrees(r);
            }
        }
        self.children.retain(|_, c| !c.is_empty());
    }

    /// Whether the set holds anything at or below the path `keys`.
    pub fn touches(&self, keys: &[String]) -> bool {
        match keys.split_first() {
            None => !self.is_empty(),
            Some((k, rest)) => self.children.get(k).is_some_and(|c| c.touches(rest)),
        }
    }

    /// Every member path, each as its list of `FieldsV1` keys, in order.
    pub fn members(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        self.collect(&mut Vec::new(), &mut out);
        out
    }

    fn collect(&self, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        if self.member && !prefix.is_empty() {
            out.push(prefix.clone());
        }
        for (k, c) in &self.children {
            prefix.push(k.clone());
            c.collect(prefix, out);
            prefix.pop();
        }
    }
}

/// A path as the API server prints it in messages: `.spec.containers[name="app"].image`.
pub fn path_string(keys: &[String]) -> String {
    let mut s = String::new();
    for k in keys {
        if let Some(f) = k.strip_prefix("f:") {
            s.push('.');
            s.push_str(f);
        } else if let Some(item) = k.strip_prefix("k:") {
            let fields: Map<String, Value> = serde_json::from_str(item).unwrap_or_default();
            let parts: Vec<String> = fields.iter().map(|(f, v)| format!("{f}={v}")).collect();
            s.push_str(&format!("[{}]", parts.join(",")));
        } else if let Some(v) = k.strip_prefix("v:") {
            s.push_str(&format!("[={v}]"));
        } else if let Some(i) = k.strip_prefix("i:") {
            s.push_str(&format!("[{i}]"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set(v: Value) -> FieldSet {
        FieldSet::from_fields_v1(&v)
    }

    #[test]
    fn fields_v1_round_trips_and_set_operations_work_path_by_path() {
        let a = set(json!({"f:spec": {"f:replicas": {}, "f:containers": {
            "k:{\"name\":\"app\"}": {".": {}, "f:image": {}, "f:name": {}}}}}));
        assert_eq!(FieldSet::from_fields_v1(&a.to_fields_v1()), a);
        assert_eq!(
            a.to_fields_v1()["f:spec"]["f:containers"]["k:{\"name\":\"app\"}"]["."],
            json!({})
        );
        let b = set(json!({"f:spec": {"f:replicas": {}}}));
        assert_eq!(a.intersect(&b), b);
        let rest = a.minus(&b);
        assert!(!rest.touches(&["f:spec".into(), "f:replicas".into()]));
        assert!(rest.touches(&["f:spec".into(), "f:containers".into()]));
        let paths: Vec<String> = a.members().iter().map(|p| path_string(p)).collect();
        assert_eq!(
            paths,
            [
                ".spec.containers[name=\"app\"]",
                ".spec.containers[name=\"app\"].image",
                ".spec.containers[name=\"app\"].name",
                ".spec.replicas"
            ]
        );
        let mut c = a.clone();
        c.remove_subtrees(&set(
            json!({"f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {}}}}),
        ));
        assert_eq!(c, b);
        assert_eq!(
            path_string(&["k:{\"containerPort\":80,\"protocol\":\"TCP\"}".into()]),
            "[containerPort=80,protocol=\"TCP\"]"
        );
    }
}
