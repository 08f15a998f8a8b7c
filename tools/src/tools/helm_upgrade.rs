//! `helm_upgrade`: apply a values patch to a release (mutating: the person sees the values
//! diff and says yes first).

use serde_json::{Value, json};

use super::diff_values::{ValuesChangeArgs, propose};
use crate::helm::{ActionOptions, Chart};
use crate::tool::{Tool, ToolContext, ToolFuture, ToolOutput, args, helm_call, schema_of};

/// The tool.
pub struct HelmUpgrade;

impl Tool for HelmUpgrade {
    fn name(&self) -> &'static str {
        "helm_upgrade"
    }
    fn description(&self) -> &'static str {
        "Upgrade a Helm release with a values patch (validated against the chart's schema first); creates a new revision."
    }
    fn mutates(&self) -> bool {
        true
    }
    fn schema(&self) -> Value {
        schema_of::<ValuesChangeArgs>()
    }
    fn call<'a>(&'a self, ctx: &'a ToolContext, a: Value) -> ToolFuture<'a> {
        Box::pin(async move {
            let a: ValuesChangeArgs = args(self.name(), a)?;
            let (_, proposed) = propose(ctx, &a).await?;
            let helm = ctx.helm()?;
            let (client, chart_dir, release) = (
                helm.client.clone(),
                helm.charts.join(&a.release),
                a.release.clone(),
            );
            let rel = helm_call("upgrade", move || {
                client.upgrade(
                    &Chart::load(&chart_dir)?,
                    &release,
                    &proposed,
                    &ActionOptions::default(),
                )
            })
            .await?;
            Ok(ToolOutput {
                data: json!({"release": rel.name, "revision": rel.revision, "status": rel.status}),
                text: format!(
                    "release {} upgraded to revision {} ({})",
                    rel.name, rel.revision, rel.status
                ),
            })
        })
    }
}
