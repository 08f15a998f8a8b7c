//! A typed change to a release's values: a JSON merge patch (RFC 7386) over the
//! user-supplied values, checked against the chart's schema before anything is sent.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A values change such as `{"resources": {"limits": {"memory": "512Mi"}}}`; `null` removes a key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ValuesPatch(pub Value);

impl ValuesPatch {
    /// A patch from JSON; it must be an object.
    pub fn new(patch: Value) -> Result<Self, String> {
        if patch.is_object() {
            Ok(Self(patch))
        } else {
            Err(format!("a values patch must be a JSON object, got {patch}"))
        }
    }

    /// Sets one dotted key, e.g. `("image.tag", "v2")`.
    pub fn set(path: &str, value: Value) -> Result<Self, String> {
        let keys: Vec<&str> = path.split('.').collect();
        if keys.iter().any(|k| k.is_empty()) {
            return Err(format!("{path:?} is not a dotted key such as image.tag"));
        }
        let mut v = value;
        for k in keys.iter().rev() {
            let mut m = Map::new();
            m.insert((*k).to_string(), v);
            v = Value::Object(m);
        }
        Ok(Self(v))
    }

    /// The values after the patch.
    pub fn apply_to(&self, base: &Value) -> Value {
        let mut out = base.clone();
        json_patch::merge(&mut out, &self.0);
        out
    }

    /// The dotted keys the patch touches, for messages and approvals.
    pub fn keys(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect_keys(&self.0, "", &mut out);
        out
    }
}

fn collect_keys(v: &Value, prefix: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                collect_keys(v, &key, out);
            }
        }
        _ => out.push(prefix.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_semantics() {
        let base = json!({"image": {"repository": "todo-backend", "tag": "latest"}, "replicaCount": 2, "x": 1});
        let p = ValuesPatch::new(json!({"image": {"tag": "v2"}, "x": null, "replicaCount": 3}))
            .unwrap();
        assert_eq!(
            p.apply_to(&base),
            json!({"image": {"repository": "todo-backend", "tag": "v2"}, "replicaCount": 3})
        );
        assert_eq!(p.keys(), vec!["image.tag", "replicaCount", "x"]);
        assert!(ValuesPatch::new(json!([1])).is_err());
    }

    #[test]
    fn dotted_set() {
        let p = ValuesPatch::set("resources.limits.memory", json!("512Mi")).unwrap();
        assert_eq!(p.0, json!({"resources": {"limits": {"memory": "512Mi"}}}));
        assert!(ValuesPatch::set("a..b", json!(1)).is_err());
    }
}
