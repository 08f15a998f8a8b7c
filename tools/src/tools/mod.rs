//! The registry: every tool, one file each.

mod get_events;
mod get_logs;
mod list_pods;
mod rollout_restart;
mod scale;

use crate::tool::Tool;

/// Every tool, in a stable order.
pub fn registry() -> Vec<Box<dyn Tool>> {
    vec![
        Box::new(list_pods::ListPods),
        Box::new(get_events::GetEvents),
        Box::new(get_logs::GetLogs),
        Box::new(scale::Scale),
        Box::new(rollout_restart::RolloutRestart),
    ]
}

/// A tool by name.
pub fn find(name: &str) -> Option<Box<dyn Tool>> {
    registry().into_iter().find(|t| t.name() == name)
}
