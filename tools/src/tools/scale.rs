//! `scale`: set a Deployment's replicas (mutating: needs the person's yes).

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, Patch, PatchParams};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::tool::{Tool, ToolContext, ToolError, ToolFuture, ToolOutput, args, schema_of};

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

/// The tool.
pub struct Scale;

impl Tool for Scale {
    fn name(&self) -> &'static str {
        "scale"
    }
    fn description(&self) -> &'static str {
        "Scale a Deployment to a number of replicas."
    }
    fn mutates(&self) -> bool {
        true
    }
    fn schema(&self) -> Value {
        schema_of::<ScaleArgs>()
    }
    fn call<'a>(&'a self, ctx: &'a ToolContext, a: Value) -> ToolFuture<'a> {
        Box::pin(async move {
            let a: ScaleArgs = args(self.name(), a)?;
            if !(0..=50).contains(&a.replicas) {
                return Err(ToolError::Retry(format!(
                    "replicas must be between 0 and 50, got {}",
                    a.replicas
                )));
            }
            let api: Api<Deployment> =
                Api::namespaced(ctx.cluster.client.clone(), &ctx.cluster.namespace);
            let p = Patch::Merge(json!({"spec": {"replicas": a.replicas}}));
            api.patch_scale(&a.deployment, &PatchParams::default(), &p)
                .await
                .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            Ok(ToolOutput {
                data: json!({"deployment": a.deployment, "replicas": a.replicas}),
                text: format!(
                    "deployment {} scaled to {} replicas",
                    a.deployment, a.replicas
                ),
            })
        })
    }
}
