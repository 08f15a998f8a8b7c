//! The model behind an OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp, LM
//! Studio): one streamed chat-completions turn at a time, tool calls assembled from their
//! deltas. async-openai itself retries 429 and 5xx answers with back-off; timeouts and broken
//! streams are retried here, while nothing has been streamed yet.

use std::time::Duration;

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::types::chat::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCallChunk,
    ChatCompletionMessageToolCalls, ChatCompletionRequestAssistantMessage,
    ChatCompletionRequestAssistantMessageContent, ChatCompletionRequestMessage,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestSystemMessageContent,
    ChatCompletionRequestToolMessage, ChatCompletionRequestToolMessageContent,
    ChatCompletionRequestUserMessage, ChatCompletionRequestUserMessageContent,
    ChatCompletionStreamOptions, ChatCompletionTool, ChatCompletionTools,
    CreateChatCompletionRequest, FunctionCall, FunctionObject,
};
use futures::StreamExt;

use crate::core::brain::{Brain, BrainError, BrainTurn};
use crate::protocol::{Message, ModelTurn, ToolCall, ToolSpec};

/// Where the model is and which one.
#[derive(Debug, Clone)]
pub struct ModelConfig {
    /// `OPENAI_API_KEY` (any text for servers that do not check it).
    pub api_key: String,
    /// `OPENAI_BASE_URL`, e.g. `http://localhost:11434/v1` for Ollama.
    pub base_url: Option<String>,
    /// The model name, e.g. `gpt-4o-mini` or `qwen2.5:7b`.
    pub model: String,
    /// Timeout of one model request, connection included.
    pub request_timeout: Duration,
    /// Attempts for one turn on timeouts, refused connections and broken streams.
    pub attempts: u32,
}

/// A failed model turn, with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// 401/403.
    #[error(
        "the model endpoint {endpoint} refused the API key ({detail}); set OPENAI_API_KEY to a valid key"
    )]
    Auth {
        /// The endpoint.
        endpoint: String,
        /// The server's words.
        detail: String,
    },
    /// 404 or `model_not_found`.
    #[error(
        "the model {model:?} is not served at {endpoint} ({detail}); pick another with --model"
    )]
    UnknownModel {
        /// The model asked for.
        model: String,
        /// The endpoint.
        endpoint: String,
        /// The server's words.
        detail: String,
    },
    /// Still failing after retries with back-off (429, 5xx, timeouts, refused connections).
    #[error(
        "the model endpoint {endpoint} is unavailable after retries with back-off (last: {detail}); check OPENAI_BASE_URL and that the server is up"
    )]
    Unavailable {
        /// The endpoint.
        endpoint: String,
        /// The last error.
        detail: String,
    },
    /// The answer did not finish within the request timeout.
    #[error(
        "the model endpoint {endpoint} did not finish answering within {secs} s; a slow local model may need more: raise --timeout-secs"
    )]
    TimedOut {
        /// The endpoint.
        endpoint: String,
        /// The timeout.
        secs: u64,
    },
    /// A 200 answer with nothing in it: no events, or a stream cut before the model finished.
    #[error(
        "the model endpoint {endpoint} sent no answer ({detail}); servers do this when the prompt is longer than their context window or they fail mid-request: look at the server's log, shorten piped input, or /compact the conversation"
    )]
    NoAnswer {
        /// The endpoint.
        endpoint: String,
        /// What was missing.
        detail: String,
    },
    /// Any other refusal (400: bad request, context too long, …).
    #[error("the model endpoint {endpoint} rejected the request: {detail}")]
    Rejected {
        /// The endpoint.
        endpoint: String,
        /// The server's words.
        detail: String,
    },
}

/// The conversation as an OpenAI request's messages. An assistant message always carries
/// `content` (empty when it only called tools): optional in OpenAI's API, but llama.cpp's
/// chat templates fail without it. Typed tool results stay here; the model reads the text.
fn request_messages(messages: &[Message]) -> Vec<ChatCompletionRequestMessage> {
    messages
        .iter()
        .map(|m| match m {
            Message::System { content } => {
                ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage {
                    content: ChatCompletionRequestSystemMessageContent::Text(content.clone()),
                    name: None,
                })
            }
            Message::User { content } => {
                ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage {
                    content: ChatCompletionRequestUserMessageContent::Text(content.clone()),
                    name: None,
                })
            }
            Message::Assistant {
                content,
                tool_calls,
            } => {
                let calls = tool_calls
                    .iter()
                    .map(|c| {
                        ChatCompletionMessageToolCalls::Function(ChatCompletionMessageToolCall {
                            id: c.id.clone(),
                            function: FunctionCall {
                                name: c.name.clone(),
                                arguments: c.arguments.clone(),
                            },
                        })
                    })
                    .collect::<Vec<_>>();
                #[allow(deprecated)] // `function_call` is deprecated but still a field.
                ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage {
                    content: Some(ChatCompletionRequestAssistantMessageContent::Text(
                        content.clone(),
                    )),
                    refusal: None,
                    name: None,
                    audio: None,
                    tool_calls: (!calls.is_empty()).then_some(calls),
                    function_call: None,
                })
            }
            Message::Tool {
                tool_call_id,
                content,
                ..
            } => ChatCompletionRequestMessage::Tool(ChatCompletionRequestToolMessage {
                content: ChatCompletionRequestToolMessageContent::Text(content.clone()),
                tool_call_id: tool_call_id.clone(),
            }),
        })
        .collect()
}

/// The tools as an OpenAI request's function list.
fn request_tools(tools: &[ToolSpec]) -> Vec<ChatCompletionTools> {
    tools
        .iter()
        .map(|t| {
            ChatCompletionTools::Function(ChatCompletionTool {
                function: FunctionObject {
                    name: t.name.clone(),
                    description: Some(t.description.clone()),
                    parameters: Some(t.parameters.clone()),
                    strict: None,
                },
            })
        })
        .collect()
}

impl From<ModelError> for BrainError {
    fn from(e: ModelError) -> Self {
        BrainError::Model(Box::new(e))
    }
}

impl Brain for Model {
    fn name(&self) -> &str {
        Model::name(self)
    }
    fn turn<'a>(
        &'a self,
        messages: &'a [Message],
        tools: &'a [ToolSpec],
        on_text: &'a mut (dyn FnMut(&str) + Send),
    ) -> BrainTurn<'a> {
        Box::pin(async move { Ok(Model::turn(self, messages, tools, on_text).await?) })
    }
}

/// A client for one model.
pub struct Model {
    client: Client<OpenAIConfig>,
    cfg: ModelConfig,
}

enum Attempt {
    Retry(String),
    Fail(ModelError),
}

impl Model {
    /// Builds the client; every request has the configured timeout.
    pub fn new(cfg: ModelConfig) -> Result<Self, ModelError> {
        let mut oa = OpenAIConfig::new().with_api_key(cfg.api_key.clone());
        if let Some(base) = &cfg.base_url {
            oa = oa.with_api_base(base.trim_end_matches('/'));
        }
        let http = reqwest::Client::builder()
            .timeout(cfg.request_timeout)
            .connect_timeout(cfg.request_timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| ModelError::Rejected {
                endpoint: endpoint(&cfg),
                detail: format!("could not build the HTTP client: {e}"),
            })?;
        Ok(Self {
            client: Client::with_config(oa).with_http_client(http),
            cfg,
        })
    }

    /// The model's name.
    pub fn name(&self) -> &str {
        &self.cfg.model
    }

    /// One streamed turn; `on_text` sees each piece of text as it arrives.
    pub async fn turn(
        &self,
        messages: &[Message],
        tools: &[ToolSpec],
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<ModelTurn, ModelError> {
        let (messages, tools) = (request_messages(messages), request_tools(tools));
        let mut last = String::new();
        let attempts = self.cfg.attempts.max(1);
        for attempt in 0..attempts {
            if attempt > 0 {
                // 0.5 s, 1 s, 2 s, … between attempts.
                tokio::time::sleep(Duration::from_millis(500 << (attempt - 1).min(5))).await;
            }
            let mut streamed = false;
            match self
                .attempt(&messages, &tools, on_text, &mut streamed)
                .await
            {
                Ok(t) => return Ok(t),
                // Text already shown cannot be taken back: only a clean failure is retried.
                Err(Attempt::Retry(d)) if timed_out(&d) => {
                    return Err(ModelError::TimedOut {
                        endpoint: endpoint(&self.cfg),
                        secs: self.cfg.request_timeout.as_secs(),
                    });
                }
                Err(Attempt::Retry(d)) if !streamed => last = d,
                Err(Attempt::Retry(d)) => {
                    return Err(ModelError::Unavailable {
                        endpoint: endpoint(&self.cfg),
                        detail: format!("the stream broke off: {d}"),
                    });
                }
                Err(Attempt::Fail(e)) => return Err(e),
            }
        }
        Err(ModelError::Unavailable {
            endpoint: endpoint(&self.cfg),
            detail: last,
        })
    }

    async fn attempt(
        &self,
        messages: &[ChatCompletionRequestMessage],
        tools: &[ChatCompletionTools],
        on_text: &mut (dyn FnMut(&str) + Send),
        streamed: &mut bool,
    ) -> Result<ModelTurn, Attempt> {
        let request = CreateChatCompletionRequest {
            model: self.cfg.model.clone(),
            messages: messages.to_vec(),
            tools: (!tools.is_empty()).then(|| tools.to_vec()),
            stream: Some(true),
            stream_options: Some(ChatCompletionStreamOptions {
                include_usage: Some(true),
                include_obfuscation: None,
            }),
            ..Default::default()
        };
        let mut stream = self
            .client
            .chat()
            .create_stream(request)
            .await
            .map_err(|e| self.classify(e))?;
        let mut turn = ModelTurn::default();
        // Tool calls arrive as deltas keyed by index: id and name first, arguments in pieces.
        let mut calls: Vec<ToolCall> = Vec::new();
        let (mut chunks, mut finished) = (0usize, false);
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.classify(e))?;
            chunks += 1;
            if let Some(u) = chunk.usage {
                turn.usage = Some((u.prompt_tokens, u.completion_tokens));
            }
            for choice in chunk.choices {
                finished |= choice.finish_reason.is_some();
                if let Some(text) = choice.delta.content.filter(|t| !t.is_empty()) {
                    *streamed = true;
                    on_text(&text);
                    turn.text.push_str(&text);
                }
                for d in choice.delta.tool_calls.into_iter().flatten() {
                    add_delta(&mut calls, d).map_err(|detail| {
                        Attempt::Fail(ModelError::Rejected {
                            endpoint: endpoint(&self.cfg),
                            detail,
                        })
                    })?;
                }
            }
        }
        for (i, c) in calls.iter_mut().enumerate() {
            // Some local servers omit ids; the reply must still name its call.
            if c.id.is_empty() {
                c.id = format!("call_{i}");
            }
        }
        turn.tool_calls = calls.into_iter().filter(|c| !c.name.is_empty()).collect();
        if turn.text.trim().is_empty() && turn.tool_calls.is_empty() {
            let detail = match (chunks, finished) {
                (0, _) => "an empty event stream".to_string(),
                (_, false) => {
                    format!("{chunks} events without text, tool calls or a finish reason")
                }
                (_, true) => "an empty answer".to_string(),
            };
            return Err(Attempt::Fail(ModelError::NoAnswer {
                endpoint: endpoint(&self.cfg),
                detail,
            }));
        }
        if !finished {
            return Err(Attempt::Fail(ModelError::NoAnswer {
                endpoint: endpoint(&self.cfg),
                detail: "the stream ended before the model finished (no finish reason)".into(),
            }));
        }
        Ok(turn)
    }

    fn classify(&self, e: OpenAIError) -> Attempt {
        let endpoint = endpoint(&self.cfg);
        match e {
            OpenAIError::ApiError(r) => {
                let status = r.status_code.as_u16();
                let detail = r.api_error.message.clone();
                match status {
                    401 | 403 => Attempt::Fail(ModelError::Auth { endpoint, detail }),
                    404 => Attempt::Fail(ModelError::UnknownModel {
                        model: self.cfg.model.clone(),
                        endpoint,
                        detail,
                    }),
                    _ if r.api_error.code.as_deref() == Some("model_not_found") => {
                        Attempt::Fail(ModelError::UnknownModel {
                            model: self.cfg.model.clone(),
                            endpoint,
                            detail,
                        })
                    }
                    // async-openai has already retried these with back-off.
                    429 | 500..=599 => Attempt::Fail(ModelError::Unavailable {
                        endpoint,
                        detail: format!("HTTP {status}: {detail}"),
                    }),
                    _ => Attempt::Fail(ModelError::Rejected {
                        endpoint,
                        detail: format!("HTTP {status}: {detail}"),
                    }),
                }
            }
            // Timeouts, refused connections and broken streams are worth another try.
            OpenAIError::Reqwest(e) => Attempt::Retry(with_causes(&e)),
            OpenAIError::StreamError(e) => Attempt::Retry(with_causes(&*e)),
            other => Attempt::Fail(ModelError::Rejected {
                endpoint,
                detail: other.to_string(),
            }),
        }
    }
}

/// An error and every cause under it: "operation timed out" is often only in a cause.
fn with_causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}

/// Whether a transport error is the request timeout (reqwest says "timed out"; the
/// event-source layer passes its text on).
fn timed_out(detail: &str) -> bool {
    detail.contains("timed out") || detail.contains("Timeout")
}

/// At most this many tool calls in one answer: a larger index is a broken or hostile stream.
const MAX_TOOL_CALLS: usize = 64;

/// Folds one streamed tool-call delta into the calls so far. The name is set once: OpenAI
/// sends it in the first delta only, llama.cpp repeats it in every delta, and a server that
/// splits it sends pieces that extend it.
fn add_delta(
    calls: &mut Vec<ToolCall>,
    d: ChatCompletionMessageToolCallChunk,
) -> Result<(), String> {
    let i = d.index as usize;
    if i >= MAX_TOOL_CALLS {
        return Err(format!(
            "the model sent tool call number {i}; at most {MAX_TOOL_CALLS} calls are accepted in one answer"
        ));
    }
    while calls.len() <= i {
        calls.push(ToolCall {
            id: String::new(),
            name: String::new(),
            arguments: String::new(),
        });
    }
    let call = &mut calls[i];
    if let Some(id) = d.id.filter(|id| !id.is_empty()) {
        call.id = id;
    }
    if let Some(f) = d.function {
        if let Some(name) = f.name.filter(|n| !n.is_empty()) {
            if call.name.is_empty() || name.starts_with(call.name.as_str()) {
                call.name = name;
            } else if name != call.name {
                call.name.push_str(&name);
            }
        }
        if let Some(args) = f.arguments {
            call.arguments.push_str(&args);
        }
    }
    Ok(())
}

fn endpoint(cfg: &ModelConfig) -> String {
    cfg.base_url
        .clone()
        .unwrap_or_else(|| "https://api.openai.com/v1".into())
}
