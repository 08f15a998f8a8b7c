//! `todo-ops playbook list|show|run|docs|export`.

use anyhow::{Context, Result, bail};

use crate::commands::cli::{PlaybookCommand, PlaybookDir, PlaybookRunArgs};
use crate::commands::terminal::TerminalConfirm;
use crate::core::approval::MutationPolicy;
use crate::core::dispatch::Dispatcher;
use crate::core::playbook::run::POLL;
use crate::core::playbook::{self, Playbook};
use crate::ops::connect::tool_context;

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
            crate::commands::about::export(crate::ops::bundle::Bundled::Playbooks, dir)
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
    let ctx = tool_context(&a.cluster.target(), a.charts.as_deref()).await?;
    let dispatcher = Dispatcher {
        ctx,
        policy,
        rules: Default::default(),
    };
    println!("playbook {}: {}", pb.name, pb.title);
    let total = pb.steps.len();
    let result = playbook::run::run(
        pb,
        &dispatcher,
        &TerminalConfirm::default(),
        POLL,
        &mut |e| crate::commands::terminal::print_step(e, total),
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
