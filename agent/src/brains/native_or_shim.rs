//! The model with native tool calls until its server refuses tools whatever the request
//! shape (vLLM without `--enable-auto-tool-choice`, servers without tool support), then the
//! tool shim over the same model for the rest of the session. `--tool-shim` starts there.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::brains::openai::{Model, ModelError};
use crate::brains::tool_shim::ToolShim;
use crate::core::brain::{Brain, BrainError, BrainTurn};
use crate::protocol::{Message, ToolSpec};

/// One model shared by the native path and the shim.
struct Shared(Arc<Model>);

impl Brain for Shared {
    fn name(&self) -> &str {
        self.0.name()
    }

    fn turn<'a>(
        &'a self,
        messages: &'a [Message],
        tools: &'a [ToolSpec],
        on_text: &'a mut (dyn FnMut(&str) + Send),
    ) -> BrainTurn<'a> {
        Brain::turn(self.0.as_ref(), messages, tools, on_text)
    }
}

/// Native tools first, the shim once the server has refused them.
pub struct NativeOrShim {
    model: Arc<Model>,
    shim: ToolShim,
    shimmed: AtomicBool,
}

impl NativeOrShim {
    /// Wraps `model`.
    pub fn new(model: Model) -> Self {
        let model = Arc::new(model);
        Self {
            shim: ToolShim::new(Box::new(Shared(model.clone()))),
            model,
            shimmed: AtomicBool::new(false),
        }
    }
}

impl Brain for NativeOrShim {
    fn name(&self) -> &str {
        if self.shimmed.load(Ordering::Relaxed) {
            self.shim.name()
        } else {
            self.model.name()
        }
    }

    fn turn<'a>(
        &'a self,
        messages: &'a [Message],
        tools: &'a [ToolSpec],
        on_text: &'a mut (dyn FnMut(&str) + Send),
    ) -> BrainTurn<'a> {
        Box::pin(async move {
            if !self.shimmed.load(Ordering::Relaxed) {
                match self.model.turn(messages, tools, on_text).await {
                    Err(e @ ModelError::ToolsRefused { .. }) if !tools.is_empty() => {
                        tracing::warn!("{e}; using the tool shim from now on");
                        self.shimmed.store(true, Ordering::Relaxed);
                    }
                    other => return other.map_err(BrainError::from),
                }
            }
            self.shim.turn(messages, tools, on_text).await
        })
    }
}
