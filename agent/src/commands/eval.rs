//! `todo-ops eval`: runs the task suite against fresh kubesims with the chosen brain (a
//! model, the offline planner, or recorded good runs) and reports pass@1, pass@k, model
//! calls, tokens and wall time.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::brains::choice::{BrainFlags, BrainSettings, choose};
use crate::commands::cli::{EvalArgs, EvalFormat};
use crate::core::brain::Brain;
use crate::core::playbook::Playbook;
use crate::eval::run::{RunSettings, run};
use crate::eval::{Report, TaskReport, load, tasks_dir};

/// Who answers each run.
enum Brains {
    /// A model or the planner, as `todo-ops chat` would pick.
    Chat(BrainSettings),
    /// The recorded good run of each task (`DIR/TASK.jsonl`).
    Recorded(std::path::PathBuf),
}

impl Brains {
    fn for_task(&self, task: &str, playbooks: &[Playbook]) -> Result<Option<Box<dyn Brain>>> {
        match self {
            Brains::Chat(s) => Ok(Some(choose(s, playbooks)?)),
            Brains::Recorded(dir) => {
                let file = dir.join(format!("{task}.jsonl"));
                if !file.is_file() {
                    return Ok(None);
                }
                let entries = crate::core::transcript::read(&file)?;
                Ok(Some(crate::brains::replay::Replay::new(entries).brain()))
            }
        }
    }

    fn name(&self) -> String {
        match self {
            Brains::Chat(s) => s.describe(),
            Brains::Recorded(dir) => format!("recorded runs in {}", dir.display()),
        }
    }
}

/// `todo-ops eval`: 0 when every run of every task passed, 1 otherwise.
pub async fn run_eval(a: &EvalArgs) -> Result<u8> {
    if let Some(dir) = &a.suite {
        return run_suite(a, dir).await;
    }
    let dir = tasks_dir(a.evals.as_deref())?;
    let mut tasks = load(&dir, a.tasks.as_deref())?;
    if let Some(t) = a.timeout_secs {
        for task in &mut tasks {
            task.timeout_secs = t;
        }
    }
    if tasks.is_empty() {
        anyhow::bail!(
            "no task in {} matches {:?}",
            dir.display(),
            a.tasks.as_deref().unwrap_or("")
        );
    }
    let brains = brains(a)?;
    let playbooks = crate::core::playbook::load_dir(&crate::core::playbook::playbooks_dir(None)?)?;
    let settings = RunSettings {
        time_scale: a.time_scale,
        charts: crate::ops::install::charts_dir(a.charts.as_deref())?,
        playbooks,
        max_model_calls: a.max_model_calls,
        work_dir: todo_ops_tools::user_dirs::UserDir::State
            .path()
            .join("eval"),
    };
    let mut report = Report {
        brain: match &a.solutions {
            Some(d) => format!("reference solutions in {}", d.display()),
            None => brains.name(),
        },
        runs_per_task: a.runs,
        tasks: Vec::new(),
    };
    for task in &tasks {
        let mut runs = Vec::new();
        for k in 1..=a.runs {
            let Some(b) = brains.for_task(&task.name, &settings.playbooks)? else {
                eprintln!("{}: no recorded run, skipped", task.name);
                break;
            };
            eprint!("{} run {k}/{} … ", task.name, a.runs);
            let record = record_path(a, &task.name, k);
            let r = run(task, b, &settings, record.as_deref())
                .await
                .with_context(|| format!("task {}", task.name))?;
            eprintln!(
                "{} ({:.1} s, {} model calls)",
                if r.passed { "passed" } else { "FAILED" },
                r.seconds,
                r.model_calls
            );
            runs.push(r);
        }
        if !runs.is_empty() {
            report.tasks.push(TaskReport {
                task: task.name.clone(),
                runs,
            });
        }
    }
    print_report(a, &report)
}

/// Where run `k` of `task` is recorded: `DIR/TASK.jsonl`, later runs in `DIR/runK/`, so each
/// run's folder is one whole set for `--replays`.
fn record_path(a: &EvalArgs, task: &str, k: u32) -> Option<PathBuf> {
    let dir = a.record.as_ref()?;
    let dir = if k == 1 {
        dir.clone()
    } else {
        dir.join(format!("run{k}"))
    };
    Some(dir.join(format!("{task}.jsonl")))
}

/// Who answers: the recorded runs, else a model or the planner.
fn brains(a: &EvalArgs) -> Result<Brains> {
    Ok(match &a.replays {
        Some(d) => Brains::Recorded(d.clone()),
        None => Brains::Chat(brain_settings(a)?),
    })
}

/// The model, the planner or the tool shim, as `todo-ops chat` would resolve them.
fn brain_settings(a: &EvalArgs) -> Result<BrainSettings> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let flags = BrainFlags {
        model: a.model.clone().or_else(|| env("OPENAI_MODEL")),
        max_model_calls: Some(a.max_model_calls),
        offline: a.offline,
        tool_shim: a.tool_shim,
        ..BrainFlags::default()
    };
    let file = crate::ops::settings::load(&crate::ops::settings::default_path(), false)?;
    Ok(BrainSettings::resolve(&flags, &file, env))
}

fn print_report(a: &EvalArgs, report: &Report) -> Result<u8> {
    match a.output {
        EvalFormat::Markdown => print!("{}", report.markdown()),
        EvalFormat::Json => println!("{}", serde_json::to_string_pretty(report)?),
    }
    Ok(if report.all_passed() { 0 } else { 1 })
}

/// `todo-ops eval --suite DIR`: the benchmark-format tasks; a folder that cannot run is a
/// failed task with its reason, and the run goes on.
async fn run_suite(a: &EvalArgs, dir: &std::path::Path) -> Result<u8> {
    use crate::eval::suite::{Entry, load, run::Solver, run::SuiteSettings, run::run};
    let entries = load(dir, a.tasks.as_deref()).map_err(anyhow::Error::msg)?;
    if entries.is_empty() {
        anyhow::bail!(
            "no task folder in {} matches {:?} (each task is a folder with a task.yaml)",
            dir.display(),
            a.tasks.as_deref().unwrap_or("")
        );
    }
    let brains = brains(a)?;
    // The scripts run in their task's folder: the solutions folder as an absolute path.
    let solutions = match &a.solutions {
        Some(d) => Some(std::fs::canonicalize(d).with_context(|| {
            format!(
                "the reference solutions folder {} (one TASK.sh per task)",
                d.display()
            )
        })?),
        None => None,
    };
    let settings = SuiteSettings {
        time_scale: a.time_scale,
        playbooks: crate::core::playbook::load_dir(&crate::core::playbook::playbooks_dir(None)?)?,
        max_model_calls: a.max_model_calls,
        work_dir: todo_ops_tools::user_dirs::UserDir::State
            .path()
            .join("eval-suite"),
    };
    let mut report = Report {
        brain: match &a.solutions {
            Some(d) => format!("reference solutions in {}", d.display()),
            None => brains.name(),
        },
        runs_per_task: a.runs,
        tasks: Vec::new(),
    };
    for entry in entries {
        let task = match entry {
            Entry::Task(t) => t,
            Entry::Disabled(name) => {
                eprintln!("{name}: disabled, skipped");
                continue;
            }
            Entry::Unusable(name, why) => {
                eprintln!("{name}: cannot run: {why}");
                report.tasks.push(TaskReport {
                    task: name,
                    runs: vec![crate::eval::RunResult::not_run(format!(
                        "cannot run: {why}"
                    ))],
                });
                continue;
            }
        };
        let mut runs = Vec::new();
        for k in 1..=a.runs {
            let solver = match &solutions {
                Some(d) => Solver::Script(d.join(format!("{}.sh", task.name))),
                None => match brains.for_task(&task.name, &settings.playbooks)? {
                    Some(b) => Solver::Agent(b),
                    None => {
                        eprintln!("{}: no recorded run, skipped", task.name);
                        break;
                    }
                },
            };
            eprint!("{} run {k}/{} … ", task.name, a.runs);
            let record = record_path(a, &task.name, k);
            let r = run(&task, solver, &settings, record.as_deref()).await;
            eprintln!(
                "{} ({:.1} s, {} model calls){}",
                if r.passed { "passed" } else { "FAILED" },
                r.seconds,
                r.model_calls,
                r.failures
                    .first()
                    .map(|f| format!(": {f}"))
                    .unwrap_or_default()
            );
            runs.push(r);
        }
        if !runs.is_empty() {
            report.tasks.push(TaskReport {
                task: task.name.clone(),
                runs,
            });
        }
    }
    print_report(a, &report)
}
