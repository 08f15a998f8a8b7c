//! The shape of a served kind's objects, read from its schema: at any field, whether it is
//! a struct, a map, or a list — and if a list, whether items merge by key, as a set, or not
//! at all. Strategic merge patches and server-side apply both walk objects with it.

use std::collections::HashMap;
use std::sync::OnceLock;

use k8s_openapi::schemars::generate::SchemaSettings;
use serde_json::{Map, Value};

use crate::patch_meta::{ATOMIC_STRUCTS, LIST_MERGE};
use crate::resources::{RESOURCES, ResourceType};

/// How the items of a list combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListType {
    /// Items are identified by these keys (the second with its server default).
    Map {
        /// The key a strategic merge patch uses.
        key: &'static str,
        /// The second key server-side apply uses, with its default.
        also: Option<(&'static str, &'static str)>,
    },
    /// Scalars merged as a set.
    Set,
    /// Replaced whole.
    Atomic,
}

struct Definitions {
    defs: Map<String, Value>,
    roots: HashMap<(&'static str, &'static str, &'static str), String>,
}

fn definitions() -> &'static Definitions {
    static DEFS: OnceLock<Definitions> = OnceLock::new();
    DEFS.get_or_init(|| {
        let mut generator = SchemaSettings::openapi3().into_generator();
        let mut roots = HashMap::new();
        for rt in RESOURCES {
            let reference = (rt.model.schema)(&mut generator);
            if let Some(name) = ref_name(reference.as_value()) {
                roots.insert((rt.group, rt.version, rt.plural), name.to_string());
            }
        }
        Definitions {
            defs: generator.take_definitions(true),
            roots,
        }
    })
}

/// The definition a schema points to: `$ref`, or the one `allOf` entry.
fn ref_name(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")
        .or_else(|| schema.get("allOf")?.get(0)?.get("$ref"))
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
}

/// A position in a kind's schema. An unknown position (a field the schema lacks) is a map
/// of atomic lists, which is what a client can least be surprised by.
#[derive(Clone, Copy)]
pub struct Cursor {
    definition: Option<&'static str>,
    schema: Option<&'static Value>,
}

impl Cursor {
    /// The top of `rt`'s objects.
    pub fn of(rt: &ResourceType) -> Self {
        let d = definitions();
        let name = d.roots.get(&(rt.group, rt.version, rt.plural));
        Self::at(name.map(String::as_str), None)
    }

    /// Nowhere: every list atomic, every object a map.
    pub const UNKNOWN: Cursor = Cursor {
        definition: None,
        schema: None,
    };

    fn at(definition: Option<&str>, schema: Option<&'static Value>) -> Self {
        let d = definitions();
        match definition.and_then(|n| d.defs.get_key_value(n)) {
            Some((name, def)) => Self {
                definition: Some(name.as_str()),
                schema: Some(def),
            },
            None => Self {
                definition: None,
                schema,
            },
        }
    }

    fn enter(schema: Option<&'static Value>) -> Self {
        match schema {
            Some(s) => Self::at(ref_name(s), Some(s)),
            None => Self::UNKNOWN,
        }
    }

    /// The value of field `name` (a struct's property, or a map's value).
    pub fn field(&self, name: &str) -> Cursor {
        let Some(s) = self.schema else {
            return Self::UNKNOWN;
        };
        match s.get("properties").and_then(|p| p.get(name)) {
            Some(p) => Self::enter(Some(p)),
            None => Self::enter(s.get("additionalProperties").filter(|a| a.is_object())),
        }
    }

    /// The items of this list.
    pub fn items(&self) -> Cursor {
        Self::enter(self.schema.and_then(|s| s.get("items")))
    }

    /// How the list in field `name` merges.
    pub fn list_type(&self, name: &str) -> ListType {
        let Some(def) = self.definition else {
            return ListType::Atomic;
        };
        match LIST_MERGE
            .iter()
            .find(|m| m.definition == def && m.field == name)
        {
            Some(m) => match m.merge_key {
                Some(key) => ListType::Map {
                    key,
                    also: m.apply_key,
                },
                None => ListType::Set,
            },
            None => ListType::Atomic,
        }
    }

    /// Whether this struct is one value (`structType=atomic`).
    pub fn is_atomic(&self) -> bool {
        self.definition.is_some_and(|d| ATOMIC_STRUCTS.contains(&d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::{DEPLOYMENT, SERVICE};

    #[test]
    fn lists_and_structs_are_told_apart_by_the_schema() {
        let spec = Cursor::of(&DEPLOYMENT).field("spec");
        let pod = spec.field("template").field("spec");
        assert_eq!(
            pod.list_type("containers"),
            ListType::Map {
                key: "name",
                also: None
            }
        );
        let container = pod.field("containers").items();
        assert_eq!(
            container.list_type("ports"),
            ListType::Map {
                key: "containerPort",
                also: Some(("protocol", "TCP"))
            }
        );
        // Tolerations and args have no merge key: replaced whole.
        assert_eq!(pod.list_type("tolerations"), ListType::Atomic);
        assert_eq!(container.list_type("args"), ListType::Atomic);
        assert!(spec.field("selector").is_atomic());
        assert!(!spec.field("template").is_atomic());
        let meta = Cursor::of(&SERVICE).field("metadata");
        assert_eq!(meta.list_type("finalizers"), ListType::Set);
        // Labels are a map: any key has the value's shape.
        assert_eq!(
            meta.field("labels").field("anything").list_type("x"),
            ListType::Atomic
        );
        assert_eq!(
            Cursor::of(&SERVICE).field("spec").list_type("ports"),
            ListType::Map {
                key: "port",
                also: Some(("protocol", "TCP"))
            }
        );
    }
}
