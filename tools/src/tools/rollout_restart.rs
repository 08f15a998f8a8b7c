//! `rollout_restart`: new pods for a Deployment, as `kubectl rollout restart` (mutating).

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::Api;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

/// Arguments of `rollout_restart`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RolloutRestartArgs {
    /// The Deployment to restart.
    pub deployment: String,
}

/// The Deployment that was restarted.
#[derive(Debug, Serialize)]
pub struct RestartedDeployment {
    /// Its name.
    pub deployment: String,
}

/// The tool.
pub struct RolloutRestart;

impl TypedTool for RolloutRestart {
    const NAME: &'static str = "rollout_restart";
    const DESCRIPTION: &'static str = "Restart a Deployment's pods with a rolling update (new ReplicaSet), as kubectl rollout restart.";
    const MUTATES: bool = true;
    type Args = RolloutRestartArgs;
    type Output = RestartedDeployment;

    fn run<'a>(
        &'a self,
        ctx: &'a ToolContext,
        a: RolloutRestartArgs,
    ) -> ToolRun<'a, RestartedDeployment> {
        Box::pin(async move {
            let api: Api<Deployment> =
                Api::namespaced(ctx.cluster.client.clone(), &ctx.cluster.namespace);
            api.restart(&a.deployment)
                .await
                .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            Ok(RestartedDeployment {
                deployment: a.deployment,
            })
        })
    }

    fn render(&self, out: &RestartedDeployment) -> String {
        format!("deployment {} restarted", out.deployment)
    }
}
