//! Typed cluster tools, analyzers and the Helm binding for todo-ops.

pub mod access;
pub mod age;
pub mod analyzers;
pub mod cluster;
pub mod diagnose;
pub mod helm;
pub mod kube_context;
pub mod measure;
pub mod nearest;
pub mod object_versions;
pub mod pod_http;
pub mod programs;
pub mod redact;
pub mod release_history;
pub mod repair;
pub mod repair_plan;
pub mod report;
pub mod results;
pub mod served_kinds;
pub mod settle;
pub mod snapshot;
pub mod tool;
pub mod tools;
pub mod user_dirs;
pub mod values;
