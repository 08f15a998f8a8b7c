//! `todo-ops chat`: the model over the cluster's tools, every change behind the person's yes.
//! One-shot with `-p` (or a prompt piped on stdin); piped input with `-p` is context.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::approval::MutationPolicy;
use crate::brain::Brain;
use crate::cli::ChatArgs;
use crate::dispatch::{CallStatus, ChangePreview, Confirm, Dispatcher};
use crate::model::{Model, ModelConfig};
use crate::planner::OfflinePlanner;
use crate::protocol::Event;
use crate::session::{Limits, Session};
use todo_ops_tools::helm::{ClusterOptions, HelmClient};
use todo_ops_tools::snapshot::Snapshot;
use todo_ops_tools::tool::{HelmAccess, ToolContext};

/// Asks on the controlling terminal, so a piped prompt still gets a real yes or no.
pub struct TerminalConfirm;

impl Confirm for TerminalConfirm {
    fn confirm<'a>(
        &'a self,
        preview: &'a ChangePreview,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + 'a>> {
        Box::pin(async move {
            let text = render_preview(preview);
            tokio::task::spawn_blocking(move || ask_tty(&text))
                .await
                .unwrap_or(false)
        })
    }
}

/// What the person reads before answering.
pub fn render_preview(p: &ChangePreview) -> String {
    let mut out = format!(
        "\nthe model wants to change the cluster:\n  {} {}\n",
        p.tool, p.arguments
    );
    if let Some(d) = &p.values_diff {
        out.push_str(&format!("\nvalues diff:\n{d}\n"));
    }
    if let Some(d) = &p.manifest_diff {
        out.push_str(&format!("\nmanifest diff:\n{d}\n"));
    }
    out.push_str("apply? [y/N] ");
    out
}

fn ask_tty(question: &str) -> bool {
    let Ok(tty) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
    else {
        eprintln!(
            "{question}\nno terminal to ask on: declined (pass --yes to allow changes without asking)"
        );
        return false;
    };
    let mut w = &tty;
    let _ = w.write_all(question.as_bytes());
    let _ = w.flush();
    let mut line = String::new();
    let _ = std::io::BufReader::new(&tty).read_line(&mut line);
    matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// The prompt: `-p`, stdin, or both (stdin then is context for the prompt).
pub fn prompt(flag: Option<&str>, stdin: Option<String>) -> Result<String> {
    match (flag, stdin.filter(|s| !s.trim().is_empty())) {
        (Some(p), Some(input)) => Ok(format!(
            "{p}\n\nInput given on stdin:\n```\n{}\n```",
            input.trim_end()
        )),
        (Some(p), None) => Ok(p.to_string()),
        (None, Some(input)) => Ok(input.trim().to_string()),
        (None, None) => bail!(
            "nothing to ask: pass -p \"QUESTION\", pipe a prompt on stdin, or run todo-ops chat in a terminal for the REPL"
        ),
    }
}

/// The model from flags and the environment; without `OPENAI_API_KEY`, the offline planner.
fn brain(a: &ChatArgs) -> Result<Box<dyn Brain>> {
    let Some(api_key) = std::env::var("OPENAI_API_KEY")
        .ok()
        .filter(|k| !k.is_empty())
    else {
        eprintln!(
            "(no OPENAI_API_KEY: the offline planner answers; set it, and OPENAI_BASE_URL for a local server, to use a model)"
        );
        return Ok(Box::new(OfflinePlanner));
    };
    Ok(Box::new(Model::new(ModelConfig {
        api_key,
        base_url: std::env::var("OPENAI_BASE_URL")
            .ok()
            .filter(|u| !u.is_empty()),
        model: a.model.clone(),
        request_timeout: Duration::from_secs(a.timeout_secs),
        attempts: 3,
    })?))
}

/// `todo-ops chat`.
pub async fn run(a: &ChatArgs) -> Result<u8> {
    let stdin = if std::io::stdin().is_terminal() {
        None
    } else {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading the prompt from stdin")?;
        Some(s)
    };
    // A terminal and no -p: the interactive REPL.
    let interactive = a.prompt.is_none() && stdin.is_none();
    let prompt = if interactive {
        None
    } else {
        Some(prompt(a.prompt.as_deref(), stdin)?)
    };
    let policy = match (a.read_only, a.yes) {
        (true, true) => bail!("--read-only and --yes contradict each other; pick one"),
        (true, false) => MutationPolicy::ReadOnly,
        (false, true) => MutationPolicy::AutoApprove,
        (false, false) => MutationPolicy::Ask,
    };
    let brain = brain(a)?;
    let cluster = a.cluster.target().connect().await?;
    // The redactor learns the namespace's Secret values before anything reaches the model.
    let (_, redactor) = Snapshot::read(&cluster).await?;
    let charts = crate::deploy::charts_dir(a.charts.as_deref())?;
    let opts = ClusterOptions {
        kubeconfig_path: a.cluster.kubeconfig.clone(),
        kube_context: a.cluster.context.clone(),
        namespace: Some(cluster.namespace.clone()),
        ..Default::default()
    };
    let helm = HelmClient::new(&opts).map(|client| HelmAccess {
        client: Arc::new(client),
        charts,
    });
    let ctx = ToolContext {
        cluster,
        redactor: Arc::new(redactor),
        helm: helm.ok(),
    };
    let mut session = Session::new(
        brain,
        Dispatcher { ctx, policy },
        Limits {
            model_calls_per_turn: a.max_model_calls,
            ..Limits::default()
        },
        "",
    );
    let mut on_event = print_event;
    match prompt {
        Some(p) => {
            session.turn(&p, &TerminalConfirm, &mut on_event).await?;
        }
        None => {
            let history = crate::cli::state_dir().join("chat_history");
            crate::repl::run(&mut session, &TerminalConfirm, &history, &mut on_event).await?;
        }
    }
    Ok(0)
}

/// Shows a turn as it happens: the answer on stdout, tool calls on stderr.
fn print_event(e: Event) {
    let mut out = std::io::stdout();
    match e {
        Event::TextDelta { text } => {
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
        Event::ToolCallStarted { call } => eprintln!("→ {} {}", call.name, call.arguments),
        Event::ToolCallFinished {
            name,
            status,
            summary,
            ..
        } => {
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
            ..
        } => {
            println!();
            if reason == crate::protocol::TurnEnd::ModelCallLimit {
                eprintln!(
                    "(stopped after {model_calls} model calls; --max-model-calls raises the bound)"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn piped_input_is_context_for_the_prompt() {
        let p = super::prompt(Some("explain this"), Some("E0001 boom\n".into())).unwrap();
        assert!(
            p.starts_with("explain this") && p.contains("```\nE0001 boom\n```"),
            "{p}"
        );
        assert_eq!(super::prompt(None, Some(" why?\n".into())).unwrap(), "why?");
        let err = super::prompt(None, Some("  ".into()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("-p"), "{err}");
    }
}
