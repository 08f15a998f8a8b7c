//! `helm_history`: a release's revisions with their status and description.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::helm::Release;
use crate::tool::{ToolContext, ToolRun, TypedTool, helm_call};

/// Arguments of `helm_history`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HelmHistoryArgs {
    /// The release, e.g. `todo-backend`.
    pub release: String,
}

/// The tool.
pub struct HelmHistory;

impl TypedTool for HelmHistory {
    const NAME: &'static str = "helm_history";
    const DESCRIPTION: &'static str =
        "List a Helm release's revisions (status, chart, when), oldest first.";
    const MUTATES: bool = false;
    const NAMESPACED: bool = true;
    type Args = HelmHistoryArgs;
    type Output = Vec<Release>;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: HelmHistoryArgs) -> ToolRun<'a, Vec<Release>> {
        Box::pin(async move {
            let client = ctx.helm()?.client.clone();
            let revs = helm_call("history", move || client.history(&a.release)).await?;
            // Manifests and notes belong to `helm_status`/`diff_manifest`, not to a list.
            Ok(revs
                .into_iter()
                .map(|r| Release {
                    manifest: None,
                    notes: None,
                    ..r
                })
                .collect())
        })
    }

    fn render(&self, revs: &Vec<Release>) -> String {
        revs.iter()
            .map(|r| {
                format!(
                    "{} {} {}-{} {}",
                    r.revision,
                    r.status,
                    r.chart_name.as_deref().unwrap_or(""),
                    r.chart_version.as_deref().unwrap_or(""),
                    r.deployed_at.as_deref().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
