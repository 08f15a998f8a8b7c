//! `todo-ops chat`: the model over the cluster's tools, every change behind the person's yes.
//! One-shot with `-p` (or a prompt piped on stdin); piped input with `-p` is context.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::approval::{Answer, MutationPolicy, SessionApprovals, parse_answer, target_of};
use crate::brain::Brain;
use crate::chat_config::{self, ChatConfig};
use crate::cli::{ChatArgs, ClusterArgs, ReplayArgs};
use crate::dispatch::{CallStatus, ChangePreview, Confirm, Dispatcher};
use crate::model::{Model, ModelConfig};
use crate::planner::OfflinePlanner;
use crate::protocol::Event;
use crate::session::{Limits, Session};
use crate::transcript::Recorder;
use todo_ops_tools::helm::{ClusterOptions, HelmClient};
use todo_ops_tools::snapshot::secret_redactor;
use todo_ops_tools::tool::{HelmAccess, ToolContext};

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

/// The chat's settings: flags and environment, then the config file, then defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// API key, if any.
    pub api_key: Option<String>,
    /// Endpoint.
    pub base_url: Option<String>,
    /// Model name.
    pub model: String,
    /// Model calls per turn.
    pub max_model_calls: u32,
    /// Request timeout.
    pub timeout_secs: u64,
    /// `--offline`: the planner answers whatever is configured.
    pub offline: bool,
    /// `--tool-shim`: the model has no native function calling.
    pub tool_shim: bool,
}

/// Resolves the settings; `env` reads an environment variable.
pub fn settings(a: &ChatArgs, file: &ChatConfig, env: impl Fn(&str) -> Option<String>) -> Settings {
    let env = |k: &str| env(k).filter(|v| !v.is_empty());
    Settings {
        api_key: env("OPENAI_API_KEY").or_else(|| file.api_key.clone()),
        base_url: env("OPENAI_BASE_URL").or_else(|| file.base_url.clone()),
        model: a
            .model
            .clone()
            .or_else(|| file.model.clone())
            .unwrap_or_else(|| "gpt-4o-mini".into()),
        max_model_calls: a.max_model_calls.or(file.max_model_calls).unwrap_or(20),
        timeout_secs: a.timeout_secs.or(file.timeout_secs).unwrap_or(120),
        offline: a.offline,
        tool_shim: a.tool_shim || file.tool_shim.unwrap_or(false),
    }
}

/// The offline planner, with the playbooks when they are found.
fn planner() -> OfflinePlanner {
    let playbooks = crate::playbook::playbooks_dir(None)
        .ok()
        .and_then(|d| crate::playbook::load_dir(&d).ok())
        .unwrap_or_default();
    OfflinePlanner::with_playbooks(playbooks)
}

/// The model, or without an API key the offline planner.
pub fn brain(s: &Settings) -> Result<Box<dyn Brain>> {
    if s.offline {
        return Ok(Box::new(planner()));
    }
    let Some(api_key) = s.api_key.clone() else {
        eprintln!(
            "(no OPENAI_API_KEY: the offline planner answers; set it, and OPENAI_BASE_URL for a local server, to use a model)"
        );
        return Ok(Box::new(planner()));
    };
    let model = Box::new(Model::new(ModelConfig {
        api_key,
        base_url: s.base_url.clone(),
        model: s.model.clone(),
        request_timeout: Duration::from_secs(s.timeout_secs),
        attempts: 3,
    })?);
    Ok(if s.tool_shim {
        Box::new(crate::tool_shim::ToolShim::new(model))
    } else {
        model
    })
}

/// `todo-ops chat`.
pub async fn run(a: &ChatArgs) -> Result<u8> {
    if a.list_sessions {
        print!(
            "{}",
            crate::sessions::render(&crate::sessions::list(&crate::sessions::dir()))
        );
        return Ok(0);
    }
    // Read before anything else can fail half-way: a wrong id is the person's first answer.
    let resumed = match &a.resume_session {
        Some(id) => Some(crate::sessions::load(&crate::sessions::dir(), id)?),
        None => None,
    };
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
    let file = match &a.config {
        Some(p) => chat_config::load(p, true)?,
        None => chat_config::load(&chat_config::default_path(), false)?,
    };
    let settings = settings(a, &file, |k| std::env::var(k).ok());
    let brain = brain(&settings)?;
    let ctx = tool_context(&a.cluster, a.charts.as_deref()).await?;
    let mut session = Session::new(
        brain,
        Dispatcher { ctx, policy },
        Limits {
            model_calls_per_turn: settings.max_model_calls,
            ..Limits::default()
        },
        "",
    );
    // Without a playbooks folder (an installed binary away from the repository) the chat
    // still works; it just has no playbooks to offer.
    if let Ok(dir) = crate::playbook::playbooks_dir(None) {
        session.set_playbooks(crate::playbook::load_dir(&dir)?);
    }
    // Every chat is saved (redacted), so it can be listed and resumed.
    let id = crate::sessions::new_id();
    let saved = crate::sessions::dir().join(format!("{id}.jsonl"));
    session.add_observer(Arc::new(Recorder::create(&saved)?));
    if let Some((from, entries)) = &resumed {
        session.restore(entries);
        eprintln!(
            "(resumed {} prompt(s) from {}; this session is saved as {id})",
            session.turns(),
            from.display()
        );
    }
    if let Some(path) = &a.record {
        session.add_observer(Arc::new(Recorder::create(path)?));
    }
    let mut on_event = print_event;
    match prompt {
        Some(p) => {
            session
                .turn(&p, &TerminalConfirm::default(), &mut on_event)
                .await?;
        }
        None => {
            let history = crate::cli::state_dir().join("chat_history");
            let confirm = TerminalConfirm::default();
            crate::repl::run(&mut session, &confirm, &history, &mut on_event).await?;
        }
    }
    Ok(0)
}

/// The tools' context: the cluster, a redactor that knows its Secrets (learned before
/// anything reaches a model, and again at every turn), and Helm when the library loads.
pub async fn tool_context(cluster: &ClusterArgs, charts: Option<&Path>) -> Result<ToolContext> {
    let target = cluster.target().connect().await?;
    let redactor = secret_redactor(&target).await?;
    let charts = crate::deploy::charts_dir(charts)?;
    let opts = ClusterOptions {
        kubeconfig_path: cluster.kubeconfig.clone(),
        kube_context: cluster.context.clone(),
        namespace: Some(target.namespace.clone()),
        ..Default::default()
    };
    let helm = HelmClient::new(&opts).map(|client| HelmAccess {
        client: Arc::new(client),
        charts,
    });
    Ok(ToolContext {
        cluster: target,
        redactor: Arc::new(redactor),
        helm: helm.ok(),
    })
}

/// `todo-ops replay FILE`: 0 when every tool result still holds, 1 when one differs.
pub async fn replay(a: &ReplayArgs) -> Result<u8> {
    let entries = crate::transcript::read(&a.file)?;
    let replay = crate::replay::Replay::new(entries);
    let ctx = tool_context(&a.cluster, a.charts.as_deref()).await?;
    let mut session = Session::new(
        replay.brain(),
        Dispatcher {
            ctx,
            policy: MutationPolicy::Ask,
        },
        Limits {
            // The transcript bounds the session, not a count.
            model_calls_per_turn: u32::MAX,
            ..Limits::default()
        },
        "",
    );
    let mut on_event = print_event;
    let report = replay.run(&mut session, &mut on_event).await?;
    print!("{}", report.render(&a.file.display().to_string()));
    Ok(if report.passed() { 0 } else { 1 })
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
    use clap::Parser;

    #[test]
    fn flags_and_environment_win_over_the_file_which_wins_over_defaults() {
        let cli = crate::cli::Cli::parse_from(["todo-ops", "chat", "--max-model-calls", "7"]);
        let crate::cli::Command::Chat(mut a) = cli.command else {
            panic!("not chat");
        };
        // Whatever OPENAI_MODEL the machine running the test has.
        a.model = None;
        let file = super::ChatConfig {
            model: Some("qwen2.5:7b".into()),
            base_url: Some("http://file/v1".into()),
            api_key: Some("file-key".into()),
            max_model_calls: Some(9),
            timeout_secs: Some(30),
            tool_shim: None,
        };
        let env = |k: &str| (k == "OPENAI_BASE_URL").then(|| "http://env/v1".to_string());
        let s = super::settings(&a, &file, env);
        assert_eq!(s.model, "qwen2.5:7b");
        assert_eq!(s.base_url.as_deref(), Some("http://env/v1"));
        assert_eq!(s.api_key.as_deref(), Some("file-key"));
        assert_eq!((s.max_model_calls, s.timeout_secs), (7, 30));
        let s = super::settings(&a, &super::ChatConfig::default(), |_| None);
        assert_eq!(
            (s.model.as_str(), s.api_key, s.timeout_secs),
            ("gpt-4o-mini", None, 120)
        );
    }

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
