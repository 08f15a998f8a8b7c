//! `get_logs`: a container's log tail (optionally of the previous instance), grep-able,
//! with Secret values masked.

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::tool::{Tool, ToolContext, ToolError, ToolFuture, ToolOutput, args, budget, schema_of};

/// Arguments of `get_logs`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetLogsArgs {
    /// The pod.
    pub pod: String,
    /// The container (needed when the pod has several).
    #[serde(default)]
    pub container: Option<String>,
    /// The previous (crashed) instance instead of the current one.
    #[serde(default)]
    pub previous: bool,
    /// How many lines from the end (default 50, at most 500).
    #[serde(default)]
    #[schemars(range(min = 1, max = 500))]
    pub tail: Option<i64>,
    /// Only lines newer than this many seconds.
    #[serde(default)]
    pub since_seconds: Option<i64>,
    /// Only lines containing this text.
    #[serde(default)]
    pub grep: Option<String>,
}

/// The tool.
pub struct GetLogs;

impl Tool for GetLogs {
    fn name(&self) -> &'static str {
        "get_logs"
    }
    fn description(&self) -> &'static str {
        "Read the last lines of a pod's container log (or of its previous, crashed instance), optionally filtered."
    }
    fn mutates(&self) -> bool {
        false
    }
    fn schema(&self) -> Value {
        schema_of::<GetLogsArgs>()
    }
    fn call<'a>(&'a self, ctx: &'a ToolContext, a: Value) -> ToolFuture<'a> {
        Box::pin(async move {
            let a: GetLogsArgs = args(self.name(), a)?;
            let tail = a.tail.unwrap_or(50).clamp(1, 500);
            let api: Api<Pod> = Api::namespaced(ctx.cluster.client.clone(), &ctx.cluster.namespace);
            let lp = LogParams {
                container: a.container.clone(),
                previous: a.previous,
                tail_lines: Some(tail),
                since_seconds: a.since_seconds,
                ..Default::default()
            };
            let raw = api
                .logs(&a.pod, &lp)
                .await
                .map_err(|e| match ctx.cluster.error(e) {
                    crate::cluster::ClusterError::Api(s) => {
                        ToolError::Retry(format!("logs of {}: {}", a.pod, s.message))
                    }
                    other => ToolError::Fatal(other.to_string()),
                })?;
            let text = ctx.redactor.redact(&raw);
            let lines: Vec<&str> = text
                .lines()
                .filter(|l| a.grep.as_deref().is_none_or(|g| l.contains(g)))
                .collect();
            let joined = lines.join("\n");
            Ok(ToolOutput {
                data: json!({"pod": a.pod, "previous": a.previous, "lines": lines}),
                text: if lines.is_empty() {
                    "no log lines".into()
                } else {
                    budget(&joined, 6000, true)
                },
            })
        })
    }
}
