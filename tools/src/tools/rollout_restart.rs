//! `rollout_restart`: new pods for a Deployment, as `kubectl rollout restart` (mutating).

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::Api;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::tool::{Tool, ToolContext, ToolError, ToolFuture, ToolOutput, args, schema_of};

/// Arguments of `rollout_restart`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RolloutRestartArgs {
    /// The Deployment to restart.
    pub deployment: String,
}

/// The tool.
pub struct RolloutRestart;

impl Tool for RolloutRestart {
    fn name(&self) -> &'static str {
        "rollout_restart"
    }
    fn description(&self) -> &'static str {
        "Restart a Deployment's pods with a rolling update (new ReplicaSet), as kubectl rollout restart."
    }
    fn mutates(&self) -> bool {
        true
    }
    fn schema(&self) -> Value {
        schema_of::<RolloutRestartArgs>()
    }
    fn call<'a>(&'a self, ctx: &'a ToolContext, a: Value) -> ToolFuture<'a> {
        Box::pin(async move {
            let a: RolloutRestartArgs = args(self.name(), a)?;
            let api: Api<Deployment> =
                Api::namespaced(ctx.cluster.client.clone(), &ctx.cluster.namespace);
            api.restart(&a.deployment)
                .await
                .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            Ok(ToolOutput {
                data: json!({"deployment": a.deployment}),
                text: format!("deployment {} restarted", a.deployment),
            })
        })
    }
}
