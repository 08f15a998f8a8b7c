//! `scale`: set a Deployment's replicas (mutating: needs the person's yes).

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, Patch, PatchParams};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

/// Arguments of `scale`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScaleArgs {
    /// The Deployment, e.g. `todo-frontend`.
    pub deployment: String,
    /// The new number of replicas.
    #[schemars(range(min = 0, max = 50))]
    pub replicas: i32,
}

/// What was scaled, and to how many.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ScaledDeployment {
    /// The Deployment.
    pub deployment: String,
    /// Its new desired replicas.
    pub replicas: i32,
}

/// The tool.
pub struct Scale;

impl TypedTool for Scale {
    const NAME: &'static str = "scale";
    const DESCRIPTION: &'static str = "Scale a Deployment to a number of replicas.";
    const MUTATES: bool = true;
    type Args = ScaleArgs;
    type Output = ScaledDeployment;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: ScaleArgs) -> ToolRun<'a, ScaledDeployment> {
        Box::pin(async move {
            if !(0..=50).contains(&a.replicas) {
                return Err(ToolError::Retry(format!(
                    "replicas must be between 0 and 50, got {}",
                    a.replicas
                )));
            }
            let api: Api<Deployment> =
                Api::namespaced(ctx.cluster.client.clone(), &ctx.cluster.namespace);
            let p = Patch::Merge(json!({"spec": {"replicas": a.replicas}}));
            let params = PatchParams {
                field_manager: Some(crate::cluster::FIELD_MANAGER.into()),
                ..PatchParams::default()
            };
            api.patch_scale(&a.deployment, &params, &p)
                .await
                .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            Ok(ScaledDeployment {
                deployment: a.deployment,
                replicas: a.replicas,
            })
        })
    }

    fn render(&self, out: &ScaledDeployment) -> String {
        format!(
            "deployment {} scaled to {} replicas",
            out.deployment, out.replicas
        )
    }
}
