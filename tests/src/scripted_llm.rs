//! A scripted OpenAI-compatible chat-completions server: the one stand-in we allow for an
//! LLM. It answers over the real HTTP protocol with queued replies (text or tool calls) and
//! records every request so a test can check what the client sent. A request with
//! `"stream": true` gets the same turn as server-sent chunks (text and tool-call deltas).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

/// One scripted model turn.
#[derive(Debug, Clone)]
pub enum Turn {
    /// A final text answer.
    Text(String),
    /// Tool calls: (name, JSON arguments).
    ToolCalls(Vec<(String, Value)>),
    /// An HTTP error status with an OpenAI-shaped error body.
    Error(u16, String),
    /// A 200 `text/event-stream` answer with exactly this body: the wire shapes other
    /// servers send (llama.cpp's empty stream on a failure, its repeated tool names, …).
    Raw(String),
    /// Exactly this answer: status, content type and body, as recorded from a real server.
    Recorded {
        /// The HTTP status.
        status: u16,
        /// The `Content-Type`.
        content_type: String,
        /// The body, byte for byte.
        body: String,
    },
}

impl Turn {
    /// A text answer.
    pub fn text(s: &str) -> Self {
        Self::Text(s.to_string())
    }

    /// A single tool call.
    pub fn tool(name: &str, args: Value) -> Self {
        Self::ToolCalls(vec![(name.to_string(), args)])
    }
}

/// A request shape the server refuses every time, as some real servers do.
struct Refusal {
    when: Box<dyn Fn(&Value) -> bool + Send>,
    status: u16,
    message: String,
}

/// A turn computed from the request body, as a replayed conversation needs.
type Responder = Box<dyn Fn(&Value) -> Option<Turn> + Send>;

#[derive(Default)]
struct Script {
    turns: VecDeque<(Turn, Duration)>,
    refusals: Vec<Refusal>,
    /// The `data` of `GET /v1/models`; `None` answers 404 as servers without the route do.
    models: Option<Value>,
    /// Answers a request from its body before the queue is asked (`None`: the queue).
    responder: Option<Responder>,
    requests: Vec<Value>,
    auth_headers: Vec<String>,
    calls: usize,
}

/// A running scripted model server.
pub struct ScriptedLlm {
    /// Base URL to use as `OPENAI_BASE_URL` (ends in `/v1`).
    pub base_url: String,
    script: Arc<Mutex<Script>>,
    _server: tokio::task::JoinHandle<()>,
}

impl ScriptedLlm {
    /// Starts the server on a random loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let script = Arc::new(Mutex::new(Script::default()));
        let app = Router::new()
            .route("/v1/chat/completions", post(completions))
            .route("/v1/models", axum::routing::get(models))
            .with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            base_url: format!("http://{addr}/v1"),
            script,
            _server: server,
        })
    }

    /// Queues a turn answered at once.
    pub fn push(&self, turn: Turn) {
        self.push_delayed(turn, Duration::ZERO);
    }

    /// Queues a turn answered after `delay` (to keep a request in flight).
    pub fn push_delayed(&self, turn: Turn, delay: Duration) {
        if let Ok(mut s) = self.script.lock() {
            s.turns.push_back((turn, delay));
        }
    }

    /// Refuses every request for which `when` holds with `status` and `message`, without
    /// using a queued turn: llama-cpp-python's 500 for a streamed `tool_choice`, vLLM's 400
    /// for `"auto"` without `--enable-auto-tool-choice`.
    pub fn refuse_when(
        &self,
        status: u16,
        message: &str,
        when: impl Fn(&Value) -> bool + Send + 'static,
    ) {
        if let Ok(mut s) = self.script.lock() {
            s.refusals.push(Refusal {
                when: Box::new(when),
                status,
                message: message.to_string(),
            });
        }
    }

    /// Answers each request with `respond(body)` when it gives a turn, before any queued
    /// turn: for conversations replayed by their content rather than by arrival order.
    pub fn respond_with(&self, respond: impl Fn(&Value) -> Option<Turn> + Send + 'static) {
        if let Ok(mut s) = self.script.lock() {
            s.responder = Some(Box::new(respond));
        }
    }

    /// What `GET /v1/models` lists: model objects such as
    /// `{"id": "m", "object": "model", "max_model_len": 8192}` (vLLM's context field).
    pub fn set_models(&self, data: Value) {
        if let Ok(mut s) = self.script.lock() {
            s.models = Some(data);
        }
    }

    /// Every request body received so far.
    pub fn requests(&self) -> Vec<Value> {
        self.script
            .lock()
            .map(|s| s.requests.clone())
            .unwrap_or_default()
    }

    /// The `Authorization` header of every request.
    pub fn auth_headers(&self) -> Vec<String> {
        self.script
            .lock()
            .map(|s| s.auth_headers.clone())
            .unwrap_or_default()
    }

    /// How many turns are still queued.
    pub fn remaining(&self) -> usize {
        self.script
            .lock()
            .map(|s| s.turns.len())
            .unwrap_or_default()
    }

    /// Waits until `n` requests have arrived, failing after `timeout`.
    pub async fn wait_for_requests(&self, n: usize, timeout: Duration) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let got = self.script.lock().map(|s| s.calls).unwrap_or_default();
            if got >= n {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                return Err(format!(
                    "scripted model got {got} requests, expected {n} within {timeout:?}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn error_body(status: u16, message: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        code,
        Json(json!({"error": {"message": message, "type": "invalid_request_error", "code": null}})),
    )
        .into_response()
}

async fn models(State(script): State<Arc<Mutex<Script>>>) -> Response {
    let data = script.lock().ok().and_then(|s| s.models.clone());
    match data {
        Some(data) => Json(json!({"object": "list", "data": data})).into_response(),
        None => error_body(404, "no such route"),
    }
}

async fn completions(
    State(script): State<Arc<Mutex<Script>>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let next = {
        let Ok(mut s) = script.lock() else {
            return error_body(500, "script lock poisoned");
        };
        s.calls += 1;
        s.requests.push(body.clone());
        if let Some(v) = headers.get("authorization").and_then(|v| v.to_str().ok()) {
            s.auth_headers.push(v.to_string());
        }
        if let Some(r) = s.refusals.iter().find(|r| (r.when)(&body)) {
            return error_body(r.status, &r.message);
        }
        match s.responder.as_ref().and_then(|r| r(&body)) {
            Some(turn) => Some((turn, Duration::ZERO)),
            None => s.turns.pop_front(),
        }
    };
    let Some((turn, delay)) = next else {
        return error_body(500, "the scripted model has no more turns queued");
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let model = body
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("scripted")
        .to_string();
    let message = match turn {
        Turn::Error(status, msg) => return error_body(status, &msg),
        Turn::Raw(body) => {
            return (
                [(axum::http::header::CONTENT_TYPE, "text/event-stream")],
                body,
            )
                .into_response();
        }
        Turn::Recorded {
            status,
            content_type,
            body,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (
                status,
                [(axum::http::header::CONTENT_TYPE, content_type)],
                body,
            )
                .into_response();
        }
        Turn::Text(text) => json!({"role": "assistant", "content": text}),
        Turn::ToolCalls(calls) => {
            let calls: Vec<Value> = calls
                .into_iter()
                .enumerate()
                .map(|(i, (name, args))| {
                    json!({
                        "id": format!("call_{i}_{name}"),
                        "type": "function",
                        "function": {"name": name, "arguments": args.to_string()},
                    })
                })
                .collect();
            json!({"role": "assistant", "content": null, "tool_calls": calls})
        }
    };
    let finish = if message.get("tool_calls").is_some() {
        "tool_calls"
    } else {
        "stop"
    };
    if body.get("stream").and_then(Value::as_bool) == Some(true) {
        let usage = body
            .pointer("/stream_options/include_usage")
            .and_then(Value::as_bool)
            == Some(true);
        return sse(&model, &message, finish, usage);
    }
    Json(json!({
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": null}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }))
    .into_response()
}

/// Splits `text` into small pieces the way a model streams tokens.
fn pieces(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(7).map(|c| c.iter().collect()).collect()
}

/// The same turn as server-sent `chat.completion.chunk` events, ending with `[DONE]`.
fn sse(model: &str, message: &Value, finish: &str, usage: bool) -> Response {
    let chunk = |delta: Value, finish: Option<&str>| {
        json!({"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": 0, "model": model,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": null}]})
    };
    let mut events = vec![chunk(json!({"role": "assistant", "content": ""}), None)];
    if let Some(text) = message.get("content").and_then(Value::as_str) {
        events.extend(
            pieces(text)
                .into_iter()
                .map(|p| chunk(json!({"content": p}), None)),
        );
    }
    for (i, call) in message["tool_calls"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        events.push(chunk(
            json!({"tool_calls": [{"index": i, "id": call["id"], "type": "function",
                   "function": {"name": call["function"]["name"], "arguments": ""}}]}),
            None,
        ));
        let args = call["function"]["arguments"].as_str().unwrap_or("{}");
        events.extend(pieces(args).into_iter().map(|p| {
            chunk(
                json!({"tool_calls": [{"index": i, "function": {"arguments": p}}]}),
                None,
            )
        }));
    }
    events.push(chunk(json!({}), Some(finish)));
    if usage {
        events.push(json!({"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": 0, "model": model, "choices": [],
                           "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}));
    }
    let mut body: String = events.iter().map(|e| format!("data: {e}\n\n")).collect();
    body.push_str("data: [DONE]\n\n");
    (
        [
            ("content-type", "text/event-stream"),
            ("cache-control", "no-cache"),
        ],
        body,
    )
        .into_response()
}
