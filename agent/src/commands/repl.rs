//! The interactive REPL: rustyline with a history file and slash-command completion. Ctrl-C
//! cancels the turn in progress and keeps the session; Ctrl-D exits.

use std::path::{Path, PathBuf};

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};
use serde_json::json;

use crate::core::dispatch::Confirm;
use crate::core::session::Session;
use crate::protocol::Event;
use crate::protocol::ToolCall;

/// The slash commands, with what each does (drives `/help` and completion).
pub const COMMANDS: &[(&str, &str)] = &[
    ("/help", "this list"),
    (
        "/tools",
        "the tools the model can call (and which change the cluster)",
    ),
    ("/diagnose", "run every analyzer now and show the findings"),
    ("/playbooks", "the playbooks: name, title, when to use them"),
    (
        "/run NAME",
        "follow a playbook's steps (changes still ask first)",
    ),
    ("/model", "who is answering"),
    ("/sessions", "the saved sessions, newest first"),
    (
        "/resume ID",
        "continue a saved session (its id, or latest) in place of this conversation",
    ),
    ("/last", "the last tool result in full"),
    ("/clear", "forget the conversation"),
    (
        "/compact",
        "fold the conversation into a short summary the model keeps",
    ),
    (
        "/save FILE",
        "write the conversation (redacted) to FILE as JSON",
    ),
    ("/exit", "leave (Ctrl-D too)"),
];

/// What a slash command asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slash {
    /// `/help`.
    Help,
    /// `/tools`.
    Tools,
    /// `/diagnose`.
    Diagnose,
    /// `/playbooks`.
    Playbooks,
    /// `/run NAME`.
    Run(String),
    /// `/model`.
    Model,
    /// `/sessions`.
    Sessions,
    /// `/resume ID`.
    Resume(String),
    /// `/last`.
    Last,
    /// `/clear`.
    Clear,
    /// `/compact`.
    Compact,
    /// `/save FILE`.
    Save(PathBuf),
    /// `/exit`.
    Exit,
    /// Anything else starting with `/`, or a command missing its argument.
    Invalid(String),
}

/// A line that starts with `/`, as a command.
pub fn parse(line: &str) -> Option<Slash> {
    let line = line.trim();
    let rest = line.strip_prefix('/')?;
    let (cmd, arg) = rest.split_once(' ').unwrap_or((rest, ""));
    let arg = arg.trim();
    Some(match cmd {
        "help" | "?" => Slash::Help,
        "tools" => Slash::Tools,
        "diagnose" => Slash::Diagnose,
        "playbooks" => Slash::Playbooks,
        "run" if !arg.is_empty() => Slash::Run(arg.to_string()),
        "run" => {
            Slash::Invalid("/run needs a playbook name: /run NAME (/playbooks lists them)".into())
        }
        "model" => Slash::Model,
        "sessions" => Slash::Sessions,
        "resume" if !arg.is_empty() => Slash::Resume(arg.to_string()),
        "resume" => {
            Slash::Invalid("/resume needs a session id (or latest): /sessions lists them".into())
        }
        "last" => Slash::Last,
        "clear" => Slash::Clear,
        "compact" => Slash::Compact,
        "save" if !arg.is_empty() => Slash::Save(PathBuf::from(arg)),
        "save" => Slash::Invalid("/save needs a file name: /save FILE".into()),
        "exit" | "quit" => Slash::Exit,
        other => Slash::Invalid(format!("unknown command /{other}; /help lists them")),
    })
}

/// Command names that complete `prefix`.
pub fn complete(prefix: &str) -> Vec<String> {
    COMMANDS
        .iter()
        .map(|(c, _)| c.split(' ').next().unwrap_or(c).to_string())
        .filter(|c| prefix.starts_with('/') && c.starts_with(prefix))
        .collect()
}

/// What the REPL does after a command.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Print this and go on.
    Print(String),
    /// Leave.
    Exit,
}

/// Runs a slash command on the session.
pub async fn run_slash(session: &mut Session, cmd: Slash, confirm: &dyn Confirm) -> Outcome {
    let text = match cmd {
        Slash::Exit => return Outcome::Exit,
        Slash::Help => COMMANDS
            .iter()
            .map(|(c, what)| format!("{c:<12} {what}"))
            .chain(["anything else is a question for the model".to_string()])
            .collect::<Vec<_>>()
            .join("\n"),
        Slash::Tools => todo_ops_tools::tools::registry()
            .iter()
            .map(|t| {
                let mark = if t.mutates() { " (asks first)" } else { "" };
                format!("{:<16} {}{mark}", t.name(), t.description())
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Slash::Model => format!("answering: {}", session.brain_name()),
        Slash::Sessions => crate::core::saved_sessions::render(&crate::core::saved_sessions::list(
            &crate::core::saved_sessions::dir(),
        ))
        .trim_end()
        .to_string(),
        Slash::Resume(id) => {
            match crate::core::saved_sessions::load(&crate::core::saved_sessions::dir(), &id) {
                Ok((path, entries)) => {
                    session.restore(&entries);
                    format!(
                        "resumed {} prompt(s) from {}",
                        session.turns(),
                        path.display()
                    )
                }
                Err(e) => e.to_string(),
            }
        }
        Slash::Playbooks if session.playbooks().is_empty() => {
            "no playbooks were found (run from the repository, where playbooks/ is)".into()
        }
        Slash::Playbooks => crate::core::playbook::index(session.playbooks()),
        Slash::Run(name) => match session
            .run_playbook(&name, confirm, &mut crate::commands::terminal::print_step)
            .await
        {
            Ok(r) if r.passed() => format!("playbook {name}: all {} steps passed", r.steps),
            Ok(r) => format!(
                "playbook {name}: stopped at step {} of {}",
                r.outcomes.len(),
                r.steps
            ),
            Err(e) => e,
        },
        Slash::Compact => match session.compact() {
            s if s.is_empty() => "nothing to compact yet".into(),
            s => format!("compacted; the model keeps:\n{s}"),
        },
        Slash::Clear => {
            session.clear();
            "conversation cleared".into()
        }
        Slash::Last => match &session.last_reply {
            Some(r) => match &r.output {
                Some(out) => serde_json::to_string_pretty(&out.data).unwrap_or_default(),
                None => r.content.clone(),
            },
            None => "no tool has run yet".into(),
        },
        Slash::Diagnose => {
            let call = ToolCall {
                id: "repl_diagnose".into(),
                name: "diagnose".into(),
                arguments: json!({}).to_string(),
            };
            match session.call_tool(&call, confirm).await {
                Ok(r) => r.content,
                Err(e) => format!("diagnose failed: {e}"),
            }
        }
        Slash::Save(path) => match save(session, &path) {
            Ok(()) => format!("saved to {}", path.display()),
            Err(e) => e,
        },
        Slash::Invalid(why) => why,
    };
    Outcome::Print(text)
}

fn save(session: &Session, path: &Path) -> Result<(), String> {
    let text = serde_json::to_string_pretty(&session.transcript())
        .map_err(|e| format!("could not serialise the conversation: {e}"))?;
    std::fs::write(path, text).map_err(|e| {
        format!(
            "could not write {}: {e}; pick a writable path",
            path.display()
        )
    })
}

/// Completion of slash commands.
struct SlashHelper;

impl Completer for SlashHelper {
    type Candidate = String;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let head = &line[..pos];
        if head.contains(' ') {
            return Ok((pos, Vec::new()));
        }
        Ok((0, complete(head)))
    }
}
impl Hinter for SlashHelper {
    type Hint = String;
}
impl Highlighter for SlashHelper {}
impl Validator for SlashHelper {}
impl Helper for SlashHelper {}

/// The REPL until `/exit` or Ctrl-D; the history persists in `history_file`.
pub async fn run(
    session: &mut Session,
    confirm: &dyn Confirm,
    history_file: &Path,
    on_event: &mut (dyn FnMut(Event) + Send),
) -> anyhow::Result<()> {
    let mut editor: Editor<SlashHelper, DefaultHistory> = Editor::new()?;
    editor.set_helper(Some(SlashHelper));
    if let Some(dir) = history_file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    // A missing history file is the first session, not an error.
    let _ = editor.load_history(history_file);
    eprintln!(
        "todo-ops chat — {} — /help for commands, Ctrl-D to leave",
        session.brain_name()
    );
    loop {
        let line = match editor.readline("todo-ops> ") {
            Ok(l) => l,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let _ = editor.add_history_entry(line);
        if let Some(cmd) = parse(line) {
            match run_slash(session, cmd, confirm).await {
                Outcome::Exit => break,
                Outcome::Print(t) => println!("{t}"),
            }
            continue;
        }
        tokio::select! {
            r = session.turn(line, confirm, on_event) => {
                if let Err(e) = r {
                    eprintln!("error: {e}");
                }
            }
            _ = tokio::signal::ctrl_c() => {
                // The half-done turn is dropped; the session goes on from before it.
                session.abandon_turn();
                eprintln!("\n(cancelled)");
            }
        }
    }
    if let Err(e) = editor.save_history(history_file) {
        eprintln!(
            "could not save the history to {}: {e}",
            history_file.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slash_commands_parse_and_complete() {
        assert_eq!(parse("/help"), Some(Slash::Help));
        assert_eq!(
            parse("  /save out.json "),
            Some(Slash::Save("out.json".into()))
        );
        assert!(matches!(parse("/save"), Some(Slash::Invalid(m)) if m.contains("FILE")));
        assert!(matches!(parse("/frobnicate"), Some(Slash::Invalid(m)) if m.contains("/help")));
        assert_eq!(parse("why is it down?"), None);
        assert_eq!(complete("/d"), vec!["/diagnose".to_string()]);
        assert_eq!(complete("/sa"), vec!["/save".to_string()]);
        assert_eq!(complete("/s").len(), 2, "/sessions and /save");
        assert_eq!(
            parse("/resume latest"),
            Some(Slash::Resume("latest".into()))
        );
        assert_eq!(parse("/run scale"), Some(Slash::Run("scale".into())));
        assert!(complete("d").is_empty());
        assert_eq!(complete("/").len(), COMMANDS.len());
    }
}
