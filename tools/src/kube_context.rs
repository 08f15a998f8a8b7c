//! A call in another kubeconfig context than the session's: the `context` argument every
//! tool takes. The other cluster is reached with the session's kubeconfig and identity
//! (`--as` included), its Secret values join the session's redactor, and its Helm releases
//! are reached the same way.

use std::sync::Arc;

use serde_json::Value;

use crate::tool::{HelmAccess, ToolContext, ToolError};

/// The argument every tool takes to act in another kubeconfig context.
pub const CONTEXT_ARG: &str = "context";

/// Takes the `context` argument out of `args`; the tools' context for that kubeconfig
/// context when one is given and differs from the session's (in that context's namespace:
/// a `namespace` argument scopes it further).
pub async fn in_context(
    ctx: &ToolContext,
    args: &mut Value,
) -> Result<Option<ToolContext>, ToolError> {
    let Some(given) = args.as_object_mut().and_then(|m| m.remove(CONTEXT_ARG)) else {
        return Ok(None);
    };
    let name = match given {
        Value::Null => return Ok(None),
        Value::String(c) if c == ctx.cluster.context || c.is_empty() => return Ok(None),
        Value::String(c) => c,
        other => {
            return Err(ToolError::Retry(format!(
                "context must be the name of a kubeconfig context, got {other}; list_contexts lists them"
            )));
        }
    };
    let target = crate::cluster::ClusterTarget {
        context: Some(name.clone()),
        namespace: None,
        ..ctx.cluster.target.clone()
    };
    let cluster = target.connect().await.map_err(|e| {
        ToolError::Retry(format!(
            "context {name:?} cannot be used: {e}; list_contexts lists the kubeconfig's contexts"
        ))
    })?;
    // What that cluster's Secrets hold is masked in this session from now on.
    if let Ok(secrets) = crate::snapshot::secret_redactor(&cluster).await {
        ctx.redactor.absorb(&secrets);
    }
    let helm = match &ctx.helm {
        Some(h) => crate::helm::client_for(&target, Some(&cluster.namespace))
            .ok()
            .map(|client| HelmAccess {
                client: Arc::new(client),
                charts: h.charts.clone(),
            }),
        None => None,
    };
    Ok(Some(ToolContext {
        cluster,
        redactor: ctx.redactor.clone(),
        helm,
        results: ctx.results.clone(),
    }))
}
