//! The kinds the API server serves, from one discovery, and the lookup of a kind as a person
//! or a model writes it. Read once per call and shared by whatever needs a kind's resource.

use kube::discovery::{ApiResource, Discovery, Scope};

use crate::tool::{ToolContext, ToolError};

/// Every served resource and whether it is namespaced.
#[derive(Debug, Clone, Default)]
pub struct ServedKinds(Vec<(ApiResource, bool)>);

impl ServedKinds {
    /// Asks the API server (one discovery).
    pub async fn read(ctx: &ToolContext) -> Result<Self, ToolError> {
        let discovery = Discovery::new(ctx.cluster.client.clone())
            .run()
            .await
            .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
        Ok(Self(
            discovery
                .groups()
                .flat_map(|g| g.recommended_resources())
                .map(|(ar, caps)| (ar, caps.scope == Scope::Namespaced))
                .collect(),
        ))
    }

    /// The kind called `kind` (kind, plural or singular, any case) and whether it is
    /// namespaced.
    pub fn find(&self, kind: &str) -> Option<&(ApiResource, bool)> {
        let k = kind.to_ascii_lowercase();
        self.0.iter().find(|(ar, _)| {
            ar.kind.to_ascii_lowercase() == k
                || ar.plural == k
                || k == ar.plural.trim_end_matches('s')
        })
    }

    /// Every served resource.
    pub fn iter(&self) -> impl Iterator<Item = &(ApiResource, bool)> {
        self.0.iter()
    }
}
