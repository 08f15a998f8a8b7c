//! `patch` and `diff_patch`: change any object by a strategic-merge or JSON merge patch, as
//! `kubectl patch` does; `diff_patch` shows what the API server would make of it (a
//! server-side dry run) without storing anything, and is what a person sees before saying yes.

use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::discovery::{ApiResource, Discovery, Scope};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::diff_values::json_diff;
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
}

/// Arguments of `patch` and `diff_patch`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchArgs {
    /// The object as KIND/NAME, e.g. `deployment/web`, `service/web`, `configmap/web-config`.
    pub object: String,
    /// The patch body, e.g. `{"spec": {"replicas": 3}}`.
    pub patch: Value,
    /// `strategic` (default) or `merge`.
    #[serde(default)]
    pub patch_type: PatchType,
}

/// What a patch did (or would do).
#[derive(Debug, Serialize)]
pub struct PatchOutcome {
    /// The object.
    pub object: String,
    /// The unified diff of the object (empty: no change).
    pub diff: String,
}

/// The resource of `KIND/NAME`'s kind, found by the API server's discovery (kind, plural,
/// singular or short name, any case), and the name.
async fn resolve(
    ctx: &ToolContext,
    object: &str,
) -> Result<(ApiResource, bool, String), ToolError> {
    let Some((kind, name)) = object
        .split_once('/')
        .filter(|(k, n)| !k.is_empty() && !n.is_empty())
    else {
        return Err(ToolError::Retry(format!(
            "{object:?} is not KIND/NAME, e.g. deployment/web"
        )));
    };
    let discovery = Discovery::new(ctx.cluster.client.clone())
        .run()
        .await
        .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
    let k = kind.to_ascii_lowercase();
    let found = discovery
        .groups()
        .flat_map(|g| g.recommended_resources())
        .find(|(ar, _)| {
            ar.kind.to_ascii_lowercase() == k
                || ar.plural == k
                || k == ar.plural.trim_end_matches('s')
        });
    match found {
        Some((ar, caps)) => Ok((ar, caps.scope == Scope::Namespaced, name.to_string())),
        None => Err(ToolError::Retry(format!(
            "the cluster serves no kind called {kind:?}; use a kind such as deployment, service, configmap"
        ))),
    }
}

/// Applies the patch (or only asks the server what it would give, with `dry_run`) and diffs
/// the object before and after, without the fields the server bumps on every write.
async fn run_patch(
    ctx: &ToolContext,
    a: &PatchArgs,
    dry_run: bool,
) -> Result<PatchOutcome, ToolError> {
    if !a.patch.is_object() {
        return Err(ToolError::Retry(format!(
            "a patch must be a JSON object, got {}",
            a.patch
        )));
    }
    let (ar, namespaced, name) = resolve(ctx, &a.object).await?;
    let ns = ctx.cluster.namespace.clone();
    let api: Api<DynamicObject> = if namespaced {
        Api::namespaced_with(ctx.cluster.client.clone(), &ns, &ar)
    } else {
        Api::all_with(ctx.cluster.client.clone(), &ar)
    };
    let err = |e| ToolError::from(ctx.cluster.error(e));
    let before = api.get(&name).await.map_err(err)?;
    let params = PatchParams {
        dry_run,
        field_manager: Some(crate::cluster::FIELD_MANAGER.into()),
        ..Default::default()
    };
    let body = match a.patch_type {
        PatchType::Strategic => Patch::Strategic(&a.patch),
        PatchType::Merge => Patch::Merge(&a.patch),
    };
    let after = api.patch(&name, &params, &body).await.map_err(err)?;
    let shown = |o: &DynamicObject| {
        let mut v = serde_json::to_value(o).unwrap_or_default();
        if let Some(m) = v["metadata"].as_object_mut() {
            for k in ["managedFields", "resourceVersion", "generation"] {
                m.remove(k);
            }
        }
        ctx.redactor.redact_json(v)
    };
    let (b, after) = (shown(&before), shown(&after));
    let diff = if b == after {
        String::new()
    } else {
        json_diff(&b, &after, ("live", "patched"))
    };
    Ok(PatchOutcome {
        object: a.object.clone(),
        diff,
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
