//! `todo-ops mcp`: the typed tools over the Model Context Protocol on stdio (rmcp), for
//! MCP clients that bring their own model. Tools that only look are always served; tools
//! that change the cluster only with `--allow-mutations` (the client then asks its person).

use anyhow::{Context, Result};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};

use crate::commands::cli::McpArgs;
use crate::core::approval::MutationPolicy;
use crate::core::dispatch::{Confirm, Dispatcher};
use crate::ops::connect::tool_context;
use crate::protocol::ChangePreview;
use crate::protocol::{CallStatus, ToolCall};

/// The MCP server over one cluster.
pub struct OpsServer {
    dispatcher: Dispatcher,
    allow_mutations: bool,
}

impl OpsServer {
    /// Serves `dispatcher`'s tools; mutating ones only when `allow_mutations`.
    pub fn new(mut dispatcher: Dispatcher, allow_mutations: bool) -> Self {
        dispatcher.policy = if allow_mutations {
            MutationPolicy::AutoApprove
        } else {
            MutationPolicy::ReadOnly
        };
        Self {
            dispatcher,
            allow_mutations,
        }
    }

    /// The tools a client sees.
    pub fn tools(&self) -> Vec<Tool> {
        todo_ops_tools::tools::registry()
            .iter()
            .filter(|t| self.allow_mutations || !t.mutates())
            .map(|t| {
                let schema = match t.schema() {
                    serde_json::Value::Object(m) => m,
                    _ => Default::default(),
                };
                Tool::new(t.name(), t.description(), schema)
            })
            .collect()
    }
}

/// MCP clients ask their person themselves; the dispatcher's own question never comes here
/// (its policy runs or refuses every call), so any question is answered no.
struct NoQuestions;

impl Confirm for NoQuestions {
    fn confirm<'a>(
        &'a self,
        _: &'a ChangePreview,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + 'a>> {
        Box::pin(async { false })
    }
}

impl ServerHandler for OpsServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let call = ToolCall {
            id: "mcp".into(),
            name: request.name.to_string(),
            arguments: serde_json::Value::Object(request.arguments.unwrap_or_default()).to_string(),
        };
        // Secrets created since the server started are masked too (one Secret list per call).
        if let Ok(r) = todo_ops_tools::snapshot::secret_redactor(&self.dispatcher.ctx.cluster).await
        {
            self.dispatcher.ctx.redactor.absorb(&r);
        }
        let reply = self
            .dispatcher
            .dispatch(&call, &NoQuestions)
            .await
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        let content = vec![ContentBlock::text(reply.content)];
        let mut result = if reply.status == CallStatus::Done {
            CallToolResult::success(content)
        } else {
            CallToolResult::error(content)
        };
        result.structured_content = reply.output.map(|o| o.data);
        Ok(result.into())
    }
}

/// `todo-ops mcp`: serves until the client closes stdin.
pub async fn run(a: &McpArgs) -> Result<u8> {
    let ctx = tool_context(&a.cluster.target(), a.charts.as_deref()).await?;
    let server = OpsServer::new(
        Dispatcher {
            ctx,
            policy: MutationPolicy::ReadOnly,
            rules: crate::commands::policy::session_rules(
                &a.gate,
                &a.audit,
                &crate::core::saved_sessions::new_id(),
            )?,
        },
        a.allow_mutations,
    );
    let service = server
        .serve(rmcp::transport::stdio())
        .await
        .context("starting the MCP session on stdio")?;
    service.waiting().await.context("serving MCP on stdio")?;
    Ok(0)
}
