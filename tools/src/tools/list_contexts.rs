//! `list_contexts`: the kubeconfig's contexts, which one the session uses, and for each its
//! cluster, user and namespace; any tool acts in another with its `context` argument.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

/// Arguments of `list_contexts` (none).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListContextsArgs {}

/// One context.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ContextRow {
    /// Its name (what the `context` argument takes).
    pub name: String,
    /// The cluster entry it uses.
    pub cluster: String,
    /// The user entry it uses.
    pub user: String,
    /// Its default namespace, if it sets one.
    pub namespace: Option<String>,
    /// Whether this session acts in it unless a call names another.
    pub session: bool,
}

/// The tool.
pub struct ListContexts;

impl TypedTool for ListContexts {
    const NAME: &'static str = "list_contexts";
    const DESCRIPTION: &'static str = "List the kubeconfig's contexts (clusters) and which one this session uses; every tool takes `context` to act in another.";
    const MUTATES: bool = false;
    const NAMESPACED: bool = false;
    type Args = ListContextsArgs;
    type Output = Vec<ContextRow>;

    fn run<'a>(
        &'a self,
        ctx: &'a ToolContext,
        _: ListContextsArgs,
    ) -> ToolRun<'a, Vec<ContextRow>> {
        Box::pin(async move {
            let kc = ctx
                .cluster
                .target
                .kubeconfig()
                .map_err(|e| ToolError::Fatal(e.to_string()))?;
            Ok(kc
                .contexts
                .iter()
                .map(|c| {
                    let inner = c.context.as_ref();
                    ContextRow {
                        name: c.name.clone(),
                        cluster: inner.map(|i| i.cluster.clone()).unwrap_or_default(),
                        user: inner.and_then(|i| i.user.clone()).unwrap_or_default(),
                        namespace: inner.and_then(|i| i.namespace.clone()),
                        session: c.name == ctx.cluster.context,
                    }
                })
                .collect())
        })
    }

    fn render(&self, rows: &Vec<ContextRow>) -> String {
        if rows.is_empty() {
            return "the kubeconfig has no contexts".into();
        }
        rows.iter()
            .map(|r| {
                format!(
                    "{}{} cluster={} user={} namespace={}",
                    if r.session { "* " } else { "  " },
                    r.name,
                    r.cluster,
                    r.user,
                    r.namespace.as_deref().unwrap_or("(default)")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
