//! `list_nodes`: nodes with allocatable CPU and memory against what pods request.

use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{Api, ListParams};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

/// Arguments of `list_nodes` (none).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListNodesArgs {}

/// Millicores of a CPU quantity (an unreadable one counts as none).
fn milli(q: &str) -> i64 {
    quantity::cpu_milli(q).unwrap_or(0)
}

/// MiB of a memory quantity, rounded down (an unreadable one counts as none).
fn mebi(q: &str) -> i64 {
    quantity::bytes(q).unwrap_or(0) / (1024 * 1024)
}

/// One node's capacity against what its pods request.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct NodeRow {
    /// Node name.
    pub name: String,
    /// Whether its Ready condition is True.
    pub ready: bool,
    /// Allocatable CPU in millicores.
    pub cpu_allocatable_m: i64,
    /// CPU requested by its pods, in millicores.
    pub cpu_requested_m: i64,
    /// Allocatable memory in MiB.
    pub memory_allocatable_mi: i64,
    /// Memory requested by its pods, in MiB.
    pub memory_requested_mi: i64,
}

fn node_row(n: &Value, pods: &[Value]) -> NodeRow {
    let name = n["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (mut cpu, mut mem) = (0, 0);
    for p in pods
        .iter()
        .filter(|p| p["spec"]["nodeName"] == name.as_str())
    {
        for ct in p["spec"]["containers"].as_array().into_iter().flatten() {
            cpu += ct["resources"]["requests"]["cpu"].as_str().map_or(0, milli);
            mem += ct["resources"]["requests"]["memory"]
                .as_str()
                .map_or(0, mebi);
        }
    }
    let ready = n["status"]["conditions"].as_array().is_some_and(|c| {
        c.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    });
    NodeRow {
        name,
        ready,
        cpu_allocatable_m: n["status"]["allocatable"]["cpu"].as_str().map_or(0, milli),
        cpu_requested_m: cpu,
        memory_allocatable_mi: n["status"]["allocatable"]["memory"]
            .as_str()
            .map_or(0, mebi),
        memory_requested_mi: mem,
    }
}

/// The tool.
pub struct ListNodes;

impl TypedTool for ListNodes {
    const NAME: &'static str = "list_nodes";
    const DESCRIPTION: &'static str = "List nodes with readiness and allocatable CPU/memory against the requests of the pods scheduled on them.";
    const MUTATES: bool = false;
    const NAMESPACED: bool = false;
    type Args = ListNodesArgs;
    type Output = Vec<NodeRow>;

    fn run<'a>(&'a self, ctx: &'a ToolContext, _: ListNodesArgs) -> ToolRun<'a, Vec<NodeRow>> {
        Box::pin(async move {
            let c = ctx.cluster.client.clone();
            let nodes = Api::<Node>::all(c.clone())
                .list(&ListParams::default())
                .await
                .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            let pods = Api::<Pod>::all(c)
                .list(&ListParams::default())
                .await
                .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            let pods: Vec<Value> = pods
                .items
                .iter()
                .filter_map(|p| serde_json::to_value(p).ok())
                .collect();
            Ok(nodes
                .items
                .iter()
                .filter_map(|n| serde_json::to_value(n).ok())
                .map(|n| node_row(&n, &pods))
                .collect())
        })
    }

    fn render(&self, rows: &Vec<NodeRow>) -> String {
        rows.iter()
            .map(|r| {
                format!(
                    "{} ready={} cpu {}m of {}m requested, memory {}Mi of {}Mi requested",
                    r.name,
                    r.ready,
                    r.cpu_requested_m,
                    r.cpu_allocatable_m,
                    r.memory_requested_mi,
                    r.memory_allocatable_mi
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
