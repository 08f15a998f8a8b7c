//! `get_logs`: a container's log tail (optionally of the previous instance), grep-able,
//! with Secret values masked.

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

/// Lines read when the model names no tail.
const DEFAULT_TAIL: i64 = 200;
/// The most lines one call reads.
const MAX_TAIL: i64 = 200_000;
/// A running container's log is read back this far unless the model says otherwise.
const DEFAULT_SINCE_SECS: i64 = 3600;
/// The most bytes one call reads from the API server.
const MAX_LOG_BYTES: i64 = 32 * 1024 * 1024;
/// The longest one call watches a log.
const MAX_FOLLOW_SECS: u64 = 60;

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
    /// How many lines from the end (default 200, at most 200000; a log longer than fits is
    /// kept whole and searchable with search_result).
    #[serde(default)]
    #[schemars(range(min = 1, max = 200000))]
    pub tail: Option<i64>,
    /// Only lines newer than this many seconds (default: the last hour of a running
    /// container, all of a previous instance; 0: all).
    #[serde(default)]
    pub since_seconds: Option<i64>,
    /// Only lines containing this text.
    #[serde(default)]
    pub grep: Option<String>,
    /// Watch the running container this many seconds first (at most 60), as `kubectl logs
    /// -f` for a while: what a container that has only just started goes on to say.
    #[serde(default)]
    #[schemars(range(max = 60))]
    pub follow_seconds: Option<u64>,
}

/// The log lines read, after the grep.
#[derive(Debug, Serialize, schemars::JsonSchema)]
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
    const KEEPS_TAIL: bool = true;
    type Args = GetLogsArgs;
    type Output = PodLog;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: GetLogsArgs) -> ToolRun<'a, PodLog> {
        Box::pin(async move {
            let tail = a.tail.unwrap_or(DEFAULT_TAIL).clamp(1, MAX_TAIL);
            let since_seconds = match (a.since_seconds, a.previous) {
                (Some(0), _) | (None, true) => None,
                (Some(s), _) => Some(s.max(1)),
                (None, false) => Some(DEFAULT_SINCE_SECS),
            };
            if let Some(secs) = a.follow_seconds.filter(|s| *s > 0 && !a.previous) {
                tokio::time::sleep(std::time::Duration::from_secs(secs.min(MAX_FOLLOW_SECS))).await;
            }
            let api: Api<Pod> = Api::namespaced(ctx.cluster.client.clone(), &ctx.cluster.namespace);
            let lp = LogParams {
                container: a.container.clone(),
                previous: a.previous,
                tail_lines: Some(tail),
                since_seconds,
                limit_bytes: Some(MAX_LOG_BYTES),
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
        log.lines.join("\n")
    }
}
