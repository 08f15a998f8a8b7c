//! The model behind an OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp, LM
//! Studio): one streamed chat-completions turn at a time, tool calls assembled from their
//! deltas. async-openai itself retries 429 and 5xx answers with back-off; timeouts and broken
//! streams are retried here, while nothing has been streamed yet.

use std::time::Duration;

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::types::chat::{
    ChatCompletionRequestMessage, ChatCompletionStreamOptions, ChatCompletionToolChoiceOption,
    ChatCompletionTools, CreateChatCompletionRequest, ToolChoiceOptions,
};
use futures::StreamExt;

use crate::core::brain::{Brain, BrainError, BrainTurn};
use crate::protocol::{Message, ModelTurn, ToolCall, ToolSpec};

mod caps;
pub mod check;
mod wire;

use caps::ServerCaps;
use wire::{add_delta, finish_calls, request_messages, request_tools, whole_answer};

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
    /// A refusal of the tools offered, after every request shape was tried.
    #[error(
        "the model endpoint {endpoint} rejected the request: {detail}; this server cannot call tools natively: use --tool-shim"
    )]
    ToolsRefused {
        /// The endpoint.
        endpoint: String,
        /// The server's words.
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
    /// The same HTTP client, for the endpoint's other routes (`/models`).
    http: reqwest::Client,
    cfg: ModelConfig,
    /// The request shape this server accepts with tools, learned from its refusals.
    caps: std::sync::Mutex<ServerCaps>,
}

enum Attempt {
    /// The server refused the request itself (400 or 5xx with a message): maybe a request
    /// shape it does not accept.
    Refused(String),
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
            client: Client::with_config(oa).with_http_client(http.clone()),
            http,
            cfg,
            caps: std::sync::Mutex::new(ServerCaps::default()),
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
                Ok(t) if t.usage.is_some() => return Ok(t),
                Ok(t) => return Ok(wire::estimate_usage(t, &messages, &tools)),
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
                Err(Attempt::Fail(ModelError::NoAnswer { endpoint, detail })) => {
                    // Most often the prompt did not fit: say how big it was and what in it.
                    let size = wire::request_size(&messages, &tools);
                    return Err(ModelError::NoAnswer {
                        endpoint,
                        detail: format!("{detail}; the request was {size}"),
                    });
                }
                Err(Attempt::Fail(e)) => return Err(e),
                Err(Attempt::Refused(d)) => return Err(self.refused(d)),
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
        // A refusal about the request's tool shape changes it once and asks again.
        loop {
            let caps = self.caps();
            let streaming_tools = !tools.is_empty() && caps.stream_tools;
            let result = if !tools.is_empty() && !caps.stream_tools {
                self.attempt_whole(self.request(messages, tools, caps, false), on_text)
                    .await
            } else {
                let request = self.request(messages, tools, caps, true);
                self.attempt_streamed(request, on_text, streamed).await
            };
            // llama-cpp-python's chatml-function-calling fails a streamed tool choice only
            // once the model starts a call: the client sees an empty or cut stream, not an
            // error. Before anything was shown, such a turn is asked again as a whole answer.
            let broken_stream = match &result {
                Err(Attempt::Fail(ModelError::NoAnswer { .. })) => true,
                Err(Attempt::Retry(d)) => !timed_out(d),
                _ => false,
            };
            if streaming_tools && broken_stream && !*streamed {
                self.caps
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .stream_tools = false;
                tracing::info!(
                    "{} sent no usable stream for a turn with tools; asking for whole answers from now on",
                    endpoint(&self.cfg)
                );
                continue;
            }
            match result {
                Err(Attempt::Refused(refusal)) if !tools.is_empty() => {
                    let adapted = self
                        .caps
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .adapt(&refusal);
                    match adapted {
                        Some(a) => tracing::info!(
                            "{} refused the tool request ({refusal}); from now on: {a:?}",
                            endpoint(&self.cfg)
                        ),
                        None => return Err(Attempt::Fail(self.refused(refusal))),
                    }
                }
                Err(Attempt::Refused(refusal)) => return Err(Attempt::Fail(self.refused(refusal))),
                other => return other,
            }
        }
    }

    /// One turn in a fixed mode, with no adaptation and no retries (`model check`).
    pub(crate) async fn probe(
        &self,
        messages: &[Message],
        tools: &[ToolSpec],
        stream: bool,
    ) -> Result<ModelTurn, ModelError> {
        let (messages, tools) = (request_messages(messages), request_tools(tools));
        let mut result = Err(Attempt::Retry(String::new()));
        // One more try after a dropped connection: a server that failed the previous probe
        // may close the pooled connection this one reuses.
        for _ in 0..2 {
            let request = self.request(&messages, &tools, ServerCaps::default(), stream);
            result = if stream {
                self.attempt_streamed(request, &mut |_| {}, &mut false)
                    .await
            } else {
                self.attempt_whole(request, &mut |_| {}).await
            };
            match &result {
                Err(Attempt::Retry(d)) if !timed_out(d) => continue,
                _ => break,
            }
        }
        match result {
            Ok(t) if t.usage.is_some() => Ok(t),
            Ok(t) => Ok(wire::estimate_usage(t, &messages, &tools)),
            Err(Attempt::Fail(e)) => Err(e),
            Err(Attempt::Refused(d)) => Err(self.refused(d)),
            Err(Attempt::Retry(d)) => Err(ModelError::Unavailable {
                endpoint: endpoint(&self.cfg),
                detail: d,
            }),
        }
    }

    fn caps(&self) -> ServerCaps {
        *self.caps.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The request for this turn in the shape the server accepts.
    fn request(
        &self,
        messages: &[ChatCompletionRequestMessage],
        tools: &[ChatCompletionTools],
        caps: ServerCaps,
        stream: bool,
    ) -> CreateChatCompletionRequest {
        let with_tools = !tools.is_empty();
        CreateChatCompletionRequest {
            model: self.cfg.model.clone(),
            messages: messages.to_vec(),
            tools: with_tools.then(|| tools.to_vec()),
            // Without it llama-cpp-python does not show the model any tool.
            tool_choice: (with_tools && caps.tool_choice).then_some(
                ChatCompletionToolChoiceOption::Mode(ToolChoiceOptions::Auto),
            ),
            stream: Some(stream),
            stream_options: stream.then_some(ChatCompletionStreamOptions {
                include_usage: Some(true),
                include_obfuscation: None,
            }),
            ..Default::default()
        }
    }

    /// A refusal that no change of request shape answers.
    fn refused(&self, detail: String) -> ModelError {
        let endpoint = endpoint(&self.cfg);
        if detail.to_ascii_lowercase().contains("tool") {
            ModelError::ToolsRefused { endpoint, detail }
        } else {
            ModelError::Rejected { endpoint, detail }
        }
    }

    /// One whole answer (for servers that cannot stream tool calls).
    async fn attempt_whole(
        &self,
        request: CreateChatCompletionRequest,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<ModelTurn, Attempt> {
        let response = self
            .client
            .chat()
            .create(request)
            .await
            .map_err(|e| self.classify(e))?;
        let (turn, finished) = whole_answer(response);
        self.check_answer(&turn, usize::from(finished), finished)?;
        if !turn.text.is_empty() {
            on_text(&turn.text);
        }
        Ok(turn)
    }

    /// One streamed answer; text reaches `on_text` as it arrives.
    async fn attempt_streamed(
        &self,
        request: CreateChatCompletionRequest,
        on_text: &mut (dyn FnMut(&str) + Send),
        streamed: &mut bool,
    ) -> Result<ModelTurn, Attempt> {
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
        turn.tool_calls = finish_calls(calls);
        self.check_answer(&turn, chunks, finished)?;
        Ok(turn)
    }

    /// A turn with neither text nor tool calls, or one the model never finished, is no
    /// answer: the person is told, never shown a blank.
    fn check_answer(&self, turn: &ModelTurn, chunks: usize, finished: bool) -> Result<(), Attempt> {
        let no_answer = |detail: String| {
            Err(Attempt::Fail(ModelError::NoAnswer {
                endpoint: endpoint(&self.cfg),
                detail,
            }))
        };
        if turn.text.trim().is_empty() && turn.tool_calls.is_empty() {
            return no_answer(match (chunks, finished) {
                (0, _) => "an empty event stream".to_string(),
                (_, false) => {
                    format!("{chunks} events without text, tool calls or a finish reason")
                }
                (_, true) => {
                    "the model finished without text or a tool call (small models do this when offered tools they cannot use: try --tool-shim)".to_string()
                }
            });
        }
        if !finished {
            return no_answer(
                "the stream ended before the model finished (no finish reason)".into(),
            );
        }
        Ok(())
    }

    fn classify(&self, e: OpenAIError) -> Attempt {
        match e {
            OpenAIError::ApiError(r) => self.by_status(
                r.status_code.as_u16(),
                r.api_error.message.clone(),
                r.api_error.code.as_deref(),
            ),
            // An error body the SDK cannot read — vLLM's numeric `code` — or an error object
            // inside a stream: read it here, where vLLM's code is the HTTP status.
            OpenAIError::JSONDeserialize(_, content) => match foreign_error(&content) {
                Some((status, detail)) => self.by_status(status, detail, None),
                None => Attempt::Fail(ModelError::Rejected {
                    endpoint: endpoint(&self.cfg),
                    detail: format!("an answer that is not a chat completion: {content}"),
                }),
            },
            // Timeouts, refused connections and broken streams are worth another try.
            OpenAIError::Reqwest(e) => Attempt::Retry(with_causes(&e)),
            OpenAIError::StreamError(e) => Attempt::Retry(with_causes(&*e)),
            other => Attempt::Fail(ModelError::Rejected {
                endpoint: endpoint(&self.cfg),
                detail: other.to_string(),
            }),
        }
    }

    /// What an HTTP error status means for this turn.
    fn by_status(&self, status: u16, detail: String, code: Option<&str>) -> Attempt {
        let endpoint = endpoint(&self.cfg);
        match status {
            401 | 403 => Attempt::Fail(ModelError::Auth { endpoint, detail }),
            404 => Attempt::Fail(ModelError::UnknownModel {
                model: self.cfg.model.clone(),
                endpoint,
                detail,
            }),
            _ if code == Some("model_not_found") => Attempt::Fail(ModelError::UnknownModel {
                model: self.cfg.model.clone(),
                endpoint,
                detail,
            }),
            // A refusal of the request's tool shape (llama-cpp-python answers 500, vLLM
            // 400): the caller may change the shape and ask again.
            400 | 422 | 500 if detail.to_ascii_lowercase().contains("tool") => {
                Attempt::Refused(format!("HTTP {status}: {detail}"))
            }
            // The event source has already retried these with back-off.
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
}

/// The status and message of an error body in a shape the SDK does not read:
/// `{"error": {"message", "code": 404}}` (vLLM 0.10.1 and later) or
/// `{"object": "error", "message", "code"}` (earlier vLLM).
fn foreign_error(content: &str) -> Option<(u16, String)> {
    let v: serde_json::Value = serde_json::from_str(content).ok()?;
    let e = if v["error"].is_object() {
        &v["error"]
    } else {
        &v
    };
    if v["error"].is_null() && v["object"] != "error" {
        return None;
    }
    let message = e["message"].as_str()?.to_string();
    let status = e["code"]
        .as_u64()
        .and_then(|c| u16::try_from(c).ok())
        .filter(|c| (400..600).contains(c))
        .unwrap_or(500);
    Some((status, message))
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

fn endpoint(cfg: &ModelConfig) -> String {
    cfg.base_url
        .clone()
        .unwrap_or_else(|| "https://api.openai.com/v1".into())
}
