//! `diff_manifest`: what a values patch would change in the rendered manifests of a release
//! (rendered offline by the Helm SDK with the current and the proposed values). Secret data
//! is never shown, and the checksum of generated secrets is left out of the comparison.

use serde_json::{Value, json};

use super::diff_values::{ReleaseDiff, ValuesChangeArgs, propose, values_diff};
use crate::helm::{self, Chart, RenderOptions};
use crate::redact::mask_secret_data;
use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool, helm_call};

/// The answer when a patch changes no rendered object.
pub const NO_CHANGE: &str = "no change to the manifests";

/// The manifests of a render as JSON objects keyed `Kind/name`, Secret values masked.
fn documents(rendered: &std::collections::BTreeMap<String, String>) -> Result<Value, ToolError> {
    let mut out = serde_json::Map::new();
    for (path, text) in rendered {
        if path.ends_with("NOTES.txt") {
            continue;
        }
        for mut doc in helm::manifests_to_json(text).map_err(|e| ToolError::Fatal(e.to_string()))? {
            mask_secret_data(&mut doc);
            if let Some(a) = doc
                .pointer_mut("/spec/template/metadata/annotations")
                .and_then(Value::as_object_mut)
                && a.contains_key("checksum/secret")
            {
                a.insert("checksum/secret".into(), json!("(checksum of the Secret)"));
            }
            let key = format!(
                "{}/{}",
                doc["kind"].as_str().unwrap_or("?"),
                doc["metadata"]["name"].as_str().unwrap_or("?")
            );
            out.insert(key, doc);
        }
    }
    Ok(Value::Object(out))
}

/// The tool.
pub struct DiffManifest;

impl TypedTool for DiffManifest {
    const NAME: &'static str = "diff_manifest";
    const DESCRIPTION: &'static str = "Show what a values patch would change in a Helm release's rendered Kubernetes manifests (unified diff, Secret data hidden).";
    const MUTATES: bool = false;
    const NAMESPACED: bool = true;
    type Args = ValuesChangeArgs;
    type Output = ReleaseDiff;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: ValuesChangeArgs) -> ToolRun<'a, ReleaseDiff> {
        Box::pin(async move {
            let (current, proposed) = propose(ctx, &a).await?;
            // The same values render the same manifests (no chart needed to know it).
            if current == proposed {
                return Ok(ReleaseDiff {
                    release: a.release,
                    diff: String::new(),
                });
            }
            let chart_dir = super::release_chart::chart_for(ctx, &a.release).await?;
            let opts = RenderOptions {
                name: Some(a.release.clone()),
                namespace: Some(ctx.cluster.namespace.clone()),
                ..Default::default()
            };
            let (before, after) = helm_call("template", move || {
                let chart = Chart::load(&chart_dir)?;
                Ok((
                    chart.render(&current, &opts)?,
                    chart.render(&proposed, &opts)?,
                ))
            })
            .await?;
            Ok(ReleaseDiff {
                release: a.release,
                diff: values_diff(&documents(&before)?, &documents(&after)?),
            })
        })
    }

    fn render(&self, d: &ReleaseDiff) -> String {
        if d.diff.is_empty() {
            NO_CHANGE.into()
        } else {
            d.diff.clone()
        }
    }
}
