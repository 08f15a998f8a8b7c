//! `scale`: set a Deployment's replicas (mutating: needs the person's yes).

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, StatefulSet};
use kube::api::{Api, Patch, PatchParams};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

/// Arguments of `scale`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScaleArgs {
    /// The workload's name, e.g. `todo-frontend`.
    pub deployment: String,
    /// Its kind: `deployment` (the default), `statefulset` or `replicaset`.
    #[serde(default)]
    pub kind: Option<String>,
    /// The new number of replicas.
    #[schemars(range(min = 0, max = 50))]
    pub replicas: i32,
}

/// What was scaled, and to how many.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ScaledDeployment {
    /// The kind scaled.
    pub kind: String,
    /// The workload.
    pub deployment: String,
    /// Its new desired replicas.
    pub replicas: i32,
}

/// The tool.
pub struct Scale;

impl TypedTool for Scale {
    const NAME: &'static str = "scale";
    const DESCRIPTION: &'static str =
        "Scale a Deployment (or, with kind, a StatefulSet or ReplicaSet) to a number of replicas.";
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
            let p = Patch::Merge(json!({"spec": {"replicas": a.replicas}}));
            let params = PatchParams {
                field_manager: Some(crate::cluster::FIELD_MANAGER.into()),
                ..PatchParams::default()
            };
            let (client, ns) = (ctx.cluster.client.clone(), &ctx.cluster.namespace);
            let kind = a.kind.as_deref().unwrap_or("deployment").to_lowercase();
            let done = match kind.as_str() {
                "deployment" | "deploy" => Api::<Deployment>::namespaced(client, ns)
                    .patch_scale(&a.deployment, &params, &p)
                    .await
                    .map(drop),
                "statefulset" | "sts" => Api::<StatefulSet>::namespaced(client, ns)
                    .patch_scale(&a.deployment, &params, &p)
                    .await
                    .map(drop),
                "replicaset" | "rs" => Api::<ReplicaSet>::namespaced(client, ns)
                    .patch_scale(&a.deployment, &params, &p)
                    .await
                    .map(drop),
                other => {
                    return Err(ToolError::Retry(format!(
                        "scale takes a deployment, statefulset or replicaset, not {other:?}"
                    )));
                }
            };
            done.map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            Ok(ScaledDeployment {
                kind,
                deployment: a.deployment,
                replicas: a.replicas,
            })
        })
    }

    fn render(&self, out: &ScaledDeployment) -> String {
        format!(
            "{} {} scaled to {} replicas",
            out.kind, out.deployment, out.replicas
        )
    }
}
