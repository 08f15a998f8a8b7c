//! `todo-ops chat`: the model over the cluster's tools, every change behind the person's yes.
//! One-shot with `-p` (or a prompt piped on stdin); piped input with `-p` is context.

use std::io::{IsTerminal, Read};
use std::sync::Arc;

use anyhow::{Context, Result, bail};

use crate::brains::choice::{BrainFlags, BrainSettings, choose};
use crate::commands::cli::ChatArgs;
use crate::commands::terminal::{TerminalConfirm, print_event};
use crate::core::approval::MutationPolicy;
use crate::core::brain::Brain;
use crate::core::dispatch::Dispatcher;
use crate::core::playbook::Playbook;
use crate::core::session::{Limits, Session};
use crate::core::transcript::Recorder;
use crate::ops::connect::tool_context;
use crate::ops::settings::{self, ChatConfig};
use crate::protocol::{CallStatus, Event, TurnEnd};
use todo_ops_tools::results::ResultStore;

/// The prompt: `-p`, stdin, or both (stdin then is context for the prompt). Piped input
/// longer than a tool result may be is cut like one (its end kept: logs end with what
/// broke) and kept whole in `results` for search_result.
pub fn prompt(flag: Option<&str>, stdin: Option<String>, results: &ResultStore) -> Result<String> {
    match (flag, stdin.filter(|s| !s.trim().is_empty())) {
        (Some(p), Some(input)) => Ok(format!(
            "{p}\n\nInput given on stdin:\n```\n{}\n```",
            results.fit("stdin", input.trim_end().to_string(), true)
        )),
        (Some(p), None) => Ok(p.to_string()),
        (None, Some(input)) => Ok(results.fit("stdin", input.trim().to_string(), false)),
        (None, None) => bail!(
            "nothing to ask: pass -p \"QUESTION\", pipe a prompt on stdin, or run todo-ops chat in a terminal for the REPL"
        ),
    }
}

/// Resolves the settings; `env` reads an environment variable.
pub fn settings(
    a: &ChatArgs,
    file: &ChatConfig,
    env: impl Fn(&str) -> Option<String>,
) -> BrainSettings {
    let flags = BrainFlags {
        model: a.model.clone(),
        max_model_calls: a.max_model_calls,
        timeout_secs: a.timeout_secs,
        offline: a.offline,
        tool_shim: a.tool_shim,
        context_tokens: a.context_tokens,
    };
    BrainSettings::resolve(&flags, file, env)
}

/// The brain the settings choose; says so when the planner answers for want of a key.
pub fn brain(s: &BrainSettings, playbooks: &[Playbook]) -> Result<Box<dyn Brain>> {
    if !s.offline && s.api_key.is_none() {
        eprintln!(
            "(no OPENAI_API_KEY: the offline planner answers; set it, and OPENAI_BASE_URL for a local server, to use a model)"
        );
    }
    Ok(choose(s, playbooks)?)
}

/// `todo-ops chat`.
pub async fn run(a: &ChatArgs) -> Result<u8> {
    if a.list_sessions {
        print!(
            "{}",
            crate::core::saved_sessions::render(&crate::core::saved_sessions::list(
                &crate::core::saved_sessions::dir()
            ))
        );
        return Ok(0);
    }
    // Read before anything else can fail half-way: a wrong id is the person's first answer.
    let resumed = match &a.resume_session {
        Some(id) => Some(crate::core::saved_sessions::load(
            &crate::core::saved_sessions::dir(),
            id,
        )?),
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
    let file = match &a.config {
        Some(p) => settings::load(p, true)?,
        None => settings::load(&settings::default_path(), false)?,
    };
    let settings = settings(a, &file, |k| std::env::var(k).ok());
    // Every chat is saved (redacted), so it can be listed and resumed; its calls are audited
    // under the same id, and results too big for the model's share are kept whole beside it.
    let id = crate::core::saved_sessions::new_id();
    let results = Arc::new(ResultStore::in_folder(
        crate::core::saved_sessions::dir().join(format!("{id}.results")),
    ));
    results.set_budget(settings.result_budget());
    // A terminal and no -p: the interactive REPL.
    let interactive = a.prompt.is_none() && stdin.is_none();
    let prompt = if interactive {
        None
    } else {
        Some(prompt(a.prompt.as_deref(), stdin, &results)?)
    };
    let policy = match (a.read_only, a.yes) {
        (true, true) => bail!("--read-only and --yes contradict each other; pick one"),
        (true, false) => MutationPolicy::ReadOnly,
        (false, true) => MutationPolicy::AutoApprove,
        (false, false) => MutationPolicy::Ask,
    };
    // Without a playbooks folder the chat still works; it just has none to offer.
    let playbooks = crate::core::playbook::load_default()?;
    let brain = brain(&settings, &playbooks)?;
    let mut ctx = tool_context(&a.cluster.target(), a.charts.as_deref()).await?;
    ctx.results = results;
    let mut session = Session::new(
        brain,
        Dispatcher {
            ctx,
            policy,
            rules: crate::commands::policy::session_rules(&a.gate, &a.audit, &id)?,
        },
        Limits {
            model_calls_per_turn: settings.max_model_calls,
            ..Limits::default()
        },
        "",
    );
    session.set_playbooks(playbooks);
    session.set_context_chars(settings.context_chars());
    let saved = crate::core::saved_sessions::dir().join(format!("{id}.jsonl"));
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
            // A one-shot turn that ran out of model calls did not answer, and one whose change
            // failed did not do what was asked: exit 1 for both.
            let mut unfinished = false;
            let mut change_failed = false;
            let mut on_turn = |e: Event| {
                unfinished |= matches!(
                    e,
                    Event::TurnFinished {
                        reason: TurnEnd::ModelCallLimit,
                        ..
                    }
                );
                if let Event::ToolResult { name, status, .. } = &e {
                    change_failed |= *status == CallStatus::Failed
                        && todo_ops_tools::tools::find(name).is_some_and(|t| t.mutates());
                }
                print_event(e);
            };
            session
                .turn(&p, &TerminalConfirm::default(), &mut on_turn)
                .await?;
            if unfinished || change_failed {
                return Ok(1);
            }
        }
        None => {
            let history = todo_ops_tools::user_dirs::UserDir::State
                .path()
                .join("chat_history");
            let confirm = TerminalConfirm::default();
            crate::commands::repl::run(&mut session, &confirm, &history, &mut on_event).await?;
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use todo_ops_tools::results::ResultStore;

    #[test]
    fn flags_and_environment_win_over_the_file_which_wins_over_defaults() {
        let cli =
            crate::commands::cli::Cli::parse_from(["todo-ops", "chat", "--max-model-calls", "7"]);
        let Some(crate::commands::cli::Command::Chat(mut a)) = cli.command else {
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
            ..Default::default()
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
        let store = ResultStore::default();
        let p = super::prompt(Some("explain this"), Some("E0001 boom\n".into()), &store).unwrap();
        assert!(
            p.starts_with("explain this") && p.contains("```\nE0001 boom\n```"),
            "{p}"
        );
        assert_eq!(
            super::prompt(None, Some(" why?\n".into()), &store).unwrap(),
            "why?"
        );
        let err = super::prompt(None, Some("  ".into()), &store)
            .unwrap_err()
            .to_string();
        assert!(err.contains("-p"), "{err}");
    }

    #[test]
    fn piped_input_over_the_budget_keeps_its_end_and_the_rest_is_searchable() {
        let store = ResultStore::default();
        store.set_budget(4_000);
        let log: String = (0..20_000)
            .map(|i| format!("{i:05} INFO fine\n"))
            .chain(["FATAL disk full\n".to_string()])
            .collect();
        let p = super::prompt(Some("why did it stop?"), Some(log.clone()), &store).unwrap();
        assert!(p.len() < 4_500, "{}", p.len());
        assert!(
            p.contains("FATAL disk full") && p.contains("stdin result r1"),
            "{p}"
        );
        assert_eq!(&*store.get("r1").unwrap(), log.trim_end());
    }
}
