//! What flows between a chat front end (REPL, one-shot, MCP, replay) and the agent loop:
//! plain serialisable events, so every client renders the same turn the same way.

use serde::Serialize;

use crate::dispatch::{CallStatus, ToolCall};

/// Something that happened in a turn, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A piece of the model's answer as it streams.
    TextDelta {
        /// The text.
        text: String,
    },
    /// The model asked for a tool.
    ToolCallStarted {
        /// The call.
        call: ToolCall,
    },
    /// A tool call ended.
    ToolCallFinished {
        /// The call's id.
        call_id: String,
        /// The tool.
        name: String,
        /// How it ended.
        status: CallStatus,
        /// The first line of what the model was told.
        summary: String,
    },
    /// The turn is over.
    TurnFinished {
        /// The model's final answer.
        answer: String,
        /// Why the turn ended.
        reason: TurnEnd,
        /// Model calls made in the turn.
        model_calls: u32,
        /// Prompt and completion tokens, where reported.
        tokens: (u32, u32),
    },
}

/// Why a turn ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TurnEnd {
    /// The model answered.
    Answered,
    /// The bound on model calls per turn was reached.
    ModelCallLimit,
}
