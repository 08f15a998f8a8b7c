//! Connecting the tools to a cluster: the one place a command builds its tool context.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use todo_ops_tools::helm::{ClusterOptions, HelmClient};
use todo_ops_tools::snapshot::secret_redactor;
use todo_ops_tools::tool::{HelmAccess, ToolContext};

use crate::cli::ClusterArgs;

/// The tools' context: the cluster, a redactor that knows its Secrets (learned before
/// anything reaches a model, and again at every turn), and Helm when the library loads.
pub async fn tool_context(cluster: &ClusterArgs, charts: Option<&Path>) -> Result<ToolContext> {
    let target = cluster.target().connect().await?;
    let redactor = secret_redactor(&target).await?;
    let charts = crate::deploy::charts_dir(charts)?;
    let helm = helm_client(cluster, &target.namespace).map(|client| HelmAccess { client, charts });
    Ok(ToolContext {
        cluster: target,
        redactor: Arc::new(redactor),
        helm: helm.ok(),
    })
}

/// A Helm client for the same kubeconfig, context and namespace as the cluster flags.
pub fn helm_client(cluster: &ClusterArgs, namespace: &str) -> Result<Arc<HelmClient>> {
    Ok(Arc::new(HelmClient::new(&ClusterOptions {
        kubeconfig_path: cluster.kubeconfig.clone(),
        kube_context: cluster.context.clone(),
        namespace: Some(namespace.to_string()),
        ..Default::default()
    })?))
}
