//! `helm_upgrade`: apply a values patch to a release (mutating: the person sees the values
//! diff and says yes first). The upgrade takes back fields edited outside Helm: restoring
//! what the release renders is what the agent's upgrades are for.

use super::diff_values::{ValuesChangeArgs, propose};
use super::release_chart::ChartSource;
use crate::helm::{ActionOptions, Chart, Release};
use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool, helm_call};

/// Re-applies `revision`'s stored rendering of `release` as a new revision.
async fn reapply(ctx: &ToolContext, release: &str, revision: u32) -> Result<Release, ToolError> {
    let client = ctx.helm()?.client.clone();
    let name = release.to_string();
    let rel = helm_call("rollback", move || {
        client.rollback(&name, Some(revision), Some(120))?;
        client.status(&name)
    })
    .await?;
    Ok(Release {
        manifest: None,
        notes: None,
        ..rel
    })
}

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
            let (current, proposed) = propose(ctx, &a).await?;
            let chart_dir = match super::release_chart::chart_source(ctx, &a.release).await? {
                ChartSource::Folder(dir) => dir,
                // Same values, no chart to render them: Helm re-applies the latest stored
                // rendering as a new revision (a rollback to it), which restores what was
                // deleted or edited outside Helm just as the upgrade would.
                ChartSource::StoredRendering { revision, .. } if current == proposed => {
                    return reapply(ctx, &a.release, revision).await;
                }
                ChartSource::StoredRendering { why, .. } => return Err(ToolError::Retry(why)),
            };
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
