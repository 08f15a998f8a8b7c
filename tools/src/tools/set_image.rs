//! `set_image`: a new image for one container of a workload or pod, as `kubectl set image`
//! (mutating); the container is named or, when there is one, found.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::object::target;
use super::patch::{PatchArgs, PatchOutcome, PatchType, run_patch};
use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

/// Arguments of `set_image`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetImageArgs {
    /// The object as KIND/NAME: `deployment/web`, `statefulset/db`, `daemonset/agent`, `pod/x`.
    pub object: String,
    /// The container (default: the only one).
    #[serde(default)]
    pub container: Option<String>,
    /// The image, e.g. `nginx:1.27`.
    pub image: String,
}

/// Where a kind keeps its containers.
fn containers_of(obj: &Value) -> (&'static str, &Value) {
    if obj["kind"] == "Pod" {
        ("spec", &obj["spec"]["containers"])
    } else {
        ("template", &obj["spec"]["template"]["spec"]["containers"])
    }
}

async fn set(
    ctx: &ToolContext,
    a: &SetImageArgs,
    dry_run: bool,
) -> Result<PatchOutcome, ToolError> {
    if a.image.trim().is_empty() || a.image.contains(char::is_whitespace) {
        return Err(ToolError::Retry(format!(
            "{:?} is not an image reference, e.g. nginx:1.27",
            a.image
        )));
    }
    let t = target(ctx, &a.object).await?;
    let live = t
        .api
        .get(&t.name)
        .await
        .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
    let live = serde_json::to_value(&live).unwrap_or_default();
    let (place, list) = containers_of(&live);
    let names: Vec<&str> = list
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    let container = match (&a.container, names.as_slice()) {
        (Some(c), _) if names.contains(&c.as_str()) => c.clone(),
        (None, [only]) => (*only).to_string(),
        _ => {
            return Err(ToolError::Retry(format!(
                "{} has containers {}; name one with `container`",
                a.object,
                names.join(", ")
            )));
        }
    };
    let entry = json!([{"name": container, "image": a.image}]);
    let patch = if place == "spec" {
        json!({"spec": {"containers": entry}})
    } else {
        json!({"spec": {"template": {"spec": {"containers": entry}}}})
    };
    run_patch(
        ctx,
        &PatchArgs {
            object: a.object.clone(),
            patch,
            patch_type: PatchType::Strategic,
            recreate: false,
        },
        dry_run,
    )
    .await
}

fn render(o: &PatchOutcome, verb: &str) -> String {
    if o.diff.is_empty() {
        format!("{}: no change (it already runs that image)", o.object)
    } else {
        format!("{} {verb}:\n{}", o.object, o.diff)
    }
}

/// The tool.
pub struct SetImage;

impl TypedTool for SetImage {
    const NAME: &'static str = "set_image";
    const DESCRIPTION: &'static str = "Set the image of one container of a Deployment, StatefulSet, DaemonSet or pod, as kubectl set image; a rolling update follows.";
    const MUTATES: bool = true;
    type Args = SetImageArgs;
    type Output = PatchOutcome;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: SetImageArgs) -> ToolRun<'a, PatchOutcome> {
        Box::pin(async move { set(ctx, &a, false).await })
    }

    fn render(&self, o: &PatchOutcome) -> String {
        render(o, "image set")
    }

    fn preview<'a>(&'a self, ctx: &'a ToolContext, a: SetImageArgs) -> Option<ToolRun<'a, String>> {
        Some(Box::pin(async move {
            set(ctx, &a, true).await.map(|o| render(&o, "would change"))
        }))
    }
}
