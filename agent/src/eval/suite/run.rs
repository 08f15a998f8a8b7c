//! One run of one suite task, as the benchmark's harness runs it: a fresh kubesim, the task's
//! `setup` with `KUBECONFIG` set, the prompt to the agent with every change allowed
//! (`--skip-permissions`) — or a reference solution script instead — the `verifier`, and the
//! `cleanup` whatever happened; set-up, solver and verifier share the task's timeout.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use kubesim::controllers::{ControllerConfig, PodRuntime};
use kubesim::server::{RunningSim, SimConfig};

use super::{SuiteTask, unmet};
use crate::core::brain::Brain;
use crate::core::playbook::Playbook;
use crate::eval::RunResult;
use crate::eval::run::agent_turn;

/// Settings shared by every run.
#[derive(Debug, Clone)]
pub struct SuiteSettings {
    /// kubesim's time scale.
    pub time_scale: f64,
    /// The playbooks the agent knows.
    pub playbooks: Vec<Playbook>,
    /// Model calls allowed in the turn.
    pub max_model_calls: u32,
    /// Where each run's kubeconfig and script logs go.
    pub work_dir: PathBuf,
}

/// Who solves a task: the agent with a brain, or a reference solution script (a check of
/// kubesim against the tasks, not of the agent).
pub enum Solver {
    /// The agent, answering the prompt.
    Agent(Box<dyn Brain>),
    /// A bash script run like the task's own scripts; its output is the answer.
    Script(PathBuf),
}

/// What a solver left for the verdict.
struct Solved {
    answer: String,
    model_calls: u32,
    tokens: u32,
    tokens_estimated: bool,
}

/// How long the clean-up may take (the harness gives it its own context too).
const CLEANUP_TIME: Duration = Duration::from_secs(60);

/// Runs `task` once with `solver` (an agent's transcript to `record`); every failure is a
/// failed run with its reason.
pub async fn run(
    task: &SuiteTask,
    solver: Solver,
    s: &SuiteSettings,
    record: Option<&Path>,
) -> RunResult {
    let started = Instant::now();
    // A failure before the prompt is a run that never reached the agent.
    let failed = RunResult::not_run;
    let images = match crate::ops::install::app_images() {
        Ok(i) => i,
        Err(e) => return failed(format!("the image table: {e:#}")),
    };
    let sim = match RunningSim::start(SimConfig {
        controllers: ControllerConfig {
            time_scale: s.time_scale,
            runtime: PodRuntime::Processes,
            ..Default::default()
        },
        images,
        ..SimConfig::default()
    })
    .await
    {
        Ok(sim) => sim,
        Err(e) => return failed(format!("kubesim did not start: {e}")),
    };
    let dir = s
        .work_dir
        .join(format!("{}-{}", task.name, sim.addr.port()));
    let kubeconfig = dir.join("kubeconfig");
    let prepared = std::fs::create_dir_all(&dir)
        .map_err(|e| format!("creating {}: {e}", dir.display()))
        .and_then(|()| {
            sim.write_kubeconfig(&kubeconfig)
                .map_err(|e| format!("writing the kubeconfig: {e}"))
        });
    let result = match prepared {
        Ok(()) => run_on(task, solver, s, &dir, &kubeconfig, started, record).await,
        Err(why) => failed(why),
    };
    if let Some(cleanup) = &task.cleanup {
        // The outcome is already decided; a failing clean-up is only worth a log line.
        let _ = script(cleanup, task, &kubeconfig, &dir, "cleanup", CLEANUP_TIME).await;
    }
    sim.stop().await;
    result
}

async fn run_on(
    task: &SuiteTask,
    solver: Solver,
    s: &SuiteSettings,
    dir: &Path,
    kubeconfig: &Path,
    started: Instant,
    record: Option<&Path>,
) -> RunResult {
    let deadline = started + task.timeout;
    let left = || deadline.saturating_duration_since(Instant::now());
    if let Some(setup) = &task.setup
        && let Err(why) = script(setup, task, kubeconfig, dir, "setup", left()).await
    {
        return RunResult::not_run(why);
    }
    let solving = Instant::now();
    let solved = match solver {
        Solver::Agent(brain) => agent(task, brain, s, kubeconfig, started, deadline, record).await,
        Solver::Script(path) => {
            match script(&path, task, kubeconfig, dir, "solution", left()).await {
                Ok(()) => Ok(Solved {
                    answer: std::fs::read_to_string(dir.join("solution.log")).unwrap_or_default(),
                    model_calls: 0,
                    tokens: 0,
                    tokens_estimated: false,
                }),
                Err(why) => Err(RunResult::not_run(why)),
            }
        }
    };
    let solved = match solved {
        Ok(s) => s,
        Err(failed) => return failed,
    };
    std::fs::write(dir.join("answer.txt"), &solved.answer).ok();
    let mut failures = Vec::new();
    let verified = match &task.verifier {
        Some(v) => match script(v, task, kubeconfig, dir, "verifier", left()).await {
            Ok(()) => true,
            Err(why) => {
                failures.push(why);
                false
            }
        },
        None => false,
    };
    let unmet = unmet(&task.expect, &solved.answer);
    // The harness's rule: the verifier passing, or every expectation (when there are some).
    let passed = verified || (!task.expect.is_empty() && unmet.is_empty());
    if !passed {
        failures.extend(unmet);
    }
    RunResult {
        passed,
        failures: if passed { Vec::new() } else { failures },
        model_calls: solved.model_calls,
        tokens: solved.tokens,
        tokens_estimated: solved.tokens_estimated,
        // From the prompt to the verdict, as the built-in tasks count it.
        seconds: solving.elapsed().as_secs_f64(),
    }
}

/// The agent's turn on the task's prompt, with every change allowed.
async fn agent(
    task: &SuiteTask,
    brain: Box<dyn Brain>,
    s: &SuiteSettings,
    kubeconfig: &Path,
    started: Instant,
    deadline: Instant,
    record: Option<&Path>,
) -> Result<Solved, RunResult> {
    let target = crate::ops::connect::kubeconfig_target(kubeconfig);
    let ctx = crate::ops::connect::tool_context(&target, None)
        .await
        .map_err(|e| RunResult::not_run(format!("connecting the agent: {e:#}")))?;
    let turn = agent_turn(
        brain,
        ctx,
        s.playbooks.clone(),
        s.max_model_calls,
        &task.prompt,
        record,
    );
    let left = deadline.saturating_duration_since(Instant::now());
    match tokio::time::timeout(left, turn).await {
        Ok(Ok(t)) => Ok(Solved {
            answer: t.answer,
            model_calls: t.model_calls,
            tokens: t.tokens,
            tokens_estimated: t.tokens_estimated,
        }),
        Ok(Err(failed_turn)) => Err(failed_turn.into_result(started)),
        Err(_) => Err(RunResult::not_run(format!(
            "task timed out after {:?}",
            task.timeout
        ))),
    }
}

/// Runs one of the task's scripts with bash in the task folder, its output kept in
/// `DIR/<what>.log`; the reason (exit status or timeout and the last lines) when it fails.
async fn script(
    path: &Path,
    task: &SuiteTask,
    kubeconfig: &Path,
    dir: &Path,
    what: &str,
    time: Duration,
) -> Result<(), String> {
    let log_path = dir.join(format!("{what}.log"));
    let log = std::fs::File::create(&log_path)
        .map_err(|e| format!("creating {}: {e}", log_path.display()))?;
    let err = log
        .try_clone()
        .map_err(|e| format!("{}: {e}", log_path.display()))?;
    let mut child = tokio::process::Command::new("bash")
        .arg(path)
        .current_dir(&task.dir)
        .env("KUBECONFIG", kubeconfig)
        .stdin(Stdio::null())
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(err))
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("the {what} script {} did not start: {e}", path.display()))?;
    let tail = || {
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().rev().take(3).collect();
        lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
    };
    match tokio::time::timeout(time, child.wait()).await {
        Ok(Ok(status)) if status.success() => Ok(()),
        Ok(Ok(status)) => Err(format!("{what} failed ({status}): {}", tail())),
        Ok(Err(e)) => Err(format!("{what}: {e}")),
        Err(_) => {
            kill_group(&child);
            Err(format!(
                "task timed out after {:?} in {what}: {}",
                task.timeout,
                tail()
            ))
        }
    }
}

/// Stops a timed-out script and whatever it started (kubectl wait, sleeps).
fn kill_group(child: &tokio::process::Child) {
    if let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) {
        // kill(1) on the negative pid reaches the whole group without unsafe code.
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .status();
    }
}
