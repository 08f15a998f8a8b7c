//! `helm_history`: a release's revisions with their status and description.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::tool::{Tool, ToolContext, ToolFuture, ToolOutput, args, helm_call, schema_of};

/// Arguments of `helm_history`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HelmHistoryArgs {
    /// The release, e.g. `todo-backend`.
    pub release: String,
}

/// The tool.
pub struct HelmHistory;

impl Tool for HelmHistory {
    fn name(&self) -> &'static str {
        "helm_history"
    }
    fn description(&self) -> &'static str {
        "List a Helm release's revisions (status, chart, when), oldest first."
    }
    fn mutates(&self) -> bool {
        false
    }
    fn schema(&self) -> Value {
        schema_of::<HelmHistoryArgs>()
    }
    fn call<'a>(&'a self, ctx: &'a ToolContext, a: Value) -> ToolFuture<'a> {
        Box::pin(async move {
            let a: HelmHistoryArgs = args(self.name(), a)?;
            let client = ctx.helm()?.client.clone();
            let release = a.release.clone();
            let revs = helm_call("history", move || client.history(&release)).await?;
            let rows: Vec<Value> = revs.iter().map(|r| json!({"revision": r.revision, "status": r.status, "chart": format!("{}-{}", r.chart_name.as_deref().unwrap_or(""), r.chart_version.as_deref().unwrap_or("")), "deployed_at": r.deployed_at})).collect();
            let text = rows
                .iter()
                .map(|r| {
                    format!(
                        "{} {} {} {}",
                        r["revision"],
                        r["status"].as_str().unwrap_or(""),
                        r["chart"].as_str().unwrap_or(""),
                        r["deployed_at"].as_str().unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            Ok(ToolOutput {
                data: Value::Array(rows),
                text,
            })
        })
    }
}
