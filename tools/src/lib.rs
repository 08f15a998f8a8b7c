//! Typed cluster tools, analyzers and the Helm binding for todo-ops (filled by later issues).
