//! `helm_list`: the Helm releases of the namespace with status, revision and chart.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::tool::{Tool, ToolContext, ToolFuture, ToolOutput, args, helm_call, schema_of};

/// Arguments of `helm_list`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HelmListArgs {
    /// Include releases in every state (failed, pending, uninstalled), not only deployed ones.
    #[serde(default)]
    pub all: bool,
}

/// The tool.
pub struct HelmList;

impl Tool for HelmList {
    fn name(&self) -> &'static str {
        "helm_list"
    }
    fn description(&self) -> &'static str {
        "List the Helm releases of the namespace: status, revision, chart and app version."
    }
    fn mutates(&self) -> bool {
        false
    }
    fn schema(&self) -> Value {
        schema_of::<HelmListArgs>()
    }
    fn call<'a>(&'a self, ctx: &'a ToolContext, a: Value) -> ToolFuture<'a> {
        Box::pin(async move {
            let a: HelmListArgs = args(self.name(), a)?;
            let client = ctx.helm()?.client.clone();
            let all = a.all;
            let releases = helm_call("list", move || client.list(all)).await?;
            let rows: Vec<Value> = releases
                .iter()
                .map(|r| json!({"name": r.name, "status": r.status, "revision": r.revision, "chart": format!("{}-{}", r.chart_name.as_deref().unwrap_or(""), r.chart_version.as_deref().unwrap_or("")), "app_version": r.app_version}))
                .collect();
            let text = rows
                .iter()
                .map(|r| {
                    format!(
                        "{} {} revision {} {}",
                        r["name"].as_str().unwrap_or(""),
                        r["status"].as_str().unwrap_or(""),
                        r["revision"],
                        r["chart"].as_str().unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            Ok(ToolOutput {
                data: Value::Array(rows),
                text: if text.is_empty() {
                    "no releases".into()
                } else {
                    text
                },
            })
        })
    }
}
