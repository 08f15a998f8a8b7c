//! Tasks: the to-do items, always scoped to their owner.

pub mod routes;
pub mod store;

pub use store::{Task, TaskFilter, TaskPatch};
