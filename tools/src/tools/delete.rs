//! `delete`: remove any object named `KIND/NAME`, as `kubectl delete` (mutating); what it
//! owns goes with it (background propagation, kubectl's default). The person first sees the
//! server's dry run of the same delete.

use kube::api::{DeleteParams, PropagationPolicy};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::object::target;
use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

/// Arguments of `delete`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteArgs {
    /// The object as KIND/NAME, e.g. `pod/web-1`, `persistentvolumeclaim/data`, `service/web`.
    pub object: String,
}

/// What was (or would be) deleted.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Deleted {
    /// The object.
    pub object: String,
    /// Whether only the dry run ran.
    pub dry_run: bool,
}

async fn delete(ctx: &ToolContext, a: &DeleteArgs, dry_run: bool) -> Result<Deleted, ToolError> {
    let t = target(ctx, &a.object).await?;
    let params = DeleteParams {
        dry_run,
        propagation_policy: Some(PropagationPolicy::Background),
        ..DeleteParams::default()
    };
    t.api
        .delete(&t.name, &params)
        .await
        .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
    Ok(Deleted {
        object: a.object.clone(),
        dry_run,
    })
}

/// The tool.
pub struct Delete;

impl TypedTool for Delete {
    const NAME: &'static str = "delete";
    const DESCRIPTION: &'static str = "Delete any object (KIND/NAME), as kubectl delete; what it owns (a Deployment's ReplicaSets and pods) goes with it.";
    const MUTATES: bool = true;
    type Args = DeleteArgs;
    type Output = Deleted;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: DeleteArgs) -> ToolRun<'a, Deleted> {
        Box::pin(async move { delete(ctx, &a, false).await })
    }

    fn render(&self, d: &Deleted) -> String {
        format!("{} deleted", d.object)
    }

    fn preview<'a>(&'a self, ctx: &'a ToolContext, a: DeleteArgs) -> Option<ToolRun<'a, String>> {
        Some(Box::pin(async move {
            delete(ctx, &a, true).await.map(|d| {
                format!(
                    "{} would be deleted (the server accepted a dry run), with what it owns",
                    d.object
                )
            })
        }))
    }
}
