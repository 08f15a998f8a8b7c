//! `rollout_undo`: a Deployment back to the pod template of an earlier revision, as
//! `kubectl rollout undo` (mutating). The revisions are its ReplicaSets'; one that does not
//! exist is refused with the ones that do.

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use kube::api::{Api, ListParams};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::patch::{PatchArgs, PatchType, run_patch};
use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

/// Arguments of `rollout_undo`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RolloutUndoArgs {
    /// The Deployment.
    pub deployment: String,
    /// The revision to go back to (default: the one before the current).
    #[serde(default)]
    pub to_revision: Option<i64>,
}

/// What the undo did (or would do).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Undone {
    /// The Deployment.
    pub deployment: String,
    /// Its revision before.
    pub from_revision: i64,
    /// The revision whose template it now runs.
    pub to_revision: i64,
    /// The Deployment's diff.
    pub diff: String,
}

fn revision(o: &Value) -> i64 {
    o["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
        .as_str()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// The JSON patch that puts the target revision's template back, and the revisions.
async fn undo_patch(
    ctx: &ToolContext,
    a: &RolloutUndoArgs,
) -> Result<(Value, i64, i64), ToolError> {
    let err = |e| ToolError::from(ctx.cluster.error(e));
    let d = Api::<Deployment>::namespaced(ctx.cluster.client.clone(), &ctx.cluster.namespace)
        .get(&a.deployment)
        .await
        .map_err(err)?;
    let d = serde_json::to_value(&d).unwrap_or_default();
    let uid = d["metadata"]["uid"].clone();
    let sets = Api::<ReplicaSet>::namespaced(ctx.cluster.client.clone(), &ctx.cluster.namespace)
        .list(&ListParams::default())
        .await
        .map_err(err)?;
    let mut owned: Vec<Value> = sets
        .items
        .iter()
        .filter_map(|r| serde_json::to_value(r).ok())
        .filter(|r| {
            r["metadata"]["ownerReferences"]
                .as_array()
                .is_some_and(|o| o.iter().any(|o| o["uid"] == uid))
        })
        .collect();
    owned.sort_by_key(revision);
    let current = revision(&d);
    let known: Vec<String> = owned.iter().map(|r| revision(r).to_string()).collect();
    let target = match a.to_revision {
        Some(n) => owned.iter().find(|r| revision(r) == n),
        None => owned
            .iter()
            .rev()
            .find(|r| revision(r) < current && revision(r) > 0),
    };
    let Some(target) = target else {
        return Err(ToolError::Retry(match a.to_revision {
            Some(n) => format!(
                "deployment {} has no revision {n}; its revisions are {}",
                a.deployment,
                known.join(", ")
            ),
            None => format!(
                "deployment {} has no revision before {current} to go back to (revisions: {})",
                a.deployment,
                known.join(", ")
            ),
        }));
    };
    let mut template = target["spec"]["template"].clone();
    // The hash label belongs to the ReplicaSet, not the template (kubectl drops it too).
    if let Some(labels) = template["metadata"]["labels"].as_object_mut() {
        labels.remove("pod-template-hash");
    }
    let patch = json!([{"op": "replace", "path": "/spec/template", "value": template}]);
    Ok((patch, current, revision(target)))
}

async fn undo(ctx: &ToolContext, a: &RolloutUndoArgs, dry_run: bool) -> Result<Undone, ToolError> {
    let (patch, from, to) = undo_patch(ctx, a).await?;
    let outcome = run_patch(
        ctx,
        &PatchArgs {
            object: format!("deployment/{}", a.deployment),
            patch,
            patch_type: PatchType::Json,
            recreate: false,
        },
        dry_run,
    )
    .await?;
    Ok(Undone {
        deployment: a.deployment.clone(),
        from_revision: from,
        to_revision: to,
        diff: outcome.diff,
    })
}

fn render(u: &Undone, verb: &str) -> String {
    let head = format!(
        "deployment {} {verb} from revision {} to the template of revision {}",
        u.deployment, u.from_revision, u.to_revision
    );
    if u.diff.is_empty() {
        format!("{head}: no change (it already runs that template)")
    } else {
        format!("{head}:\n{}", u.diff)
    }
}

/// The tool.
pub struct RolloutUndo;

impl TypedTool for RolloutUndo {
    const NAME: &'static str = "rollout_undo";
    const DESCRIPTION: &'static str = "Roll a Deployment back to an earlier revision's pod template (default: the previous one), as kubectl rollout undo.";
    const MUTATES: bool = true;
    type Args = RolloutUndoArgs;
    type Output = Undone;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: RolloutUndoArgs) -> ToolRun<'a, Undone> {
        Box::pin(async move { undo(ctx, &a, false).await })
    }

    fn render(&self, u: &Undone) -> String {
        render(u, "rolled back")
    }

    fn preview<'a>(
        &'a self,
        ctx: &'a ToolContext,
        a: RolloutUndoArgs,
    ) -> Option<ToolRun<'a, String>> {
        Some(Box::pin(async move {
            undo(ctx, &a, true)
                .await
                .map(|u| render(&u, "would roll back"))
        }))
    }
}
