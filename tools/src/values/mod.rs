//! Typed values of the bundled charts. Their JSON Schemas are the charts'
//! `values.schema.json` (a test keeps the checked-in files equal to the generated ones), and
//! the same types carry the agent's typed values patches.

pub mod backend;
pub mod common;
pub mod frontend;
pub mod patch;
pub mod quantity;

pub use backend::BackendValues;
pub use frontend::FrontendValues;
pub use patch::ValuesPatch;
pub use quantity::Quantity;

use schemars::JsonSchema;

/// The `values.schema.json` text for `T` (pretty, with a trailing newline).
pub fn schema_json<T: JsonSchema>() -> String {
    let schema = schemars::schema_for!(T);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
