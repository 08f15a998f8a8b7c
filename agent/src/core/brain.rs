//! The interface of whatever answers in a chat: the session loop asks a [`Brain`] for the
//! next turn and does not know whether a model, the offline planner or a replay answers.

use std::future::Future;
use std::pin::Pin;

use crate::protocol::{Message, ModelTurn, ToolSpec};

/// Why a brain could not answer.
#[derive(Debug, thiserror::Error)]
pub enum BrainError {
    /// The model could not be reached or refused (the endpoint's own error, which says what
    /// to do).
    #[error(transparent)]
    Model(Box<dyn std::error::Error + Send + Sync>),
    /// A replayed session asked for a model turn its transcript does not have.
    #[error(
        "the transcript has no model turn left: the session now takes a different path than when it was recorded"
    )]
    TranscriptExhausted,
}

/// The boxed future of one turn.
pub type BrainTurn<'a> = Pin<Box<dyn Future<Output = Result<ModelTurn, BrainError>> + Send + 'a>>;

/// Something that reads the conversation and answers with text or tool calls.
pub trait Brain: Send + Sync {
    /// Its name, for the person (`/model`).
    fn name(&self) -> &str;
    /// One turn; `on_text` sees the answer's text as it is produced.
    fn turn<'a>(
        &'a self,
        messages: &'a [Message],
        tools: &'a [ToolSpec],
        on_text: &'a mut (dyn FnMut(&str) + Send),
    ) -> BrainTurn<'a>;
}
