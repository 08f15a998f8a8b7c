//! A tool's result as MCP wants it: `outputSchema` must describe an object, and
//! `structuredContent` must be one. Results that are lists or free JSON are wrapped as
//! `{"result": …}`, their schema's definitions moved to the top so its `$ref`s still resolve.

use serde_json::{Map, Value, json};

/// The key a non-object result is wrapped under.
const WRAP_KEY: &str = "result";

/// The output schema MCP gets for a tool whose result has `schema`, and whether its
/// results are wrapped.
pub fn output_schema(mut schema: Value) -> (Map<String, Value>, bool) {
    if schema["type"] == "object"
        && let Value::Object(m) = schema
    {
        return (m, false);
    }
    let mut wrapper = Map::new();
    if let Some(m) = schema.as_object_mut() {
        m.remove("$schema");
        for defs in ["$defs", "definitions"] {
            if let Some(d) = m.remove(defs) {
                wrapper.insert(defs.into(), d);
            }
        }
    }
    // `true` (any JSON) becomes an empty schema, which means the same.
    if schema == Value::Bool(true) {
        schema = json!({});
    }
    wrapper.insert("type".into(), json!("object"));
    wrapper.insert("properties".into(), json!({ WRAP_KEY: schema }));
    wrapper.insert("required".into(), json!([WRAP_KEY]));
    (wrapper, true)
}

/// The structured content for a result `data` of a tool whose schema `wrapped`.
pub fn structured(data: Value, wrapped: bool) -> Value {
    if wrapped {
        json!({ WRAP_KEY: data })
    } else {
        data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_wrapped_with_their_definitions_on_top() {
        let list = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "array",
            "items": {"$ref": "#/$defs/Row"},
            "$defs": {"Row": {"type": "object"}}
        });
        let (schema, wrapped) = output_schema(list);
        assert!(wrapped);
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["$defs"]["Row"]["type"], "object");
        assert_eq!(
            schema["properties"]["result"]["items"]["$ref"],
            "#/$defs/Row"
        );
        assert!(schema["properties"]["result"].get("$schema").is_none());
        assert_eq!(structured(json!([1]), true), json!({"result": [1]}));
        let (object, wrapped) = output_schema(json!({"type": "object", "properties": {}}));
        assert!(!wrapped && object["type"] == "object");
        let (any, _) = output_schema(json!(true));
        assert_eq!(any["properties"]["result"], json!({}));
    }
}
