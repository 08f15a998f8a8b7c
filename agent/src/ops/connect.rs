//! Connecting the tools to a cluster: the one place a command builds its tool context.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use todo_ops_tools::helm::{ClusterOptions, HelmClient};
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

/// The one way a Helm client is built: the cluster's kubeconfig and context, in `namespace`
/// (else the target's, else the kubeconfig context's).
pub fn helm_client(cluster: &ClusterTarget, namespace: Option<&str>) -> Result<Arc<HelmClient>> {
    // Acting as someone else: Helm gets the kubeconfig with the identity written in.
    let acting_as = cluster.impersonate.is_some() || !cluster.impersonate_groups.is_empty();
    let kubeconfig_content = match acting_as {
        true => Some(serde_norway::to_string(&cluster.kubeconfig()?)?),
        false => None,
    };
    Ok(Arc::new(HelmClient::new(&ClusterOptions {
        kubeconfig_path: cluster.kubeconfig.clone().filter(|_| !acting_as),
        kubeconfig_content,
        kube_context: cluster.context.clone(),
        namespace: namespace
            .map(str::to_string)
            .or_else(|| cluster.namespace.clone()),
        ..Default::default()
    })?))
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
