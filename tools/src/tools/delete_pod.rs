//! `delete_pod`: delete one pod so its controller replaces it (mutating).

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

/// Arguments of `delete_pod`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeletePodArgs {
    /// The pod to delete.
    pub pod: String,
}

/// The pod that was deleted.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DeletedPod {
    /// Its name.
    pub pod: String,
}

/// The tool.
pub struct DeletePod;

impl TypedTool for DeletePod {
    const NAME: &'static str = "delete_pod";
    const DESCRIPTION: &'static str = "Delete a pod; its Deployment starts a replacement.";
    const MUTATES: bool = true;
    type Args = DeletePodArgs;
    type Output = DeletedPod;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: DeletePodArgs) -> ToolRun<'a, DeletedPod> {
        Box::pin(async move {
            Api::<Pod>::namespaced(ctx.cluster.client.clone(), &ctx.cluster.namespace)
                .delete(&a.pod, &DeleteParams::default())
                .await
                .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            Ok(DeletedPod { pod: a.pod })
        })
    }

    fn render(&self, out: &DeletedPod) -> String {
        format!("pod {} deleted", out.pod)
    }
}
