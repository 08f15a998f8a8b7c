//! What answers in a chat: a model behind an OpenAI-compatible endpoint, or the offline
//! planner. The session loop does not know which.

use std::future::Future;
use std::pin::Pin;

use async_openai::types::chat::{ChatCompletionRequestMessage, ChatCompletionTools};

use crate::model::{Model, ModelError, ModelTurn};

/// The boxed future of one turn.
pub type BrainTurn<'a> = Pin<Box<dyn Future<Output = Result<ModelTurn, ModelError>> + Send + 'a>>;

/// Something that reads the conversation and answers with text or tool calls.
pub trait Brain: Send + Sync {
    /// Its name, for the person (`/model`).
    fn name(&self) -> &str;
    /// One turn; `on_text` sees the answer's text as it is produced.
    fn turn<'a>(
        &'a self,
        messages: &'a [ChatCompletionRequestMessage],
        tools: &'a [ChatCompletionTools],
        on_text: &'a mut (dyn FnMut(&str) + Send),
    ) -> BrainTurn<'a>;
}

impl Brain for Model {
    fn name(&self) -> &str {
        Model::name(self)
    }
    fn turn<'a>(
        &'a self,
        messages: &'a [ChatCompletionRequestMessage],
        tools: &'a [ChatCompletionTools],
        on_text: &'a mut (dyn FnMut(&str) + Send),
    ) -> BrainTurn<'a> {
        Box::pin(Model::turn(self, messages, tools, on_text))
    }
}
