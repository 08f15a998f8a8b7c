//! The session's conversation as messages: building them, restoring a saved one, folding
//! it up (`/compact`), and the confirmation wrapper that records the person's answers.

use async_openai::types::chat::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCalls,
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestAssistantMessageContent,
    ChatCompletionRequestMessage, ChatCompletionRequestToolMessage,
    ChatCompletionRequestToolMessageContent, ChatCompletionRequestUserMessage,
    ChatCompletionRequestUserMessageContent, FunctionCall,
};

use super::Session;
use crate::dispatch::{ChangePreview, Confirm};
use crate::transcript::{Entry, Observer};

impl Session {
    /// Continues a saved conversation: its prompts, the model's turns and the tool results
    /// become this session's history (as saved, so already redacted).
    pub fn restore(&mut self, entries: &[Entry]) {
        self.history.clear();
        for e in entries {
            match e {
                Entry::Input { text } => self.history.push(user(text)),
                Entry::ModelTurn { text, tool_calls } => {
                    let calls = (!tool_calls.is_empty()).then(|| {
                        tool_calls
                            .iter()
                            .map(|c| {
                                ChatCompletionMessageToolCalls::Function(
                                    ChatCompletionMessageToolCall {
                                        id: c.id.clone(),
                                        function: FunctionCall {
                                            name: c.name.clone(),
                                            arguments: c.arguments.clone(),
                                        },
                                    },
                                )
                            })
                            .collect()
                    });
                    let text = (!text.is_empty()).then(|| text.clone());
                    self.history.push(assistant(text, calls));
                }
                Entry::ToolResult {
                    call_id, content, ..
                } => self.history.push(ChatCompletionRequestMessage::Tool(
                    ChatCompletionRequestToolMessage {
                        content: ChatCompletionRequestToolMessageContent::Text(content.clone()),
                        tool_call_id: call_id.clone(),
                    },
                )),
                Entry::Confirmation { .. } => {}
            }
            // The session being recorded now holds the whole conversation too.
            self.observe(e.clone());
        }
        self.turn_start = self.history.len();
    }

    /// Folds the conversation so far into a few lines that stay in the system prompt, so a
    /// long session goes on with a small context (`/compact`); returns those lines.
    pub fn compact(&mut self) -> String {
        let summary = crate::context::compact(&self.history);
        if !summary.is_empty() {
            self.earlier.push(summary.clone());
        }
        self.history.clear();
        self.turn_start = 0;
        summary
    }
}

/// Passes the person's answer through and tells the observer what it was.
pub(super) struct ObservedConfirm<'a> {
    pub(super) inner: &'a dyn Confirm,
    pub(super) observer: Option<&'a dyn Observer>,
}

impl Confirm for ObservedConfirm<'_> {
    fn confirm<'a>(
        &'a self,
        preview: &'a ChangePreview,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + 'a>> {
        Box::pin(async move {
            let approved = self.inner.confirm(preview).await;
            if let Some(o) = self.observer {
                o.observe(&Entry::Confirmation {
                    tool: preview.tool.clone(),
                    arguments: preview.arguments.clone(),
                    approved,
                });
            }
            approved
        })
    }
}

pub(super) fn user(text: &str) -> ChatCompletionRequestMessage {
    ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage {
        content: ChatCompletionRequestUserMessageContent::Text(text.to_string()),
        name: None,
    })
}

#[allow(deprecated)]
pub(super) fn assistant(
    content: Option<String>,
    tool_calls: Option<Vec<ChatCompletionMessageToolCalls>>,
) -> ChatCompletionRequestMessage {
    ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage {
        content: content.map(ChatCompletionRequestAssistantMessageContent::Text),
        refusal: None,
        name: None,
        audio: None,
        tool_calls,
        function_call: None,
    })
}
