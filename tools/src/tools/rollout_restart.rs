//! `rollout_restart`: new pods for a Deployment, as `kubectl rollout restart` (mutating).

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, Patch, PatchParams};
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
#[derive(Debug, Serialize, schemars::JsonSchema)]
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
            // kubectl's own annotation (kube-rs writes another), so `kubectl rollout history`
            // and scripts that check it see a restart.
            let now = k8s_openapi::jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ");
            let patch = serde_json::json!({"spec": {"template": {"metadata": {"annotations": {
                "kubectl.kubernetes.io/restartedAt": now.to_string()
            }}}}});
            let params = PatchParams {
                field_manager: Some(crate::cluster::FIELD_MANAGER.into()),
                ..PatchParams::default()
            };
            api.patch(&a.deployment, &params, &Patch::Strategic(patch))
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
