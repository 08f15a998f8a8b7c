//! `todo-ops playbook list|show|run|docs|export`.

use std::io::Write;

use anyhow::{Context, Result, bail};

use crate::approval::MutationPolicy;
use crate::cli::{PlaybookCommand, PlaybookDir, PlaybookRunArgs};
use crate::connect::tool_context;
use crate::dispatch::Dispatcher;
use crate::playbook::run::{POLL, PlaybookEvent, StepOutcome};
use crate::playbook::{self, Playbook};
use crate::terminal::TerminalConfirm;

fn load(dir: &PlaybookDir) -> Result<Vec<Playbook>> {
    let d = playbook::playbooks_dir(dir.playbooks.as_deref())?;
    Ok(playbook::load_dir(&d)?)
}

/// Runs a `playbook` subcommand; the exit code of `run` says whether it passed.
pub async fn run(c: &PlaybookCommand) -> Result<u8> {
    match c {
        PlaybookCommand::List(dir) => {
            let all = load(dir)?;
            let width = all.iter().map(|p| p.name.len()).max().unwrap_or(4);
            for p in &all {
                println!(
                    "{:width$}  {}\n{:width$}  when: {}",
                    p.name, p.title, "", p.when
                );
            }
            Ok(0)
        }
        PlaybookCommand::Show { name, dir } => {
            let all = load(dir)?;
            let p = playbook::find(&all, name)?;
            print!("# {}\n\nwhen: {}\n\n{}", p.title, p.when, p.body);
            Ok(0)
        }
        PlaybookCommand::Docs { output, dir } => {
            let doc = playbook::troubleshooting_doc(&load(dir)?);
            if output.as_os_str() == "-" {
                print!("{doc}");
            } else {
                std::fs::write(output, doc)
                    .with_context(|| format!("writing {}", output.display()))?;
                eprintln!("wrote {}", output.display());
            }
            Ok(0)
        }
        PlaybookCommand::Export { dir } => {
            crate::about_cmd::export(crate::bundle::Bundled::Playbooks, dir)
        }
        PlaybookCommand::Run(a) => run_playbook(a).await,
    }
}

async fn run_playbook(a: &PlaybookRunArgs) -> Result<u8> {
    let all = load(&a.dir)?;
    let pb = playbook::find(&all, &a.name)?;
    let policy = match (a.read_only, a.yes) {
        (true, true) => bail!("--read-only and --yes contradict each other; pick one"),
        (true, false) => MutationPolicy::ReadOnly,
        (false, true) => MutationPolicy::AutoApprove,
        (false, false) => MutationPolicy::Ask,
    };
    let ctx = tool_context(&a.cluster, a.charts.as_deref()).await?;
    let dispatcher = Dispatcher { ctx, policy };
    println!("playbook {}: {}", pb.name, pb.title);
    let total = pb.steps.len();
    let result = playbook::run::run(
        pb,
        &dispatcher,
        &TerminalConfirm::default(),
        POLL,
        &mut |e| print_step(e, total),
    )
    .await?;
    if result.passed() {
        println!("playbook {}: all {total} steps passed", pb.name);
        Ok(0)
    } else {
        println!(
            "playbook {}: stopped at step {} of {total}",
            pb.name,
            result.outcomes.len()
        );
        Ok(1)
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
