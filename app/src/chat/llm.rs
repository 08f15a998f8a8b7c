//! The model loop: OpenAI chat completions with the five task tools.

use std::time::Duration;

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::types::chat::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCalls,
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestAssistantMessageContent,
    ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestSystemMessageContent, ChatCompletionRequestToolMessage,
    ChatCompletionRequestToolMessageContent, ChatCompletionRequestUserMessage,
    ChatCompletionRequestUserMessageContent, ChatCompletionTool, ChatCompletionTools,
    CreateChatCompletionRequest, FunctionObject,
};
use serde_json::json;

use super::ops::{self, Action, TaskOp, tool_specs};
use super::store::{Role, StoredMessage};
use crate::config::LlmConfig;
use crate::db::Db;
use crate::error::ApiError;

/// Model calls allowed for one message before the loop gives up.
pub const MAX_ROUNDS: usize = 6;
/// Timeout of one model request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

const SYSTEM_PROMPT: &str = "You are the assistant of a to-do app. Manage the user's tasks only through \
the tools add_task, list_tasks, complete_task, update_task and delete_task. When the user names a task by \
its words rather than its number, call list_tasks first to find the number. Due days are YYYY-MM-DD; \
work them out from today's date below. Confirm what you did in one or two short sentences. If a request \
is not about the to-do list, say briefly what you can help with.";

/// A chat model behind an OpenAI-compatible endpoint.
pub struct ModelChat {
    client: Client<OpenAIConfig>,
    model: String,
    endpoint: String,
}

impl ModelChat {
    /// Builds the client; every request has [`REQUEST_TIMEOUT`].
    pub fn new(cfg: &LlmConfig) -> Result<Self, ApiError> {
        let mut oa = OpenAIConfig::new().with_api_key(cfg.api_key.clone());
        if let Some(base) = &cfg.base_url {
            oa = oa.with_api_base(base.trim_end_matches('/'));
        }
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| ApiError::Internal(format!("building the model HTTP client: {e}")))?;
        Ok(Self {
            client: Client::with_config(oa).with_http_client(http),
            model: cfg.model.clone(),
            endpoint: cfg
                .base_url
                .clone()
                .unwrap_or_else(|| "https://api.openai.com/v1".into()),
        })
    }

    fn tools() -> Vec<ChatCompletionTools> {
        tool_specs()
            .into_iter()
            .map(|t| {
                ChatCompletionTools::Function(ChatCompletionTool {
                    function: FunctionObject {
                        name: t.name.to_string(),
                        description: Some(t.description.to_string()),
                        parameters: Some(t.parameters),
                        strict: None,
                    },
                })
            })
            .collect()
    }

    /// Answers one message, calling tools as the model asks; returns the reply and the actions.
    pub async fn respond(
        &self,
        db: &Db,
        user_id: i64,
        history: &[StoredMessage],
        message: &str,
        today: chrono::NaiveDate,
    ) -> Result<(String, Vec<Action>), ApiError> {
        let system = format!("{SYSTEM_PROMPT}\nToday is {}.", today.format("%A %Y-%m-%d"));
        let mut messages = vec![ChatCompletionRequestMessage::System(
            ChatCompletionRequestSystemMessage {
                content: ChatCompletionRequestSystemMessageContent::Text(system),
                name: None,
            },
        )];
        for m in history {
            messages.push(match m.role {
                Role::User => user_message(&m.content),
                Role::Assistant => assistant_message(Some(m.content.clone()), None),
            });
        }
        messages.push(user_message(message));
        let mut actions = Vec::new();
        for _ in 0..MAX_ROUNDS {
            let request = CreateChatCompletionRequest {
                model: self.model.clone(),
                messages: messages.clone(),
                tools: Some(Self::tools()),
                ..Default::default()
            };
            let response = self.client.chat().create(request).await.map_err(|e| {
                ApiError::Unavailable(format!(
                    "the chat model {:?} at {} failed: {e}; check OPENAI_BASE_URL, OPENAI_MODEL and OPENAI_API_KEY",
                    self.model, self.endpoint
                ))
            })?;
            let Some(choice) = response.choices.into_iter().next() else {
                return Err(ApiError::Unavailable(format!(
                    "the chat model at {} returned no choices",
                    self.endpoint
                )));
            };
            let calls: Vec<ChatCompletionMessageToolCall> = choice
                .message
                .tool_calls
                .unwrap_or_default()
                .into_iter()
                .filter_map(|c| match c {
                    ChatCompletionMessageToolCalls::Function(f) => Some(f),
                    ChatCompletionMessageToolCalls::Custom(_) => None,
                })
                .collect();
            if calls.is_empty() {
                let reply = choice.message.content.unwrap_or_default();
                return Ok((reply, actions));
            }
            messages.push(assistant_message(
                choice.message.content,
                Some(
                    calls
                        .iter()
                        .cloned()
                        .map(ChatCompletionMessageToolCalls::Function)
                        .collect(),
                ),
            ));
            for call in calls {
                let content = match TaskOp::from_call(&call.function.name, &call.function.arguments)
                {
                    Err(msg) => json!({ "error": msg }).to_string(),
                    Ok(op) => {
                        let (action, _) = ops::execute_as_action(db, user_id, &op).await?;
                        let content = action.result.to_string();
                        actions.push(action);
                        content
                    }
                };
                messages.push(ChatCompletionRequestMessage::Tool(
                    ChatCompletionRequestToolMessage {
                        content: ChatCompletionRequestToolMessageContent::Text(content),
                        tool_call_id: call.id,
                    },
                ));
            }
        }
        Ok((
            "I stopped after too many steps without finishing; please rephrase or try a smaller request.".into(),
            actions,
        ))
    }
}

fn user_message(text: &str) -> ChatCompletionRequestMessage {
    ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage {
        content: ChatCompletionRequestUserMessageContent::Text(text.to_string()),
        name: None,
    })
}

#[allow(deprecated)]
fn assistant_message(
    content: Option<String>,
    tool_calls: Option<Vec<ChatCompletionMessageToolCalls>>,
) -> ChatCompletionRequestMessage {
    ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage {
        content: content.map(ChatCompletionRequestAssistantMessageContent::Text),
        refusal: None,
        name: None,
        audio: None,
        tool_calls,
        function_call: None,
    })
}
