//! The registry: every tool, one file each.

mod apply;
mod config;
mod delete;
mod delete_pod;
mod describe;
mod diagnose;
pub mod diff_manifest;
pub mod diff_values;
mod exec;
mod get_events;
mod get_logs;
mod helm_history;
mod helm_install;
mod helm_list;
mod helm_rollback;
mod helm_status;
mod helm_upgrade;
pub mod helm_values;
mod list_contexts;
pub mod list_deployments;
mod list_nodes;
mod list_pods;
mod list_services;
pub(crate) mod object;
pub mod patch;
mod recreate;
mod release_chart;
mod rollout_restart;
mod rollout_undo;
mod scale;
mod search_result;
mod set_image;
mod smoke_test;

use crate::tool::Tool;

/// Every tool, in a stable order.
pub fn registry() -> Vec<Box<dyn Tool>> {
    vec![
        Box::new(diagnose::Diagnose),
        Box::new(list_pods::ListPods),
        Box::new(get_events::GetEvents),
        Box::new(get_logs::GetLogs),
        Box::new(describe::Describe),
        Box::new(list_deployments::ListDeployments),
        Box::new(list_services::ListServices),
        Box::new(config::GetConfig),
        Box::new(list_nodes::ListNodes),
        Box::new(list_contexts::ListContexts),
        Box::new(search_result::SearchResult),
        Box::new(smoke_test::SmokeTestTool),
        Box::new(helm_list::HelmList),
        Box::new(helm_status::HelmStatus),
        Box::new(helm_history::HelmHistory),
        Box::new(helm_values::HelmValues),
        Box::new(diff_values::DiffValues),
        Box::new(diff_manifest::DiffManifest),
        Box::new(patch::DiffPatch),
        Box::new(scale::Scale),
        Box::new(patch::PatchObject),
        Box::new(rollout_restart::RolloutRestart),
        Box::new(rollout_undo::RolloutUndo),
        Box::new(set_image::SetImage),
        Box::new(apply::Apply),
        Box::new(delete::Delete),
        Box::new(exec::Exec),
        Box::new(delete_pod::DeletePod),
        Box::new(helm_upgrade::HelmUpgrade),
        Box::new(helm_rollback::HelmRollback),
        Box::new(helm_install::HelmInstall),
        Box::new(helm_install::HelmUninstall),
    ]
}

/// A tool by name.
pub fn find(name: &str) -> Option<Box<dyn Tool>> {
    registry().into_iter().find(|t| t.name() == name)
}
