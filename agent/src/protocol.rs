//! The agent's own conversation types: messages, tool calls and results, and the one event
//! stream of a session. Plain and serialisable, they depend on neither the gate nor any
//! provider SDK; the model adapter translates them, and every front end (terminal, REPL,
//! one-shot, MCP, eval, replay, the transcript file) consumes the same [`Event`]s.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A tool call as the model sends it (arguments are JSON text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The model's id for the call, echoed in the reply.
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// The arguments, as JSON text.
    pub arguments: String,
}

/// How a call ended, for the person's display and the transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    /// It ran.
    Done,
    /// The person said no.
    Declined,
    /// The policy refused it.
    Forbidden,
    /// Bad arguments or a missing object; the model may correct and retry.
    Failed,
}

/// What the person sees before saying yes or no.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangePreview {
    /// The tool.
    pub tool: String,
    /// Its arguments.
    pub arguments: Value,
    /// The kubeconfig context it acts in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// For a Helm upgrade: the values diff.
    pub values_diff: Option<String>,
    /// For a Helm upgrade: the rendered-manifest diff.
    pub manifest_diff: Option<String>,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Message {
    /// The working rules and what the session knows.
    System {
        /// The text.
        content: String,
    },
    /// What the person asked.
    User {
        /// The text.
        content: String,
    },
    /// What the model answered: text, tool calls, or both.
    Assistant {
        /// The text (empty when the model only called tools).
        content: String,
        /// The calls, in the model's order.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<ToolCall>,
    },
    /// What a tool call returned.
    Tool {
        /// The call answered.
        tool_call_id: String,
        /// The text the model reads.
        content: String,
        /// The typed result, for brains that read structure (never sent to a model).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        data: Option<Value>,
    },
}

impl Message {
    /// A person's message.
    pub fn user(text: impl Into<String>) -> Self {
        Self::User {
            content: text.into(),
        }
    }

    /// A model answer without tool calls.
    pub fn answer(text: impl Into<String>) -> Self {
        Self::Assistant {
            content: text.into(),
            tool_calls: Vec::new(),
        }
    }
}

/// A tool as the model is told about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    /// Its name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// The JSON Schema of its arguments.
    pub parameters: Value,
}

/// What one model turn produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelTurn {
    /// The streamed text.
    pub text: String,
    /// Tool calls, in the model's order.
    pub tool_calls: Vec<ToolCall>,
    /// Prompt and completion tokens, as the server reports them or estimated.
    pub usage: Option<(u32, u32)>,
    /// Whether `usage` is an estimate (the server reported none).
    pub usage_estimated: bool,
}

/// Something that happened in a session, in order, already redacted. A transcript file is
/// this stream with the passing events ([`Event::is_durable`] false) left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// The person's prompt, starting a turn.
    Input {
        /// The prompt.
        text: String,
    },
    /// A piece of the model's answer as it streams.
    TextDelta {
        /// The text.
        text: String,
    },
    /// One model answer: text and the tool calls it asked for.
    ModelTurn {
        /// The text.
        text: String,
        /// The calls, in order.
        tool_calls: Vec<ToolCall>,
    },
    /// A tool call is about to go through the gate.
    ToolCallStarted {
        /// The call.
        call: ToolCall,
    },
    /// The person's answer to a change.
    Confirmation {
        /// The tool.
        tool: String,
        /// Its arguments.
        arguments: Value,
        /// Whether it was applied.
        approved: bool,
    },
    /// What a tool call returned.
    ToolResult {
        /// The call's id.
        call_id: String,
        /// The tool.
        name: String,
        /// How it ended.
        status: CallStatus,
        /// What the model read.
        content: String,
        /// The typed result, when it ran.
        data: Option<Value>,
    },
    /// The turn is over.
    TurnFinished {
        /// The model's final answer.
        answer: String,
        /// Why the turn ended.
        reason: TurnEnd,
        /// Model calls made in the turn.
        model_calls: u32,
        /// Prompt and completion tokens, reported or estimated.
        tokens: (u32, u32),
        /// Whether any of `tokens` is an estimate (a server that reports no usage).
        #[serde(default)]
        tokens_estimated: bool,
    },
}

impl Event {
    /// Whether the event belongs in a transcript: what was asked, answered, approved and
    /// returned. Streamed text, call starts and turn ends can be told from those.
    pub fn is_durable(&self) -> bool {
        matches!(
            self,
            Self::Input { .. }
                | Self::ModelTurn { .. }
                | Self::Confirmation { .. }
                | Self::ToolResult { .. }
        )
    }
}

/// Why a turn ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TurnEnd {
    /// The model answered.
    Answered,
    /// The bound on model calls per turn was reached.
    ModelCallLimit,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durable_events_keep_the_transcript_format() {
        let e = Event::ToolResult {
            call_id: "c1".into(),
            name: "pods".into(),
            status: CallStatus::Done,
            content: "ok".into(),
            data: None,
        };
        let line = serde_json::to_string(&e).unwrap();
        assert!(line.starts_with(r#"{"kind":"tool_result""#), "{line}");
        assert_eq!(serde_json::from_str::<Event>(&line).unwrap(), e);
        assert!(!Event::TextDelta { text: "x".into() }.is_durable());
    }
}
