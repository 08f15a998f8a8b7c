//! `get_config`: ConfigMaps with their data, and Secrets with their key names only.

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::{Api, ListParams};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::tool::{Tool, ToolContext, ToolError, ToolFuture, ToolOutput, args, budget, schema_of};

/// Arguments of `get_config`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetConfigArgs {
    /// Only the ConfigMap or Secret with this name.
    #[serde(default)]
    pub name: Option<String>,
}

/// The tool.
pub struct GetConfig;

impl Tool for GetConfig {
    fn name(&self) -> &'static str {
        "get_config"
    }
    fn description(&self) -> &'static str {
        "Show ConfigMaps (keys and values) and Secrets (key names only, never values)."
    }
    fn mutates(&self) -> bool {
        false
    }
    fn schema(&self) -> Value {
        schema_of::<GetConfigArgs>()
    }
    fn call<'a>(&'a self, ctx: &'a ToolContext, a: Value) -> ToolFuture<'a> {
        Box::pin(async move {
            let a: GetConfigArgs = args(self.name(), a)?;
            let (c, ns) = (ctx.cluster.client.clone(), ctx.cluster.namespace.clone());
            let wanted = |n: &Option<String>| a.name.as_ref().is_none_or(|w| n.as_ref() == Some(w));
            let cms = Api::<ConfigMap>::namespaced(c.clone(), &ns)
                .list(&ListParams::default())
                .await
                .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            let secrets = Api::<Secret>::namespaced(c, &ns)
                .list(&ListParams::default())
                .await
                .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            let configmaps: Vec<Value> = cms
                .items
                .iter()
                .filter(|m| wanted(&m.metadata.name))
                .map(|m| json!({"name": m.metadata.name, "data": m.data}))
                .collect();
            let secret_keys: Vec<Value> = secrets
                .items
                .iter()
                .filter(|s| wanted(&s.metadata.name) && s.type_.as_deref() != Some("helm.sh/release.v1"))
                .map(|s| json!({"name": s.metadata.name, "type": s.type_, "keys": s.data.as_ref().map(|d| d.keys().cloned().collect::<Vec<_>>()).unwrap_or_default()}))
                .collect();
            let data = json!({"configmaps": configmaps, "secrets": secret_keys});
            let text = ctx
                .redactor
                .redact(&serde_json::to_string_pretty(&data).unwrap_or_default());
            Ok(ToolOutput {
                data,
                text: budget(&text, 5000, false),
            })
        })
    }
}
