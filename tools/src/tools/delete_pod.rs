//! `delete_pod`: delete one pod so its controller replaces it (mutating).

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::tool::{Tool, ToolContext, ToolError, ToolFuture, ToolOutput, args, schema_of};

/// Arguments of `delete_pod`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeletePodArgs {
    /// The pod to delete.
    pub pod: String,
}

/// The tool.
pub struct DeletePod;

impl Tool for DeletePod {
    fn name(&self) -> &'static str {
        "delete_pod"
    }
    fn description(&self) -> &'static str {
        "Delete a pod; its Deployment starts a replacement."
    }
    fn mutates(&self) -> bool {
        true
    }
    fn schema(&self) -> Value {
        schema_of::<DeletePodArgs>()
    }
    fn call<'a>(&'a self, ctx: &'a ToolContext, a: Value) -> ToolFuture<'a> {
        Box::pin(async move {
            let a: DeletePodArgs = args(self.name(), a)?;
            Api::<Pod>::namespaced(ctx.cluster.client.clone(), &ctx.cluster.namespace)
                .delete(&a.pod, &DeleteParams::default())
                .await
                .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            Ok(ToolOutput {
                data: json!({"pod": a.pod}),
                text: format!("pod {} deleted", a.pod),
            })
        })
    }
}
