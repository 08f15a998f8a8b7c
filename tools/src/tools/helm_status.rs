//! `helm_status`: a release's current revision, status, chart and notes.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::tool::{Tool, ToolContext, ToolFuture, ToolOutput, args, budget, helm_call, schema_of};

/// Arguments of `helm_status`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HelmStatusArgs {
    /// The release.
    pub release: String,
}

/// The tool.
pub struct HelmStatus;

impl Tool for HelmStatus {
    fn name(&self) -> &'static str {
        "helm_status"
    }
    fn description(&self) -> &'static str {
        "Show a Helm release's current revision, status, chart, app version and notes."
    }
    fn mutates(&self) -> bool {
        false
    }
    fn schema(&self) -> Value {
        schema_of::<HelmStatusArgs>()
    }
    fn call<'a>(&'a self, ctx: &'a ToolContext, a: Value) -> ToolFuture<'a> {
        Box::pin(async move {
            let a: HelmStatusArgs = args(self.name(), a)?;
            let client = ctx.helm()?.client.clone();
            let release = a.release.clone();
            let r = helm_call("status", move || client.status(&release)).await?;
            let data = json!({"name": r.name, "revision": r.revision, "status": r.status, "chart": r.chart_name, "chart_version": r.chart_version,
                              "app_version": r.app_version, "deployed_at": r.deployed_at, "notes": r.notes});
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
            Ok(ToolOutput {
                data,
                text: budget(&ctx.redactor.redact(&text), 3000, false),
            })
        })
    }
}
