//! `helm_status`: a release's current revision, status, chart and notes.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::helm::Release;
use crate::tool::{ToolContext, ToolRun, TypedTool, helm_call};

/// Arguments of `helm_status`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HelmStatusArgs {
    /// The release.
    pub release: String,
}

/// The tool.
pub struct HelmStatus;

impl TypedTool for HelmStatus {
    const NAME: &'static str = "helm_status";
    const DESCRIPTION: &'static str =
        "Show a Helm release's current revision, status, chart, app version and notes.";
    const MUTATES: bool = false;
    const NAMESPACED: bool = true;
    type Args = HelmStatusArgs;
    type Output = Release;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: HelmStatusArgs) -> ToolRun<'a, Release> {
        Box::pin(async move {
            let client = ctx.helm()?.client.clone();
            let r = helm_call("status", move || client.status(&a.release)).await?;
            // The manifest is `diff_manifest`'s business and would swamp a model.
            Ok(Release {
                manifest: None,
                ..r
            })
        })
    }

    fn render(&self, r: &Release) -> String {
        let text = format!(
            "{} revision {} {} (chart {}-{}, app {}), deployed {}\n{}",
            r.name,
            r.revision,
            r.status,
            r.chart_name.as_deref().unwrap_or("?"),
            r.chart_version.as_deref().unwrap_or("?"),
            r.app_version.as_deref().unwrap_or("?"),
            r.deployed_at.as_deref().unwrap_or("?"),
            r.notes.as_deref().unwrap_or("")
        );
        text
    }
}
