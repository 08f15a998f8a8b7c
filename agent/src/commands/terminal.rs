//! The person at the terminal: the question before a change (yes / always / no, asked on
//! the controlling terminal) and a turn shown as it happens.

use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::core::approval::{Answer, SessionApprovals, parse_answer, target_of};
use crate::core::dispatch::Confirm;
use crate::core::playbook::run::{PlaybookEvent, StepOutcome};
use crate::protocol::ChangePreview;
use crate::protocol::{CallStatus, Event};

/// Asks on the controlling terminal, so a piped prompt still gets a real yes or no; an
/// "always" answer covers that tool on that object for the rest of the session.
#[derive(Debug, Default)]
pub struct TerminalConfirm {
    approvals: SessionApprovals,
}

impl Confirm for TerminalConfirm {
    fn confirm<'a>(
        &'a self,
        preview: &'a ChangePreview,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + 'a>> {
        Box::pin(async move {
            if self.approvals.covers(&preview.tool, &preview.arguments) {
                eprintln!(
                    "→ {} on {}: applied (you said always for this session)",
                    preview.tool,
                    target_of(&preview.arguments)
                );
                return true;
            }
            let text = render_preview(preview);
            let answer = tokio::task::spawn_blocking(move || ask_tty(&text))
                .await
                .unwrap_or(Answer::No);
            if answer == Answer::Always {
                self.approvals.remember(&preview.tool, &preview.arguments);
            }
            answer != Answer::No
        })
    }
}

/// The change a person is asked about: the call and its diffs.
pub fn describe_change(p: &ChangePreview) -> String {
    let mut out = format!(
        "the model wants to change the cluster{}:\n  {} {}\n",
        p.context
            .as_deref()
            .map(|c| format!(" (context {c})"))
            .unwrap_or_default(),
        p.tool,
        p.arguments
    );
    if let Some(d) = &p.values_diff {
        out.push_str(&format!("\nvalues diff:\n{d}\n"));
    }
    if let Some(d) = &p.manifest_diff {
        out.push_str(&format!("\nmanifest diff:\n{d}\n"));
    }
    out
}

/// What the person reads at the terminal before answering.
pub fn render_preview(p: &ChangePreview) -> String {
    let mut out = format!("\n{}", describe_change(p));
    out.push_str(&format!(
        "apply? [y]es / [a]lways {} on {} this session / [N]o ",
        p.tool,
        target_of(&p.arguments)
    ));
    out
}

fn ask_tty(question: &str) -> Answer {
    let Ok(tty) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
    else {
        eprintln!(
            "{question}\nno terminal to ask on: declined (pass --yes to allow changes without asking)"
        );
        return Answer::No;
    };
    let mut w = &tty;
    let _ = w.write_all(question.as_bytes());
    let _ = w.flush();
    let mut line = String::new();
    let _ = std::io::BufReader::new(&tty).read_line(&mut line);
    parse_answer(&line)
}

/// At most this many bytes of one answer are printed.
const MAX_PRINTED_ANSWER: usize = 256 * 1024;

/// Bytes of the current answer printed so far (one turn at a time per process).
static PRINTED: AtomicUsize = AtomicUsize::new(0);

/// At most this many characters of a call's arguments are shown (the model may send more;
/// the gate refuses what is too long).
const SHOWN_ARGUMENTS: usize = 400;

/// `text` cut to `max` characters, saying how much was left out.
fn shorten(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}… ({} more characters)", count - max)
}

/// Shows a turn as it happens: the answer on stdout, tool calls on stderr.
pub fn print_event(e: Event) {
    let mut out = std::io::stdout();
    match e {
        Event::TextDelta { text } => {
            // A runaway answer is cut on screen (the model's whole text stays in the
            // session and the transcript).
            let before = PRINTED.fetch_add(text.len(), Ordering::Relaxed);
            if before < MAX_PRINTED_ANSWER {
                let room = MAX_PRINTED_ANSWER - before;
                let cut = text.char_indices().map(|(i, _)| i).find(|&i| i >= room);
                let _ = out.write_all(&text.as_bytes()[..cut.unwrap_or(text.len())]);
                if cut.is_some() {
                    let _ = write!(
                        out,
                        "\n… (the answer goes on; cut at {MAX_PRINTED_ANSWER} bytes)"
                    );
                }
                let _ = out.flush();
            }
        }
        Event::ToolCallStarted { call } => {
            eprintln!(
                "→ {} {}",
                call.name,
                shorten(&call.arguments, SHOWN_ARGUMENTS)
            )
        }
        Event::ToolResult {
            name,
            status,
            content,
            ..
        } => {
            let summary = content.lines().next().unwrap_or("");
            let mark = match status {
                CallStatus::Done => "✓",
                CallStatus::Declined => "✗ declined",
                CallStatus::Forbidden => "✗ refused",
                CallStatus::Failed => "! failed",
            };
            eprintln!("  {mark} {name}: {summary}");
        }
        Event::TurnFinished {
            reason,
            model_calls,
            answer,
            ..
        } => {
            PRINTED.store(0, Ordering::Relaxed);
            if reason == crate::protocol::TurnEnd::ModelCallLimit {
                // The model never answered: what the person reads is that it stopped.
                println!("{answer}");
                eprintln!(
                    "(stopped after {model_calls} model calls; --max-model-calls raises the bound)"
                );
            } else {
                println!();
            }
        }
        // The prompt was typed here, the answer streamed, the change asked about.
        Event::Input { .. } | Event::ModelTurn { .. } | Event::Confirmation { .. } => {}
    }
}

/// One line per step as it starts and ends (the start line is finished in place).
pub fn print_step(e: PlaybookEvent, total: usize) {
    let mut out = std::io::stdout();
    match e {
        PlaybookEvent::StepStarted { number, tool, args } => {
            let _ = write!(out, "[{number}/{total}] {tool} {args} … ");
        }
        PlaybookEvent::StepFinished {
            outcome, summary, ..
        } => {
            let line = match outcome {
                StepOutcome::Passed { attempts: 1 } => format!("✓ {summary}"),
                StepOutcome::Passed { attempts } => format!("✓ (after {attempts} tries) {summary}"),
                StepOutcome::NotShown { message } => format!("✗ {message}"),
                StepOutcome::Declined => "✗ declined: nothing was changed".into(),
                StepOutcome::Refused { message } => format!("✗ refused: {message}"),
                StepOutcome::Failed { message } => format!("! failed: {message}"),
            };
            let _ = writeln!(out, "{line}");
        }
    }
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn long_arguments_are_shown_cut_with_what_was_left_out() {
        assert_eq!(shorten("{\"a\":1}", 400), "{\"a\":1}");
        let long = "é".repeat(1000);
        let shown = shorten(&long, 400);
        assert!(shown.ends_with("… (600 more characters)"), "{shown}");
        assert_eq!(shown.chars().filter(|c| *c == 'é').count(), 400);
    }
}
