//! The session's conversation as messages: restoring a saved one, folding it up
//! (`/compact`), and the one event stream every consumer of a turn reads.

use std::sync::{Arc, Mutex};

use super::Session;
use crate::core::dispatch::Confirm;
use crate::core::transcript::Observer;
use crate::protocol::ChangePreview;
use crate::protocol::{Event, Message};

impl Session {
    /// Continues a saved conversation: its prompts, the model's turns and the tool results
    /// become this session's history (as saved, so already redacted).
    pub fn restore(&mut self, events: &[Event]) {
        self.history.clear();
        for e in events {
            match e {
                Event::Input { text } => self.history.push(Message::user(text.clone())),
                Event::ModelTurn { text, tool_calls } => self.history.push(Message::Assistant {
                    content: text.clone(),
                    tool_calls: tool_calls.clone(),
                }),
                Event::ToolResult {
                    call_id,
                    content,
                    data,
                    ..
                } => self.history.push(Message::Tool {
                    tool_call_id: call_id.clone(),
                    content: content.clone(),
                    data: data.clone(),
                }),
                _ => {}
            }
            // The session being recorded now holds the whole conversation too.
            self.observe(e.clone());
        }
        self.turn_start = self.history.len();
    }

    /// Folds the conversation so far into a few lines that stay in the system prompt, so a
    /// long session goes on with a small context (`/compact`); returns those lines.
    pub fn compact(&mut self) -> String {
        let summary = crate::core::context_window::compact(&self.history);
        if !summary.is_empty() {
            self.earlier.push(summary.clone());
        }
        self.history.clear();
        self.turn_start = 0;
        summary
    }
}

/// The turn's one event stream: every event goes, in order, to the session's observers
/// (recorder, replay checker) and to the front end's handler.
pub(super) struct Emitter<'a> {
    observer: Option<Arc<dyn Observer>>,
    on_event: Mutex<&'a mut (dyn FnMut(Event) + Send)>,
}

impl<'a> Emitter<'a> {
    pub(super) fn new(
        observer: Option<Arc<dyn Observer>>,
        on_event: &'a mut (dyn FnMut(Event) + Send),
    ) -> Self {
        Self {
            observer,
            on_event: Mutex::new(on_event),
        }
    }

    /// Sends one (already redacted) event to everyone.
    pub(super) fn send(&self, event: Event) {
        if let Some(o) = &self.observer {
            o.observe(&event);
        }
        // A handler that panicked once still gets later events.
        let mut handler = self.on_event.lock().unwrap_or_else(|p| p.into_inner());
        (*handler)(event);
    }
}

/// Passes the person's answer through and puts it in the event stream.
pub(super) struct ObservedConfirm<'a, 'e> {
    pub(super) inner: &'a dyn Confirm,
    pub(super) emit: &'a Emitter<'e>,
}

impl Confirm for ObservedConfirm<'_, '_> {
    fn confirm<'a>(
        &'a self,
        preview: &'a ChangePreview,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + 'a>> {
        Box::pin(async move {
            let approved = self.inner.confirm(preview).await;
            self.emit.send(Event::Confirmation {
                tool: preview.tool.clone(),
                arguments: preview.arguments.clone(),
                approved,
            });
            approved
        })
    }
}
