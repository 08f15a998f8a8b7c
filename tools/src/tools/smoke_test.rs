//! `smoke_test`: a chat round trip through the frontend, as a person would make it: sign up
//! a throwaway user, ask the chat to add a task. Reaches the frontend Service through the
//! API server's port-forward, so it works on any cluster. It writes one user and one task
//! into the app and changes nothing in the cluster.

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::pod_http::{HttpRequest, request};
use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

/// Arguments of `smoke_test`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SmokeTestArgs {
    /// The frontend Service (default `todo-frontend`).
    #[serde(default)]
    pub service: Option<String>,
    /// Its port (default 3000).
    #[serde(default)]
    pub port: Option<u16>,
}

/// How the round trip went.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SmokeTest {
    /// HTTP status of the sign-up.
    pub sign_up_status: u16,
    /// HTTP status of the chat request.
    pub chat_status: u16,
    /// Whether the chat answered with a reply.
    pub answered: bool,
    /// The chat's reply (cut to 300 characters).
    pub reply: String,
}

/// The tool.
pub struct SmokeTestTool;

fn nonce() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{t:x}{}", std::process::id())
}

impl TypedTool for SmokeTestTool {
    const NAME: &'static str = "smoke_test";
    const DESCRIPTION: &'static str = "A chat round trip through the frontend as a person makes it: sign up a throwaway user and ask the chat to add a task. Writes one user and one task into the app; changes nothing in the cluster.";
    const MUTATES: bool = false;
    const NAMESPACED: bool = false;
    type Args = SmokeTestArgs;
    type Output = SmokeTest;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: SmokeTestArgs) -> ToolRun<'a, SmokeTest> {
        Box::pin(async move {
            let service = a.service.unwrap_or_else(|| "todo-frontend".into());
            let port = a.port.unwrap_or(3000);
            let timeout = Duration::from_secs(20);
            let n = nonce();
            let password = format!("smoke-{n}-pw");
            // Neither the password nor the session token may show up anywhere.
            ctx.redactor.hide(&password);
            let sign_up = request(
                &ctx.cluster,
                &service,
                port,
                &HttpRequest {
                    method: "POST",
                    path: "/api/auth/sign-up/email",
                    bearer: None,
                    json: Some(&json!({"email": format!("smoke-{n}@todo-ops.invalid"), "password": password, "name": "todo-ops smoke test"})),
                },
                timeout,
            )
            .await?;
            let token = serde_json::from_str::<serde_json::Value>(&sign_up.body)
                .ok()
                .and_then(|v| v["token"].as_str().map(str::to_string));
            let Some(token) = token else {
                return Err(ToolError::Retry(format!(
                    "sign-up through {service} failed with HTTP {}: {}",
                    sign_up.status,
                    sign_up.body.chars().take(200).collect::<String>()
                )));
            };
            ctx.redactor.hide(&token);
            let chat = request(
                &ctx.cluster,
                &service,
                port,
                &HttpRequest {
                    method: "POST",
                    path: "/api/chat",
                    bearer: Some(&token),
                    json: Some(&json!({"message": "add todo-ops smoke test"})),
                },
                timeout,
            )
            .await?;
            let reply = serde_json::from_str::<serde_json::Value>(&chat.body)
                .ok()
                .and_then(|v| v["reply"].as_str().map(str::to_string))
                .unwrap_or_default();
            Ok(SmokeTest {
                sign_up_status: sign_up.status,
                chat_status: chat.status,
                answered: chat.status == 200 && !reply.is_empty(),
                reply: reply.chars().take(300).collect(),
            })
        })
    }

    fn render(&self, s: &SmokeTest) -> String {
        if s.answered {
            format!(
                "chat round trip OK (sign-up {}, chat {}): {}",
                s.sign_up_status, s.chat_status, s.reply
            )
        } else {
            format!(
                "chat round trip FAILED: sign-up {}, chat {} {}",
                s.sign_up_status, s.chat_status, s.reply
            )
        }
    }
}
