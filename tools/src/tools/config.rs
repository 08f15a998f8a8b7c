//! `get_config`: ConfigMaps with their data, and Secrets with their key names only.

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::{Api, ListParams};
use schemars::JsonSchema;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

/// Arguments of `get_config`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetConfigArgs {
    /// Only the ConfigMap or Secret with this name.
    #[serde(default)]
    pub name: Option<String>,
}

/// A ConfigMap with its data.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ConfigMapEntry {
    /// Its name.
    pub name: String,
    /// Its keys and values.
    pub data: BTreeMap<String, String>,
}

/// A Secret with its key names (never the values).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SecretKeys {
    /// Its name.
    pub name: String,
    /// `Opaque`, …
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// The key names.
    pub keys: Vec<String>,
}

/// The namespace's configuration objects.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct NamespaceConfig {
    /// ConfigMaps with their data.
    pub configmaps: Vec<ConfigMapEntry>,
    /// Secrets with key names only (Helm's release records left out).
    pub secrets: Vec<SecretKeys>,
}

/// The tool.
pub struct GetConfig;

impl TypedTool for GetConfig {
    const NAME: &'static str = "get_config";
    const DESCRIPTION: &'static str =
        "Show ConfigMaps (keys and values) and Secrets (key names only, never values).";
    const MUTATES: bool = false;
    type Args = GetConfigArgs;
    type Output = NamespaceConfig;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: GetConfigArgs) -> ToolRun<'a, NamespaceConfig> {
        Box::pin(async move {
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
            let configmaps = cms
                .items
                .into_iter()
                .filter(|m| wanted(&m.metadata.name))
                .map(|m| ConfigMapEntry {
                    name: m.metadata.name.unwrap_or_default(),
                    data: m.data.unwrap_or_default(),
                })
                .collect();
            let secrets = secrets
                .items
                .into_iter()
                .filter(|s| {
                    wanted(&s.metadata.name) && s.type_.as_deref() != Some("helm.sh/release.v1")
                })
                .map(|s| SecretKeys {
                    name: s.metadata.name.unwrap_or_default(),
                    type_: s.type_,
                    keys: s.data.map(|d| d.into_keys().collect()).unwrap_or_default(),
                })
                .collect();
            Ok(NamespaceConfig {
                configmaps,
                secrets,
            })
        })
    }

    fn render(&self, config: &NamespaceConfig) -> String {
        serde_json::to_string_pretty(config).unwrap_or_default()
    }
}
