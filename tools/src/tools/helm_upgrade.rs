//! `helm_upgrade`: apply a values patch to a release (mutating: the person sees the values
//! diff and says yes first). The upgrade takes back fields edited outside Helm: restoring
//! what the release renders is what the agent's upgrades are for.

use super::diff_values::{ValuesChangeArgs, propose};
use crate::helm::{ActionOptions, Chart, Release};
use crate::tool::{ToolContext, ToolRun, TypedTool, helm_call};

/// The tool.
pub struct HelmUpgrade;

impl TypedTool for HelmUpgrade {
    const NAME: &'static str = "helm_upgrade";
    const DESCRIPTION: &'static str = "Upgrade a Helm release with a values patch (validated against the chart's schema first); creates a new revision.";
    const MUTATES: bool = true;
    const NAMESPACED: bool = true;
    type Args = ValuesChangeArgs;
    type Output = Release;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: ValuesChangeArgs) -> ToolRun<'a, Release> {
        Box::pin(async move {
            let (_, proposed) = propose(ctx, &a).await?;
            let chart_dir = super::release_chart::chart_for(ctx, &a.release).await?;
            let helm = ctx.helm()?;
            let (client, release) = (helm.client.clone(), a.release.clone());
            let rel = helm_call("upgrade", move || {
                client.upgrade(
                    &Chart::load(&chart_dir)?,
                    &release,
                    &proposed,
                    &ActionOptions::restoring(),
                )
            })
            .await?;
            Ok(Release {
                manifest: None,
                notes: None,
                ..rel
            })
        })
    }

    fn render(&self, rel: &Release) -> String {
        format!(
            "release {} upgraded to revision {} ({})",
            rel.name, rel.revision, rel.status
        )
    }
}
