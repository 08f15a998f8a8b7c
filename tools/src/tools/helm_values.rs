//! `helm_values`: a release's values — the user-supplied ones, or all computed values.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use crate::tool::{Tool, ToolContext, ToolFuture, ToolOutput, args, budget, helm_call, schema_of};

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

/// Hides the values that are secrets in the bundled charts, whatever their content.
pub fn mask_secret_values(mut v: Value) -> Value {
    if let Some(s) = v.get_mut("secrets").and_then(Value::as_object_mut) {
        for (_, val) in s.iter_mut() {
            if val.as_str().is_some_and(|x| !x.is_empty()) {
                *val = Value::String(crate::redact::MASK.to_string());
            }
        }
    }
    if let Some(p) = v
        .get_mut("postgres")
        .and_then(|p| p.get_mut("password"))
        .filter(|p| p.as_str().is_some_and(|x| !x.is_empty()))
    {
        *p = Value::String(crate::redact::MASK.to_string());
    }
    v
}

/// The tool.
pub struct HelmValues;

impl Tool for HelmValues {
    fn name(&self) -> &'static str {
        "helm_values"
    }
    fn description(&self) -> &'static str {
        "Show a Helm release's values: the user-supplied ones, or all computed values (secrets masked)."
    }
    fn mutates(&self) -> bool {
        false
    }
    fn schema(&self) -> Value {
        schema_of::<HelmValuesArgs>()
    }
    fn call<'a>(&'a self, ctx: &'a ToolContext, a: Value) -> ToolFuture<'a> {
        Box::pin(async move {
            let a: HelmValuesArgs = args(self.name(), a)?;
            let client = ctx.helm()?.client.clone();
            let (release, all) = (a.release.clone(), a.all);
            let values = mask_secret_values(
                helm_call("get values", move || client.values(&release, all, None)).await?,
            );
            let text = ctx
                .redactor
                .redact(&serde_json::to_string_pretty(&values).unwrap_or_default());
            Ok(ToolOutput {
                data: values,
                text: budget(&text, 6000, false),
            })
        })
    }
}
