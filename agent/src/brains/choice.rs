//! Which brain answers: the model at an OpenAI-compatible endpoint (through the tool shim
//! when it has no function calling), or the offline planner without a key or with
//! `--offline`. `chat` and `eval` choose the same way.

use std::time::Duration;

use crate::brains::native_or_shim::NativeOrShim;
use crate::brains::openai::{Model, ModelConfig, ModelError};
use crate::brains::planner::OfflinePlanner;
use crate::brains::tool_shim::ToolShim;
use crate::core::brain::Brain;
use crate::core::playbook::Playbook;
use crate::ops::settings::ChatConfig;

/// What a command's flags say about the brain; `None` and `false` leave it to the
/// environment, the settings file and the defaults.
#[derive(Debug, Clone, Default)]
pub struct BrainFlags {
    /// `--model`.
    pub model: Option<String>,
    /// `--max-model-calls`.
    pub max_model_calls: Option<u32>,
    /// `--timeout-secs`.
    pub timeout_secs: Option<u64>,
    /// `--offline`.
    pub offline: bool,
    /// `--tool-shim`.
    pub tool_shim: bool,
    /// `--context-tokens`.
    pub context_tokens: Option<u64>,
}

/// What chooses the brain: the model endpoint and name, and the flags that override it.
#[derive(Debug, Clone, PartialEq)]
pub struct BrainSettings {
    /// API key, if any.
    pub api_key: Option<String>,
    /// Endpoint.
    pub base_url: Option<String>,
    /// Model name.
    pub model: String,
    /// Model calls per turn.
    pub max_model_calls: u32,
    /// Request timeout.
    pub timeout_secs: u64,
    /// `--offline`: the planner answers whatever is configured.
    pub offline: bool,
    /// `--tool-shim`: the model has no native function calling.
    pub tool_shim: bool,
    /// The model's context window, in tokens: the history kept and the share one tool
    /// result may take are sized from it.
    pub context_tokens: u64,
}

/// The context window assumed when nobody says: what today's hosted models give at least.
pub const DEFAULT_CONTEXT_TOKENS: u64 = 50_000;

/// Characters per token, roughly, for English and JSON.
const CHARS_PER_TOKEN: u64 = 4;

/// The share of the context window one tool result may take (the rest is the system
/// prompt, tool schemas, history and the answer).
const RESULT_SHARE: u64 = 10;

impl BrainSettings {
    /// Flags first, then the environment (`OPENAI_API_KEY`, `OPENAI_BASE_URL`; `env` reads
    /// it), then the settings file, then the defaults: the one resolution every command uses.
    pub fn resolve(
        flags: &BrainFlags,
        file: &ChatConfig,
        env: impl Fn(&str) -> Option<String>,
    ) -> Self {
        let env = |k: &str| env(k).filter(|v| !v.is_empty());
        Self {
            api_key: env("OPENAI_API_KEY").or_else(|| file.api_key.clone()),
            base_url: env("OPENAI_BASE_URL").or_else(|| file.base_url.clone()),
            model: flags
                .model
                .clone()
                .or_else(|| file.model.clone())
                .unwrap_or_else(|| "gpt-4o-mini".into()),
            max_model_calls: flags.max_model_calls.or(file.max_model_calls).unwrap_or(20),
            timeout_secs: flags.timeout_secs.or(file.timeout_secs).unwrap_or(120),
            offline: flags.offline,
            tool_shim: flags.tool_shim || file.tool_shim.unwrap_or(false),
            context_tokens: flags
                .context_tokens
                .or_else(|| {
                    let model = flags.model.as_ref().or(file.model.as_ref())?;
                    file.model_context_tokens.get(model).copied()
                })
                .or(file.context_tokens)
                .unwrap_or(DEFAULT_CONTEXT_TOKENS)
                .max(1_000),
        }
    }

    /// The characters of history the session keeps.
    pub fn context_chars(&self) -> usize {
        usize::try_from(self.context_tokens.saturating_mul(CHARS_PER_TOKEN)).unwrap_or(usize::MAX)
    }

    /// The characters one tool result may take before it is cut and kept for search_result.
    pub fn result_budget(&self) -> usize {
        self.context_chars() / RESULT_SHARE as usize
    }

    /// The endpoint's client settings; without a key, a placeholder (local servers take any).
    pub fn model_config(&self, attempts: u32) -> ModelConfig {
        ModelConfig {
            api_key: self.api_key.clone().unwrap_or_else(|| "no-key".into()),
            base_url: self.base_url.clone(),
            model: self.model.clone(),
            request_timeout: Duration::from_secs(self.timeout_secs),
            attempts,
        }
    }

    /// Whether the offline planner answers.
    pub fn offline_planner(&self) -> bool {
        self.offline || self.api_key.is_none()
    }

    /// Who answers, for reports.
    pub fn describe(&self) -> String {
        if self.offline_planner() {
            "offline planner".into()
        } else {
            format!("model {}", self.model)
        }
    }
}

/// The model, or without an API key the offline planner (which knows `playbooks`).
pub fn choose(s: &BrainSettings, playbooks: &[Playbook]) -> Result<Box<dyn Brain>, ModelError> {
    if s.offline_planner() {
        return Ok(Box::new(OfflinePlanner::with_playbooks(playbooks.to_vec())));
    }
    let model = Model::new(s.model_config(3))?;
    Ok(if s.tool_shim {
        Box::new(ToolShim::new(Box::new(model)))
    } else {
        Box::new(NativeOrShim::new(model))
    })
}
