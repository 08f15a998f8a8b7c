//! Files that are generated from code and checked in (JSON Schemas for the charts and the
//! report): one way to check they are current and to rewrite them (`UPDATE_SCHEMAS=1`).

use std::path::Path;

/// Asserts that `path` holds `generated`; with `UPDATE_SCHEMAS` set, writes it first.
/// `rerun` is the command that rewrites it, for the failure message.
pub fn assert_current(path: &Path, generated: &str, rerun: &str) {
    if std::env::var_os("UPDATE_SCHEMAS").is_some()
        && let Err(e) = std::fs::write(path, generated)
    {
        panic!("could not write {}: {e}", path.display());
    }
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "{} differs from what the code generates; run `UPDATE_SCHEMAS=1 {rerun}`, review the diff and commit it",
        path.display()
    );
}

/// Validates `doc` against the JSON Schema `schema` (draft 2020-12 or what it declares);
/// the error lists every violation.
pub fn validate(schema: &serde_json::Value, doc: &serde_json::Value) -> Result<(), String> {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource("mem://schema.json", schema.clone())
        .map_err(|e| format!("the schema cannot be read: {e}"))?;
    let id = compiler
        .compile("mem://schema.json", &mut schemas)
        .map_err(|e| format!("the schema does not compile: {e}"))?;
    schemas.validate(doc, id).map_err(|e| format!("{e:#}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_document_that_breaks_the_schema_is_named() {
        let schema = json!({"type": "object", "required": ["pods"],
                            "properties": {"pods": {"type": "integer", "minimum": 0}}});
        assert!(validate(&schema, &json!({"pods": 2})).is_ok());
        let e = validate(&schema, &json!({"pods": "two"})).unwrap_err();
        assert!(e.contains("pods"), "{e}");
        assert!(validate(&schema, &json!({})).is_err());
    }
}
