//! `todo-ops mcp`: the typed tools over the Model Context Protocol on stdio (rmcp), for
//! MCP clients that bring their own model. Tools that only look are always served; tools
//! that change the cluster only with `--allow-mutations`, each change then put to the
//! client's person through elicitation (or, for a client that cannot ask, refused unless
//! `--unconfirmed allow`). Every tool declares its result's schema (`outputSchema`).

mod confirm;
mod http;
mod schema;

use anyhow::{Context, Result};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};

use crate::commands::cli::{McpArgs, Unconfirmed};
use crate::core::approval::MutationPolicy;
use crate::core::dispatch::Dispatcher;
use crate::ops::connect::tool_context;
use crate::protocol::{CallStatus, ToolCall};
use confirm::{ElicitConfirm, can_ask};

/// The MCP server over one cluster.
pub struct OpsServer {
    dispatcher: Dispatcher,
    allow_mutations: bool,
    unconfirmed: Unconfirmed,
    /// Each served tool with its output schema, and whether its results are wrapped.
    tools: Vec<(Tool, bool)>,
}

impl OpsServer {
    /// Serves `dispatcher`'s tools; mutating ones only when `allow_mutations`, and then a
    /// change for a client that cannot ask its person is decided by `unconfirmed`.
    pub fn new(dispatcher: Dispatcher, allow_mutations: bool, unconfirmed: Unconfirmed) -> Self {
        // The schemas are derived once, not on every list or call.
        let tools = todo_ops_tools::tools::registry()
            .iter()
            .filter(|t| allow_mutations || !t.mutates())
            .map(|t| {
                let input = match t.schema() {
                    serde_json::Value::Object(m) => m,
                    _ => Default::default(),
                };
                let (output, wrapped) = schema::output_schema(t.output_schema());
                let tool = Tool::new(t.name(), t.description(), input)
                    .with_raw_output_schema(std::sync::Arc::new(output));
                (tool, wrapped)
            })
            .collect();
        Self {
            dispatcher,
            allow_mutations,
            unconfirmed,
            tools,
        }
    }

    /// The tools a client sees, each with the schema of its arguments and of its result.
    pub fn tools(&self) -> Vec<Tool> {
        self.tools.iter().map(|(t, _)| t.clone()).collect()
    }

    /// How this client's calls are decided: asked through elicitation when it can be, else
    /// run or refused as `--unconfirmed` says; read-only without `--allow-mutations`.
    fn mode(&self, client_can_ask: bool) -> MutationPolicy {
        match (self.allow_mutations, client_can_ask, self.unconfirmed) {
            (false, _, _) => MutationPolicy::ReadOnly,
            (true, true, _) => MutationPolicy::Ask,
            (true, false, Unconfirmed::Allow) => MutationPolicy::AutoApprove,
            (true, false, Unconfirmed::Deny) => MutationPolicy::Unattended,
        }
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
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let wrapped = self
            .tools
            .iter()
            .any(|(t, wrapped)| *wrapped && t.name == request.name);
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
        let asker = ElicitConfirm {
            peer: context.peer.clone(),
        };
        let dispatcher = Dispatcher {
            ctx: self.dispatcher.ctx.clone(),
            policy: self.mode(can_ask(&context.peer)),
            rules: self.dispatcher.rules.clone(),
        };
        let reply = dispatcher
            .dispatch(&call, &asker)
            .await
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        let content = vec![ContentBlock::text(reply.content)];
        let mut result = if reply.status == CallStatus::Done {
            CallToolResult::success(content)
        } else {
            CallToolResult::error(content)
        };
        result.structured_content = reply.output.map(|o| schema::structured(o.data, wrapped));
        Ok(result.into())
    }
}

/// `todo-ops mcp`: serves until the client closes stdin (or, over HTTP, until Ctrl-C).
pub async fn run(a: &McpArgs) -> Result<u8> {
    let ctx = tool_context(&a.cluster.target(), a.charts.as_deref()).await?;
    // An MCP client's model never names a Secret unless the person lifts that.
    let mut gate = a.gate.clone();
    if gate.deny_kinds.is_empty() {
        gate.deny_kinds.push("secrets".into());
    }
    let dispatcher = Dispatcher {
        ctx,
        policy: MutationPolicy::ReadOnly,
        rules: crate::commands::policy::session_rules(
            &gate,
            &a.audit,
            &crate::core::saved_sessions::new_id(),
        )?,
    };
    if let Some(addr) = a.http {
        let token = match &a.token {
            Some(t) if t.trim().len() >= 16 => t.trim().to_string(),
            Some(_) => anyhow::bail!(
                "the MCP bearer token is shorter than 16 characters; use a long random one (or leave --token out to get one)"
            ),
            None => {
                let t = http::random_token()?;
                eprintln!("MCP bearer token (send as Authorization: Bearer …): {t}");
                t
            }
        };
        let (allow, unconfirmed) = (a.allow_mutations, a.unconfirmed);
        http::serve(addr, token, move || {
            OpsServer::new(dispatcher.clone(), allow, unconfirmed)
        })
        .await?;
        return Ok(0);
    }
    let server = OpsServer::new(dispatcher, a.allow_mutations, a.unconfirmed);
    let service = server
        .serve(rmcp::transport::stdio())
        .await
        .context("starting the MCP session on stdio")?;
    service.waiting().await.context("serving MCP on stdio")?;
    Ok(0)
}
