//! Connecting the tools to a cluster: the one place a command builds its tool context.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use todo_ops_tools::helm::HelmClient;
use todo_ops_tools::snapshot::secret_redactor;
use todo_ops_tools::tool::{HelmAccess, ToolContext};

use todo_ops_tools::cluster::ClusterTarget;

/// The tools' context: the cluster, a redactor that knows its Secrets (learned before
/// anything reaches a model, and again at every turn), and Helm when the library loads.
pub async fn tool_context(cluster: &ClusterTarget, charts: Option<&Path>) -> Result<ToolContext> {
    let target = cluster.connect().await?;
    let redactor = secret_redactor(&target).await?;
    let charts = crate::ops::install::charts_dir(charts)?;
    let helm =
        helm_client(cluster, Some(&target.namespace)).map(|client| HelmAccess { client, charts });
    Ok(ToolContext {
        cluster: target,
        redactor: Arc::new(redactor),
        helm: helm.ok(),
        results: Default::default(),
    })
}

/// A Helm client for `cluster` in `namespace` (see [`todo_ops_tools::helm::client_for`]).
pub fn helm_client(cluster: &ClusterTarget, namespace: Option<&str>) -> Result<Arc<HelmClient>> {
    Ok(Arc::new(todo_ops_tools::helm::client_for(
        cluster, namespace,
    )?))
}

/// The target of a kubeconfig file alone: its current context and namespace.
pub fn kubeconfig_target(kubeconfig: &Path) -> ClusterTarget {
    ClusterTarget {
        kubeconfig: Some(kubeconfig.to_path_buf()),
        context: None,
        namespace: None,
        ..Default::default()
    }
}
