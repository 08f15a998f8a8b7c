//! `get_logs`: a container's log tail (optionally of the previous instance), grep-able,
//! with Secret values masked.

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool, budget};

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

/// The log lines read, after the grep.
#[derive(Debug, Serialize)]
pub struct PodLog {
    /// The pod.
    pub pod: String,
    /// The container asked for, if any.
    pub container: Option<String>,
    /// Whether these are the previous instance's lines.
    pub previous: bool,
    /// The lines, oldest first, Secret values masked.
    pub lines: Vec<String>,
}

/// The tool.
pub struct GetLogs;

impl TypedTool for GetLogs {
    const NAME: &'static str = "get_logs";
    const DESCRIPTION: &'static str = "Read the last lines of a pod's container log (or of its previous, crashed instance), optionally filtered.";
    const MUTATES: bool = false;
    type Args = GetLogsArgs;
    type Output = PodLog;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: GetLogsArgs) -> ToolRun<'a, PodLog> {
        Box::pin(async move {
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
            // Redact before the grep so a search for a secret finds nothing.
            let text = ctx.redactor.redact(&raw);
            let lines = text
                .lines()
                .filter(|l| a.grep.as_deref().is_none_or(|g| l.contains(g)))
                .map(str::to_string)
                .collect();
            Ok(PodLog {
                pod: a.pod,
                container: a.container,
                previous: a.previous,
                lines,
            })
        })
    }

    fn render(&self, log: &PodLog) -> String {
        if log.lines.is_empty() {
            return "no log lines".into();
        }
        budget(&log.lines.join("\n"), 6000, true)
    }
}
