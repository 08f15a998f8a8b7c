//! `list_deployments`: Deployments with their rollout state, as `kubectl rollout status` reads it.

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, ListParams};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

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

/// One Deployment's replicas and rollout.
#[derive(Debug, Serialize)]
pub struct DeploymentRow {
    /// Deployment name.
    pub name: String,
    /// `spec.replicas`.
    pub desired: i64,
    /// Ready replicas.
    pub ready: i64,
    /// Replicas of the current template.
    pub updated: i64,
    /// Available replicas.
    pub available: i64,
    /// Container images.
    pub images: Vec<String>,
    /// The rollout state in kubectl's words.
    pub rollout: String,
}

fn deployment_row(d: &Value) -> DeploymentRow {
    let n = |k: &str| d["status"][k].as_i64().unwrap_or(0);
    DeploymentRow {
        name: d["metadata"]["name"].as_str().unwrap_or_default().into(),
        desired: d["spec"]["replicas"].as_i64().unwrap_or(1),
        ready: n("readyReplicas"),
        updated: n("updatedReplicas"),
        available: n("availableReplicas"),
        images: d["spec"]["template"]["spec"]["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["image"].as_str().map(str::to_string))
            .collect(),
        rollout: rollout_state(d),
    }
}

/// The tool.
pub struct ListDeployments;

impl TypedTool for ListDeployments {
    const NAME: &'static str = "list_deployments";
    const DESCRIPTION: &'static str = "List Deployments: desired, ready, updated and available replicas, images, and the rollout state.";
    const MUTATES: bool = false;
    type Args = ListDeploymentsArgs;
    type Output = Vec<DeploymentRow>;

    fn run<'a>(
        &'a self,
        ctx: &'a ToolContext,
        _: ListDeploymentsArgs,
    ) -> ToolRun<'a, Vec<DeploymentRow>> {
        Box::pin(async move {
            let list =
                Api::<Deployment>::namespaced(ctx.cluster.client.clone(), &ctx.cluster.namespace)
                    .list(&ListParams::default())
                    .await
                    .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            Ok(list
                .items
                .iter()
                .filter_map(|d| serde_json::to_value(d).ok())
                .map(|d| deployment_row(&d))
                .collect())
        })
    }

    fn render(&self, rows: &Vec<DeploymentRow>) -> String {
        if rows.is_empty() {
            return "no deployments".into();
        }
        rows.iter()
            .map(|r| {
                format!(
                    "{} ready {}/{} updated {} available {} images {} — {}",
                    r.name,
                    r.ready,
                    r.desired,
                    r.updated,
                    r.available,
                    r.images.join(","),
                    r.rollout
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
