//! `list_deployments`: Deployments with their rollout state, as `kubectl rollout status` reads it.

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, ListParams};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::tool::{Tool, ToolContext, ToolError, ToolFuture, ToolOutput, args, schema_of};

/// Arguments of `list_deployments` (none).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListDeploymentsArgs {}

/// The rollout state of a Deployment in kubectl's words.
pub fn rollout_state(d: &Value) -> String {
    let want = d["spec"]["replicas"].as_i64().unwrap_or(1);
    let s = &d["status"];
    let n = |k: &str| s[k].as_i64().unwrap_or(0);
    let deadline = s["conditions"]
        .as_array()
        .is_some_and(|c| c.iter().any(|c| c["reason"] == "ProgressDeadlineExceeded"));
    if deadline {
        "exceeded its progress deadline".into()
    } else if s["observedGeneration"].as_i64() < d["metadata"]["generation"].as_i64() {
        "waiting for the spec update to be observed".into()
    } else if n("updatedReplicas") < want {
        format!("{} of {want} new replicas updated", n("updatedReplicas"))
    } else if n("replicas") > n("updatedReplicas") {
        format!(
            "{} old replicas pending termination",
            n("replicas") - n("updatedReplicas")
        )
    } else if n("availableReplicas") < n("updatedReplicas") {
        format!(
            "{} of {} updated replicas available",
            n("availableReplicas"),
            n("updatedReplicas")
        )
    } else {
        "successfully rolled out".into()
    }
}

/// The tool.
pub struct ListDeployments;

impl Tool for ListDeployments {
    fn name(&self) -> &'static str {
        "list_deployments"
    }
    fn description(&self) -> &'static str {
        "List Deployments: desired, ready, updated and available replicas, images, and the rollout state."
    }
    fn mutates(&self) -> bool {
        false
    }
    fn schema(&self) -> Value {
        schema_of::<ListDeploymentsArgs>()
    }
    fn call<'a>(&'a self, ctx: &'a ToolContext, a: Value) -> ToolFuture<'a> {
        Box::pin(async move {
            let _: ListDeploymentsArgs = args(self.name(), a)?;
            let list =
                Api::<Deployment>::namespaced(ctx.cluster.client.clone(), &ctx.cluster.namespace)
                    .list(&ListParams::default())
                    .await
                    .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            let rows: Vec<Value> = list
                .items
                .iter()
                .filter_map(|d| serde_json::to_value(d).ok())
                .map(|d| {
                    let images: Vec<&str> = d["spec"]["template"]["spec"]["containers"].as_array().into_iter().flatten().filter_map(|c| c["image"].as_str()).collect();
                    json!({"name": d["metadata"]["name"], "desired": d["spec"]["replicas"], "ready": d["status"]["readyReplicas"].as_i64().unwrap_or(0),
                           "updated": d["status"]["updatedReplicas"].as_i64().unwrap_or(0), "available": d["status"]["availableReplicas"].as_i64().unwrap_or(0),
                           "images": images, "rollout": rollout_state(&d)})
                })
                .collect();
            let text = rows
                .iter()
                .map(|r| {
                    format!(
                        "{} ready {}/{} updated {} available {} images {} — {}",
                        r["name"].as_str().unwrap_or(""),
                        r["ready"],
                        r["desired"],
                        r["updated"],
                        r["available"],
                        r["images"],
                        r["rollout"].as_str().unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            Ok(ToolOutput {
                data: Value::Array(rows),
                text: if text.is_empty() {
                    "no deployments".into()
                } else {
                    text
                },
            })
        })
    }
}
