//! The typed model of a served kind, taken from k8s-openapi: its JSON Schema (for the
//! OpenAPI documents and `kubectl explain`) and decoding as the API server decodes a body
//! into its Go types — unknown fields found (to reject, warn or drop), wrong types refused.

use std::fmt;

use k8s_openapi::schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A map key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// Where a field is, e.g. `spec.template.spec.containers[0].imagePullPolcy`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldPath(pub Vec<Step>);

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(k) if i == 0 => write!(f, "{k}")?,
                Step::Key(k) => write!(f, ".{k}")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

impl FieldPath {
    fn from_ignored(p: &serde_ignored::Path<'_>) -> Self {
        use serde_ignored::Path;
        let mut steps = Vec::new();
        let mut cur = p;
        loop {
            match cur {
                Path::Root => break,
                Path::Seq { parent, index } => {
                    steps.push(Step::Index(*index));
                    cur = parent;
                }
                Path::Map { parent, key } => {
                    steps.push(Step::Key(key.clone()));
                    cur = parent;
                }
                Path::Some { parent }
                | Path::NewtypeStruct { parent }
                | Path::NewtypeVariant { parent } => cur = parent,
            }
        }
        steps.reverse();
        Self(steps)
    }

    /// Removes the field from `obj`, as decoding into a typed struct drops it.
    pub fn remove_from(&self, obj: &mut Value) {
        let Some((last, parents)) = self.0.split_last() else {
            return;
        };
        let mut cur = obj;
        for step in parents {
            let next = match step {
                Step::Key(k) => cur.get_mut(k.as_str()),
                Step::Index(n) => cur.get_mut(*n),
            };
            let Some(next) = next else {
                return;
            };
            cur = next;
        }
        if let (Step::Key(k), Some(map)) = (last, cur.as_object_mut()) {
            map.remove(k);
        }
    }
}

/// A body that does not decode as its kind: where, and what the decoder said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The field that failed (`spec.replicas`), empty at the top.
    pub path: String,
    /// The decoder's message.
    pub message: String,
}

/// How to describe and decode one kind.
#[derive(Debug, Clone, Copy)]
pub struct Model {
    /// Adds the kind's schema (and all it references) to the generator; returns a reference.
    pub schema: fn(&mut SchemaGenerator) -> Schema,
    /// Decodes a body as the kind: the paths of unknown fields, or the first type error.
    pub decode: fn(&Value) -> Result<Vec<FieldPath>, DecodeError>,
}

impl Model {
    /// The model of the k8s-openapi type `T`.
    pub const fn of<T: JsonSchema + DeserializeOwned>() -> Self {
        Self {
            schema: schema_of::<T>,
            decode: decode_as::<T>,
        }
    }
}

fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

fn decode_as<T: DeserializeOwned>(v: &Value) -> Result<Vec<FieldPath>, DecodeError> {
    let mut unknown = Vec::new();
    let mut record = |p: serde_ignored::Path<'_>| unknown.push(FieldPath::from_ignored(&p));
    let de = serde_ignored::Deserializer::new(v, &mut record);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(_) => Ok(unknown),
        Err(e) => Err(DecodeError {
            path: e.path().to_string(),
            message: e.into_inner().to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_are_found_at_any_depth_and_removed() {
        let model = Model::of::<k8s_openapi::api::apps::v1::Deployment>();
        let mut d = json!({
            "metadata": {"name": "web", "lables": {"a": "b"}},
            "spec": {"replica": 2, "selector": {}, "template": {"spec": {"containers": [
                {"name": "c", "image": "nginx"},
                {"name": "d", "image": "nginx", "imagePullPolcy": "Always", "ports": [{"containerPort": 80, "protocl": "TCP"}]},
            ]}}},
        });
        let found: Vec<String> = (model.decode)(&d)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            found,
            [
                "metadata.lables",
                "spec.replica",
                "spec.template.spec.containers[1].imagePullPolcy",
                "spec.template.spec.containers[1].ports[0].protocl",
            ]
        );
        for p in (model.decode)(&d.clone()).unwrap() {
            p.remove_from(&mut d);
        }
        assert_eq!((model.decode)(&d).unwrap(), vec![]);
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"][1]["image"],
            "nginx"
        );
    }

    #[test]
    fn a_wrong_type_names_its_field() {
        let model = Model::of::<k8s_openapi::api::apps::v1::Deployment>();
        let e = (model.decode)(&json!({"spec": {"replicas": "three"}})).unwrap_err();
        assert_eq!(e.path, "spec.replicas");
        assert!(e.message.contains("expected i32"), "{}", e.message);
    }
}
