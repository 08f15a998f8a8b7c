//! `helm_values`: a release's values — the user-supplied ones, or all computed values.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use crate::tool::{ToolContext, ToolRun, TypedTool, helm_call};

/// Arguments of `helm_values`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HelmValuesArgs {
    /// The release.
    pub release: String,
    /// All computed values (chart defaults merged), not only the user-supplied ones.
    #[serde(default)]
    pub all: bool,
}

/// The tool.
pub struct HelmValues;

impl TypedTool for HelmValues {
    const NAME: &'static str = "helm_values";
    const DESCRIPTION: &'static str = "Show a Helm release's values: the user-supplied ones, or all computed values (secrets masked).";
    const MUTATES: bool = false;
    const NAMESPACED: bool = true;
    type Args = HelmValuesArgs;
    // Values are free-form by nature: the chart's schema, not a Rust type, describes them.
    type Output = Value;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: HelmValuesArgs) -> ToolRun<'a, Value> {
        Box::pin(async move {
            let client = ctx.helm()?.client.clone();
            let values =
                helm_call("get values", move || client.values(&a.release, a.all, None)).await?;
            Ok(ctx.redactor.redact_values(values))
        })
    }

    fn render(&self, values: &Value) -> String {
        serde_json::to_string_pretty(values).unwrap_or_default()
    }
}
