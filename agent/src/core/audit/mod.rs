//! The audit log: one JSON line per tool call — who acted, on which cluster, what was asked,
//! what the person saw, who decided and why, what ran and which objects it changed (their
//! versions before and after). Append-only, redacted before it is written; a torn last
//! line (a crash mid-write) is skipped with a warning and loses nothing before it.

mod entry;
mod file;

pub use entry::{AuditEntry, ChangedObject, Decision, Draft};
pub use file::{AuditError, AuditLog, ReadLog, default_path, read};
