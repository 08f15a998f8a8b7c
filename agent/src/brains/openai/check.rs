//! `todo-ops model check`: what an OpenAI-compatible endpoint can do, found by asking it —
//! the models it lists (and the context size where it says), whether it calls a tool
//! natively when streaming and when not, and whether it reports token usage.

use serde::Serialize;
use serde_json::{Value, json};

use super::{Model, ModelConfig, ModelError, endpoint};
use crate::protocol::{Message, ModelTurn, ToolSpec};

/// How one probe went.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Probe {
    /// The model called the tool.
    CalledTool,
    /// The model answered in text instead.
    Answered {
        /// The start of its answer.
        text: String,
    },
    /// The server refused or failed.
    Failed {
        /// Why.
        error: String,
    },
}

/// What the endpoint can do.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// The endpoint.
    pub endpoint: String,
    /// The model asked for.
    pub model: String,
    /// The models the server lists, or why it could not list them.
    pub models: Result<Vec<String>, String>,
    /// The context window the server states for the model, in tokens.
    pub context_tokens: Option<u64>,
    /// A tool call, streamed.
    pub streamed_tools: Probe,
    /// A tool call, as one whole answer.
    pub whole_tools: Probe,
    /// Whether the server reported token usage.
    pub usage_reported: bool,
}

impl CheckReport {
    /// Whether tools work natively in some mode.
    pub fn tools_work(&self) -> bool {
        self.streamed_tools == Probe::CalledTool || self.whole_tools == Probe::CalledTool
    }

    /// Whether the server could be reached at all.
    pub fn reachable(&self) -> bool {
        self.models.is_ok()
            || !matches!(self.streamed_tools, Probe::Failed { .. })
            || !matches!(self.whole_tools, Probe::Failed { .. })
    }

    /// The mode to chat in.
    pub fn advice(&self) -> &'static str {
        match (&self.streamed_tools, &self.whole_tools) {
            (Probe::CalledTool, _) => "native tool calls, streamed: `todo-ops chat` as is",
            (_, Probe::CalledTool) => {
                "native tool calls as whole answers: `todo-ops chat` switches to them by itself after the first refusal"
            }
            _ if !self.reachable() => {
                "the endpoint did not answer: check OPENAI_BASE_URL and that the server is up"
            }
            _ => "no native tool calls: use `todo-ops chat --tool-shim`",
        }
    }

    /// The report for a person.
    pub fn render(&self) -> String {
        let probe = |p: &Probe| match p {
            Probe::CalledTool => "yes".to_string(),
            Probe::Answered { text } => format!("no (answered in text: {text:?})"),
            Probe::Failed { error } => format!("no ({error})"),
        };
        let models = match &self.models {
            Ok(m) if m.is_empty() => "none listed".to_string(),
            Ok(m) => m.join(", "),
            Err(e) => format!("not listed ({e})"),
        };
        let listed = match &self.models {
            Ok(m) if !m.is_empty() && !m.contains(&self.model) => {
                format!(
                    "\n  note: {:?} is not among them (some servers answer with whatever they loaded)",
                    self.model
                )
            }
            _ => String::new(),
        };
        format!(
            "endpoint: {}\nmodel: {}\nmodels: {models}{listed}\ncontext window: {}\ntool calls, streamed: {}\ntool calls, whole answer: {}\ntoken usage reported: {}\n=> {}\n",
            self.endpoint,
            self.model,
            self.context_tokens
                .map_or("not stated".to_string(), |n| format!("{n} tokens")),
            probe(&self.streamed_tools),
            probe(&self.whole_tools),
            if self.usage_reported {
                "yes"
            } else {
                "no (counts are estimated)"
            },
            self.advice()
        )
    }
}

/// The one tool offered: nothing to do but be called.
fn ping() -> ToolSpec {
    ToolSpec {
        name: "ping".into(),
        description: "Check that tools work. Call it when asked to.".into(),
        parameters: json!({"type": "object", "properties": {}}),
    }
}

/// Asks the endpoint of `cfg` what it can do.
pub async fn check(cfg: &ModelConfig) -> Result<CheckReport, ModelError> {
    let model = Model::new(ModelConfig {
        attempts: 1,
        ..cfg.clone()
    })?;
    let (models, context_tokens) = list_models(&model).await;
    let ask = [
        Message::System {
            content: "You are a test. Use the tools you are given.".into(),
        },
        Message::user("Call the ping tool now."),
    ];
    let tools = [ping()];
    let mut usage_reported = false;
    let mut outcome = |r: Result<ModelTurn, ModelError>| match r {
        Ok(t) => {
            usage_reported |= t.usage.is_some() && !t.usage_estimated;
            if t.tool_calls.iter().any(|c| c.name == "ping") {
                Probe::CalledTool
            } else {
                Probe::Answered {
                    text: t.text.chars().take(80).collect(),
                }
            }
        }
        Err(e) => Probe::Failed {
            error: e.to_string(),
        },
    };
    let streamed_tools = outcome(model.probe(&ask, &tools, true).await);
    let whole_tools = outcome(model.probe(&ask, &tools, false).await);
    Ok(CheckReport {
        endpoint: endpoint(cfg),
        model: cfg.model.clone(),
        models,
        context_tokens,
        streamed_tools,
        whole_tools,
        usage_reported,
    })
}

/// `GET /models`: the ids, and the context size of `cfg.model` where the server states it
/// (vLLM's `max_model_len`, llama.cpp's `meta.n_ctx_train`, others' `context_length`).
async fn list_models(model: &Model) -> (Result<Vec<String>, String>, Option<u64>) {
    let cfg = &model.cfg;
    let url = format!("{}/models", endpoint(cfg).trim_end_matches('/'));
    let http = &model.http;
    let body: Value = match http.get(&url).bearer_auth(&cfg.api_key).send().await {
        Ok(r) if r.status().is_success() => match r.json().await {
            Ok(v) => v,
            Err(e) => return (Err(format!("{url} sent no model list: {e}")), None),
        },
        Ok(r) => return (Err(format!("{url} answered {}", r.status())), None),
        Err(e) => return (Err(format!("{url}: {e}")), None),
    };
    let data = body["data"].as_array().cloned().unwrap_or_default();
    let ids = data
        .iter()
        .filter_map(|m| m["id"].as_str().map(str::to_string))
        .collect();
    let context = data
        .iter()
        .find(|m| m["id"] == cfg.model.as_str())
        .or(data.first())
        .and_then(|m| {
            m["max_model_len"]
                .as_u64()
                .or(m["meta"]["n_ctx_train"].as_u64())
                .or(m["context_length"].as_u64())
        });
    (Ok(ids), context)
}
