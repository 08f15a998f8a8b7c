//! `diff_values`: what a values patch would change in a release, as a unified diff of the
//! user-supplied values (checked against the chart's schema first).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::helm::Chart;
use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool, helm_call};
use crate::values::ValuesPatch;

/// Arguments of `diff_values` and `helm_upgrade`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValuesChangeArgs {
    /// The release (and chart): `todo-backend` or `todo-frontend`.
    pub release: String,
    /// A JSON merge patch of the values, e.g. {"resources": {"limits": {"memory": "512Mi"}}}; null removes a key.
    pub patch: Value,
}

/// The unified diff between two values documents.
pub fn values_diff(before: &Value, after: &Value) -> String {
    json_diff(before, after, ("current", "proposed"))
}

/// The unified diff between two JSON documents, pretty-printed, under the two labels.
pub fn json_diff(before: &Value, after: &Value, labels: (&str, &str)) -> String {
    let a = serde_json::to_string_pretty(before).unwrap_or_default() + "\n";
    let b = serde_json::to_string_pretty(after).unwrap_or_default() + "\n";
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(3)
        .header(labels.0, labels.1)
        .to_string()
}

/// Current values, proposed values and the schema check of a change.
pub async fn propose(ctx: &ToolContext, a: &ValuesChangeArgs) -> Result<(Value, Value), ToolError> {
    let helm = ctx.helm()?;
    let patch = ValuesPatch::new(a.patch.clone()).map_err(ToolError::Retry)?;
    let (client, release) = (helm.client.clone(), a.release.clone());
    let current = helm_call("get values", move || client.values(&release, false, None)).await?;
    // A release installed without values has none (null): the same as `{}`.
    let current = if current.is_null() {
        serde_json::json!({})
    } else {
        current
    };
    let proposed = patch.apply_to(&current);
    // The current values passed the chart's schema when they were installed.
    if proposed == current {
        return Ok((current, proposed));
    }
    let chart_dir = super::release_chart::chart_for(ctx, &a.release).await?;
    let check = proposed.clone();
    helm_call("validate values", move || {
        Chart::load(&chart_dir)?.validate_values(&check)
    })
    .await?;
    Ok((current, proposed))
}

/// A unified diff of a release, before and after a values patch.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ReleaseDiff {
    /// The release.
    pub release: String,
    /// The unified diff (empty: no change); secrets masked.
    pub diff: String,
}

/// The tool.
pub struct DiffValues;

impl TypedTool for DiffValues {
    const NAME: &'static str = "diff_values";
    const DESCRIPTION: &'static str = "Show what a values patch would change in a Helm release (unified diff), after checking it against the chart's schema.";
    const MUTATES: bool = false;
    const NAMESPACED: bool = true;
    type Args = ValuesChangeArgs;
    type Output = ReleaseDiff;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: ValuesChangeArgs) -> ToolRun<'a, ReleaseDiff> {
        Box::pin(async move {
            let (current, proposed) = propose(ctx, &a).await?;
            Ok(ReleaseDiff {
                release: a.release,
                diff: values_diff(
                    &ctx.redactor.redact_values(current),
                    &ctx.redactor.redact_values(proposed),
                ),
            })
        })
    }

    fn render(&self, d: &ReleaseDiff) -> String {
        if d.diff.is_empty() {
            "no change".into()
        } else {
            d.diff.clone()
        }
    }
}
