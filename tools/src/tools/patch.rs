//! `patch` and `diff_patch`: change any object by a strategic-merge or JSON merge patch, as
//! `kubectl patch` does; `diff_patch` shows what the API server would make of it (a
//! server-side dry run) without storing anything, and is what a person sees before saying yes.

use kube::api::{Patch, PatchParams};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::object::{object_diff, target};
use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

/// How the patch body is read.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PatchType {
    /// Strategic merge (lists of containers, ports, env merged by name): kubectl's default.
    #[default]
    Strategic,
    /// JSON merge patch (RFC 7386): lists are replaced whole.
    Merge,
    /// JSON patch (RFC 6902): a list of operations, e.g. `[{"op": "remove", "path": "/spec/template/spec/nodeSelector"}]`.
    Json,
}

/// Arguments of `patch` and `diff_patch`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchArgs {
    /// The object as KIND/NAME, e.g. `deployment/web`, `service/web`, `configmap/web-config`.
    pub object: String,
    /// The patch body, e.g. `{"spec": {"replicas": 3}}` (a list of operations for `json`).
    pub patch: Value,
    /// `strategic` (default), `merge` or `json`.
    #[serde(default)]
    pub patch_type: PatchType,
    /// For a change the API server refuses in place (a claim's storageClassName): delete the
    /// object and create it again with the patch applied. Only for a PersistentVolumeClaim no
    /// volume is bound to.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub recreate: bool,
}

/// What a patch did (or would do).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PatchOutcome {
    /// The object.
    pub object: String,
    /// The unified diff of the object (empty: no change).
    pub diff: String,
}

/// Applies the patch (or only asks the server what it would give, with `dry_run`) and diffs
/// the object before and after.
pub(crate) async fn run_patch(
    ctx: &ToolContext,
    a: &PatchArgs,
    dry_run: bool,
) -> Result<PatchOutcome, ToolError> {
    let shape_ok = match a.patch_type {
        PatchType::Json => a.patch.is_array(),
        _ => a.patch.is_object(),
    };
    if !shape_ok {
        return Err(ToolError::Retry(format!(
            "a {} patch must be a JSON {}, got {}",
            serde_json::to_value(a.patch_type).unwrap_or_default(),
            if a.patch_type == PatchType::Json {
                "array of operations"
            } else {
                "object"
            },
            a.patch
        )));
    }
    let t = target(ctx, &a.object).await?;
    let err = |e| ToolError::from(ctx.cluster.error(e));
    let before = t.api.get(&t.name).await.map_err(err)?;
    if a.recreate {
        return super::recreate::recreate(ctx, a, &t, before, dry_run).await;
    }
    let params = PatchParams {
        dry_run,
        field_manager: Some(crate::cluster::FIELD_MANAGER.into()),
        ..Default::default()
    };
    let ops;
    let body = match a.patch_type {
        PatchType::Strategic => Patch::Strategic(&a.patch),
        PatchType::Merge => Patch::Merge(&a.patch),
        PatchType::Json => {
            ops = serde_json::from_value::<json_patch::Patch>(a.patch.clone())
                .map_err(|e| ToolError::Retry(format!("not a JSON patch (RFC 6902): {e}")))?;
            Patch::Json(ops)
        }
    };
    let after = t.api.patch(&t.name, &params, &body).await.map_err(err)?;
    Ok(PatchOutcome {
        object: a.object.clone(),
        diff: object_diff(ctx, Some(&before), Some(&after), ("live", "patched")),
    })
}

fn render(out: &PatchOutcome, verb: &str) -> String {
    if out.diff.is_empty() {
        format!("{}: no change", out.object)
    } else {
        format!("{} {verb}:\n{}", out.object, out.diff)
    }
}

/// The tool that changes.
pub struct PatchObject;

impl TypedTool for PatchObject {
    const NAME: &'static str = "patch";
    const DESCRIPTION: &'static str = "Patch any object (KIND/NAME) with a strategic-merge or JSON merge patch, as kubectl patch; shows the object's diff.";
    const MUTATES: bool = true;
    type Args = PatchArgs;
    type Output = PatchOutcome;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: PatchArgs) -> ToolRun<'a, PatchOutcome> {
        Box::pin(async move { run_patch(ctx, &a, false).await })
    }

    fn preview<'a>(&'a self, ctx: &'a ToolContext, a: PatchArgs) -> Option<ToolRun<'a, String>> {
        Some(Box::pin(async move {
            run_patch(ctx, &a, true)
                .await
                .map(|o| render(&o, "would change"))
        }))
    }

    fn render(&self, out: &PatchOutcome) -> String {
        render(out, "patched")
    }
}

/// The tool that only shows.
pub struct DiffPatch;

impl TypedTool for DiffPatch {
    const NAME: &'static str = "diff_patch";
    const DESCRIPTION: &'static str =
        "What a patch would change in an object (server-side dry run; nothing is stored).";
    const MUTATES: bool = false;
    type Args = PatchArgs;
    type Output = PatchOutcome;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: PatchArgs) -> ToolRun<'a, PatchOutcome> {
        Box::pin(async move { run_patch(ctx, &a, true).await })
    }

    fn render(&self, out: &PatchOutcome) -> String {
        render(out, "would change")
    }
}
