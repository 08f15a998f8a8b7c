//! Following a playbook with no model: each step goes through the dispatcher's gate (a
//! change waits for the person's yes, `--read-only` refuses it), and a step whose result
//! does not show what it must is retried until its `wait:` runs out, then stops the run.

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use super::Playbook;
use crate::core::dispatch::{Confirm, Dispatcher, FatalToolError};
use crate::protocol::{CallStatus, ToolCall};

/// How one step ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum StepOutcome {
    /// It ran and showed what it must (after `attempts` tries).
    Passed {
        /// Tries it took.
        attempts: u32,
    },
    /// It ran, but the result never showed what it must.
    NotShown {
        /// What was expected and found.
        message: String,
    },
    /// The person said no.
    Declined,
    /// The policy refused the change.
    Refused {
        /// Why.
        message: String,
    },
    /// The tool failed (bad arguments, a missing object).
    Failed {
        /// The tool's message.
        message: String,
    },
}

/// What the person sees as a playbook runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum PlaybookEvent {
    /// A step starts (a change will ask first).
    StepStarted {
        /// 1-based.
        number: usize,
        /// The tool.
        tool: String,
        /// Its arguments (secrets masked).
        args: Value,
    },
    /// A step ended.
    StepFinished {
        /// 1-based.
        number: usize,
        /// The tool.
        tool: String,
        /// How.
        outcome: StepOutcome,
        /// The first line of the tool's result.
        summary: String,
    },
}

/// The result of a run: one outcome per step reached.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PlaybookRun {
    /// Outcomes in order; a run stops at the first step that does not pass.
    pub outcomes: Vec<StepOutcome>,
    /// Steps in the playbook.
    pub steps: usize,
}

impl PlaybookRun {
    /// Whether every step passed.
    pub fn passed(&self) -> bool {
        self.outcomes.len() == self.steps
            && self
                .outcomes
                .iter()
                .all(|o| matches!(o, StepOutcome::Passed { .. }))
    }
}

/// How often a waiting step is tried again.
pub const POLL: Duration = Duration::from_secs(1);

/// Runs `pb`'s steps in order through `dispatcher`; `poll` spaces the retries of a waiting step.
pub async fn run(
    pb: &Playbook,
    dispatcher: &Dispatcher,
    confirm: &dyn Confirm,
    poll: Duration,
    on_event: &mut (dyn FnMut(PlaybookEvent) + Send),
) -> Result<PlaybookRun, FatalToolError> {
    // A playbook's changes are what a changes-only-in-playbooks policy lets through.
    let in_playbook = dispatcher.for_playbook();
    let dispatcher = &in_playbook;
    let mut report = PlaybookRun {
        outcomes: Vec::new(),
        steps: pb.steps.len(),
    };
    for (i, step) in pb.steps.iter().enumerate() {
        let number = i + 1;
        let args = step.args.clone();
        on_event(PlaybookEvent::StepStarted {
            number,
            tool: step.tool.clone(),
            args: dispatcher.ctx.redactor.redact_arguments(&args),
        });
        let call = ToolCall {
            id: format!("{}-{number}", pb.name),
            name: step.tool.clone(),
            arguments: args.to_string(),
        };
        let deadline = Instant::now() + step.wait.unwrap_or_default();
        let mut attempts = 0;
        let (outcome, summary) = loop {
            attempts += 1;
            let reply = dispatcher.dispatch(&call, confirm).await?;
            let summary = reply.content.lines().next().unwrap_or("").to_string();
            let outcome = match reply.status {
                CallStatus::Declined => break (StepOutcome::Declined, summary),
                CallStatus::Forbidden => {
                    break (
                        StepOutcome::Refused {
                            message: reply.content,
                        },
                        summary,
                    );
                }
                CallStatus::Failed => StepOutcome::Failed {
                    message: reply.content.clone(),
                },
                CallStatus::Done => {
                    let data = reply.output.map(|o| o.data).unwrap_or(Value::Null);
                    match step
                        .expects
                        .iter()
                        .map(|e| e.check(&data))
                        .find_map(Result::err)
                    {
                        None => break (StepOutcome::Passed { attempts }, summary),
                        Some(message) => StepOutcome::NotShown { message },
                    }
                }
            };
            if Instant::now() >= deadline {
                break (outcome, summary);
            }
            tokio::time::sleep(poll).await;
        };
        let passed = matches!(outcome, StepOutcome::Passed { .. });
        report.outcomes.push(outcome.clone());
        on_event(PlaybookEvent::StepFinished {
            number,
            tool: step.tool.clone(),
            outcome,
            summary,
        });
        if !passed {
            break;
        }
    }
    Ok(report)
}
