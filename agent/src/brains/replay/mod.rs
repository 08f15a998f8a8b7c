//! `todo-ops replay`: runs a recorded session again against the current cluster. The
//! model's turns and the person's answers come from the transcript; every tool really runs,
//! and its result must still show what the recording showed (see [`shape`]).

pub mod shape;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;

use crate::core::brain::{Brain, BrainError, BrainTurn};
use crate::core::dispatch::Confirm;
use crate::core::session::{Session, TurnError};
use crate::core::transcript::Observer;
use crate::protocol::ChangePreview;
use crate::protocol::{CallStatus, Event, Message, ModelTurn, ToolSpec};

/// A tool result that no longer matches the recording.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// Which tool result (1-based, in session order).
    pub step: usize,
    /// The tool.
    pub tool: String,
    /// What differs, as a unified diff of the comparable forms (or a sentence).
    pub diff: String,
}

/// How a replay went.
#[derive(Debug, Default)]
pub struct ReplayReport {
    /// Tool results compared.
    pub checked: usize,
    /// The ones that differ, and paths the session no longer takes.
    pub mismatches: Vec<Mismatch>,
}

impl ReplayReport {
    /// Whether everything still holds.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }

    /// The person's summary, with each difference spelled out.
    pub fn render(&self, source: &str) -> String {
        if self.passed() {
            return format!(
                "replay of {source}: passed, {} tool results still hold\n",
                self.checked
            );
        }
        let mut out = format!(
            "replay of {source}: FAILED, {} of {} tool results differ from the recording\n",
            self.mismatches.len(),
            self.checked
        );
        for m in &self.mismatches {
            out.push_str(&format!(
                "\n#{} {}:\n{}\n",
                m.step,
                m.tool,
                m.diff.trim_end()
            ));
        }
        out
    }
}

#[derive(Default)]
struct State {
    turns: VecDeque<ModelTurn>,
    results: VecDeque<Event>,
    aliases: Vec<(String, String)>,
    report: ReplayReport,
}

/// A transcript being replayed: its brain, its person and its checker share one state.
#[derive(Clone)]
pub struct Replay {
    state: Arc<Mutex<State>>,
    inputs: Vec<String>,
}

impl Replay {
    /// Splits a transcript into what drives the session and what it must show.
    pub fn new(entries: Vec<Event>) -> Self {
        let mut state = State::default();
        let mut inputs = Vec::new();
        for e in entries {
            match e {
                Event::Input { text } => inputs.push(text),
                Event::ModelTurn { text, tool_calls } => state.turns.push_back(ModelTurn {
                    text,
                    tool_calls,
                    ..Default::default()
                }),
                result @ Event::ToolResult { .. } => state.results.push_back(result),
                _ => {}
            }
        }
        Self {
            state: Arc::new(Mutex::new(state)),
            inputs,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere must not hide the report.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs every recorded input through `session` (built with [`Replay::brain`]).
    pub async fn run(
        &self,
        session: &mut Session,
        on_event: &mut (dyn FnMut(Event) + Send),
    ) -> Result<ReplayReport, TurnError> {
        session.add_observer(Arc::new(self.clone()));
        for input in &self.inputs {
            match session.turn(input, self, on_event).await {
                Ok(_) => {}
                Err(TurnError::Brain(BrainError::TranscriptExhausted)) => {
                    let mut s = self.state();
                    let step = s.report.checked + 1;
                    s.report.mismatches.push(Mismatch {
                        step,
                        tool: "(model)".into(),
                        diff: "the session needed another model turn than the transcript has"
                            .into(),
                    });
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        let mut s = self.state();
        let left = s.results.len();
        if left > 0 {
            let step = s.report.checked + 1;
            s.report.mismatches.push(Mismatch {
                step,
                tool: "(session)".into(),
                diff: format!(
                    "{left} recorded tool results were never reached: the session ended earlier"
                ),
            });
        }
        Ok(std::mem::take(&mut s.report))
    }

    /// The model stand-in: answers with the recorded turns, in order.
    pub fn brain(&self) -> Box<dyn Brain> {
        Box::new(self.clone())
    }

    fn check(&self, name: &str, status: &CallStatus, content: &str, data: Option<&Value>) {
        let mut s = self.state();
        s.report.checked += 1;
        let step = s.report.checked;
        let Some(Event::ToolResult {
            name: was_name,
            status: was_status,
            content: was_content,
            data: was_data,
            ..
        }) = s.results.pop_front()
        else {
            s.report.mismatches.push(Mismatch {
                step,
                tool: name.into(),
                diff: "the recording has no result for this call".into(),
            });
            return;
        };
        let mut problems = Vec::new();
        if was_name != name {
            problems.push(format!("recorded a call of {was_name}, now {name}"));
        }
        if &was_status != status {
            problems.push(format!("status was {was_status:?}, now {status:?}"));
        }
        match (&was_data, data) {
            (Some(was), Some(now)) => {
                if shape::holds(name, was, now) {
                    let mut aliases = std::mem::take(&mut s.aliases);
                    shape::learn_aliases(was, now, &mut aliases);
                    s.aliases = aliases;
                } else {
                    problems.push(todo_ops_tools::tools::diff_values::json_diff(
                        &shape::normalize(was),
                        &shape::normalize(now),
                        ("recorded", "now"),
                    ));
                }
            }
            _ if shape::mask(&was_content) != shape::mask(content) => problems.push(format!(
                "the model was told:\n  {}\nnow:\n  {}",
                was_content.trim_end(),
                content.trim_end()
            )),
            _ => {}
        }
        if !problems.is_empty() {
            s.report.mismatches.push(Mismatch {
                step,
                tool: name.into(),
                diff: problems.join("\n"),
            });
        }
    }
}

impl Observer for Replay {
    fn observe(&self, event: &Event) {
        if let Event::ToolResult {
            name,
            status,
            content,
            data,
            ..
        } = event
        {
            self.check(name, status, content, data.as_ref());
        }
    }
}

impl Brain for Replay {
    fn name(&self) -> &str {
        "transcript replay"
    }

    fn turn<'a>(
        &'a self,
        _messages: &'a [Message],
        _tools: &'a [ToolSpec],
        on_text: &'a mut (dyn FnMut(&str) + Send),
    ) -> BrainTurn<'a> {
        Box::pin(async move {
            let mut turn = {
                let mut s = self.state();
                let Some(turn) = s.turns.pop_front() else {
                    return Err(BrainError::TranscriptExhausted);
                };
                turn
            };
            let s = self.state();
            for call in &mut turn.tool_calls {
                call.arguments = shape::apply_aliases(&call.arguments, &s.aliases);
            }
            drop(s);
            if !turn.text.is_empty() {
                on_text(&turn.text);
            }
            Ok(turn)
        })
    }
}

/// The person's recorded answer: a change was approved when its recorded result is not a
/// decline (sessions recorded with --yes have no confirmations and replay the same way).
impl Confirm for Replay {
    fn confirm<'a>(
        &'a self,
        preview: &'a ChangePreview,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + 'a>> {
        Box::pin(async move {
            let mut s = self.state();
            match s.results.front() {
                Some(Event::ToolResult { name, status, .. }) if *name == preview.tool => {
                    *status != CallStatus::Declined
                }
                _ => {
                    let step = s.report.checked + 1;
                    s.report.mismatches.push(Mismatch {
                        step,
                        tool: preview.tool.clone(),
                        diff: "the recording asked the person nothing here; declined".into(),
                    });
                    false
                }
            }
        })
    }
}
