//! `/mcp`: the five task tools over MCP streamable HTTP, for the session's user.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::Extension;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, ServerCapabilities, ServerConfig};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, ServerHandler, tool, tool_handler, tool_router};

use crate::auth::AuthUser;
use crate::auth::session::{lookup, presented_token};
use crate::chat::ops::{self, AddTaskArgs, ListTasksArgs, TaskIdArgs, TaskOp, UpdateTaskArgs};
use crate::db::Db;
use crate::error::ApiError;
use crate::state::AppState;

/// The MCP server: one instance per MCP session.
#[derive(Clone)]
pub struct TaskTools {
    db: Db,
    tool_router: ToolRouter<Self>,
}

fn user_of(parts: &axum::http::request::Parts) -> Result<i64, ErrorData> {
    parts
        .extensions
        .get::<AuthUser>()
        .map(|u| u.id)
        .ok_or_else(|| ErrorData::invalid_request("not signed in", None))
}

impl TaskTools {
    async fn run(
        &self,
        parts: &axum::http::request::Parts,
        op: TaskOp,
    ) -> Result<CallToolResult, ErrorData> {
        let user = user_of(parts)?;
        match ops::execute(&self.db, user, &op).await {
            Ok(r) => Ok(CallToolResult::success(vec![ContentBlock::text(
                r.to_json().to_string(),
            )])),
            Err(e @ (ApiError::NotFound(_) | ApiError::Unprocessable(_))) => Ok(
                CallToolResult::error(vec![ContentBlock::text(e.to_string())]),
            ),
            Err(e) => Err(ErrorData::internal_error(e.to_string(), None)),
        }
    }
}

#[tool_router]
impl TaskTools {
    /// A server for one MCP session.
    pub fn new(db: Db) -> Self {
        Self {
            db,
            tool_router: Self::tool_router(),
        }
    }

    #[tool(description = "Add a new task to the user's to-do list.")]
    async fn add_task(
        &self,
        Extension(parts): Extension<axum::http::request::Parts>,
        Parameters(args): Parameters<AddTaskArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        self.run(&parts, TaskOp::Add(args)).await
    }

    #[tool(description = "List the user's tasks: all, pending or completed.")]
    async fn list_tasks(
        &self,
        Extension(parts): Extension<axum::http::request::Parts>,
        Parameters(args): Parameters<ListTasksArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        self.run(&parts, TaskOp::List(args)).await
    }

    #[tool(description = "Mark one of the user's tasks as completed.")]
    async fn complete_task(
        &self,
        Extension(parts): Extension<axum::http::request::Parts>,
        Parameters(args): Parameters<TaskIdArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        self.run(&parts, TaskOp::Complete(args)).await
    }

    #[tool(description = "Change the title or description of one of the user's tasks.")]
    async fn update_task(
        &self,
        Extension(parts): Extension<axum::http::request::Parts>,
        Parameters(args): Parameters<UpdateTaskArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        self.run(&parts, TaskOp::Update(args)).await
    }

    #[tool(description = "Delete one of the user's tasks.")]
    async fn delete_task(
        &self,
        Extension(parts): Extension<axum::http::request::Parts>,
        Parameters(args): Parameters<TaskIdArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        self.run(&parts, TaskOp::Delete(args)).await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for TaskTools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_instructions("Manage the signed-in user's to-do list.")
    }
}

/// The MCP service to mount at `/mcp`.
pub fn service(db: Db) -> StreamableHttpService<TaskTools, LocalSessionManager> {
    StreamableHttpService::new(
        move || Ok(TaskTools::new(db.clone())),
        Default::default(),
        // Pods are reached by service name, so the loopback-only Host check would refuse
        // in-cluster clients; every request is authenticated by `require_user` instead.
        StreamableHttpServerConfig::default()
            .with_sse_keep_alive(None)
            .disable_allowed_hosts(),
    )
}

/// Middleware: `/mcp` needs a valid session bearer token.
pub async fn require_user(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let user = match presented_token(&parts) {
        Some(token) => lookup(&s.db, &s.auth_secret, &token).await,
        None => Ok(None),
    };
    match user {
        Ok(Some(user)) => {
            parts.extensions.insert(user);
            req = Request::from_parts(parts, body);
            next.run(req).await
        }
        Ok(None) => ApiError::Unauthorized(
            "MCP needs `Authorization: Bearer <session token>` from /api/auth/sign-in/email".into(),
        )
        .into_response(),
        Err(e) => e.into_response(),
    }
}
