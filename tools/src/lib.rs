//! Typed cluster tools, analyzers and the Helm binding for todo-ops.

pub mod helm;
pub mod values;
