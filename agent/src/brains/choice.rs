//! Which brain answers: the model at an OpenAI-compatible endpoint (through the tool shim
//! when it has no function calling), or the offline planner without a key or with
//! `--offline`. `chat` and `eval` choose the same way.

use std::time::Duration;

use crate::brains::openai::{Model, ModelConfig, ModelError};
use crate::brains::planner::OfflinePlanner;
use crate::brains::tool_shim::ToolShim;
use crate::core::brain::Brain;
use crate::core::playbook::Playbook;

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
}

impl BrainSettings {
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
    let Some(api_key) = s.api_key.clone().filter(|_| !s.offline) else {
        return Ok(Box::new(OfflinePlanner::with_playbooks(playbooks.to_vec())));
    };
    let model = Box::new(Model::new(ModelConfig {
        api_key,
        base_url: s.base_url.clone(),
        model: s.model.clone(),
        request_timeout: Duration::from_secs(s.timeout_secs),
        attempts: 3,
    })?);
    Ok(if s.tool_shim {
        Box::new(ToolShim::new(model))
    } else {
        model
    })
}
