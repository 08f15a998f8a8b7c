//! One run of one task: a fresh kubesim with the chatbot as real processes, broken as the
//! task says, the agent's turn with every change approved, then the verifier until the
//! cluster shows the verified state or the task's timeout runs out.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use kubesim::controllers::{ControllerConfig, PodRuntime};
use kubesim::server::{RunningSim, SimConfig};
use serde_json::json;

use super::{RunResult, Task, verify};
use crate::core::approval::MutationPolicy;
use crate::core::brain::Brain;
use crate::core::dispatch::{Confirm, Dispatcher};
use crate::core::playbook::Playbook;
use crate::core::session::{Limits, Session};
use crate::protocol::ChangePreview;
use crate::protocol::Event;

/// Settings shared by every run.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// kubesim's time scale (back-offs and probe periods shortened by it).
    pub time_scale: f64,
    /// The charts folder.
    pub charts: PathBuf,
    /// The playbooks (their index goes into the system prompt; scenarios' first steps
    /// tell when the breakage shows).
    pub playbooks: Vec<Playbook>,
    /// Model calls allowed in the turn.
    pub max_model_calls: u32,
    /// Where each run's kubeconfig and database go.
    pub work_dir: PathBuf,
}

/// Every change is approved in an eval (the verifier judges them).
pub(crate) struct ApproveAll;

impl Confirm for ApproveAll {
    fn confirm<'a>(
        &'a self,
        _: &'a ChangePreview,
    ) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>> {
        Box::pin(async { true })
    }
}

/// Runs `task` once with `brain`.
pub async fn run(
    task: &Task,
    brain: Box<dyn Brain>,
    s: &RunSettings,
    record: Option<&Path>,
) -> Result<RunResult> {
    let sim = RunningSim::start(SimConfig {
        controllers: ControllerConfig {
            time_scale: s.time_scale,
            runtime: PodRuntime::Processes,
            ..Default::default()
        },
        images: crate::ops::install::app_images()?,
        ..SimConfig::default()
    })
    .await?;
    let result = run_on(&sim, task, brain, s, record).await;
    sim.stop().await;
    // A set-up that fails is a failed run, reported with the others, not the end of the eval.
    Ok(result.unwrap_or_else(|e| RunResult {
        passed: false,
        failures: vec![format!("set-up failed: {e:#}")],
        model_calls: 0,
        tokens: 0,
        tokens_estimated: false,
        seconds: 0.0,
    }))
}

async fn run_on(
    sim: &RunningSim,
    task: &Task,
    brain: Box<dyn Brain>,
    s: &RunSettings,
    record: Option<&Path>,
) -> Result<RunResult> {
    let dir = s
        .work_dir
        .join(format!("{}-{}", task.name, sim.addr.port()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let kubeconfig = dir.join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig)?;
    let db = format!("sqlite://{}", dir.join("todo.db").display());
    // One database attempt, as in the scenario tests: a wrong DATABASE_URL shows as a crash
    // loop at once instead of after the start-up retries.
    crate::ops::install::install_chatbot(
        &kubeconfig,
        &s.charts,
        &db,
        json!({"config": {"databaseConnectAttempts": 1}}),
    )
    .await?;
    let target = crate::ops::connect::kubeconfig_target(&kubeconfig);
    let ctx = crate::ops::connect::tool_context(&target, Some(&s.charts)).await?;
    let cluster = ctx.cluster.clone();
    let helm = match &ctx.helm {
        Some(h) => h.client.clone(),
        None => {
            bail!("the Helm library did not load; run `todo-ops setup helm` (or set HELM_C_LIB)")
        }
    };
    let healthy = super::Verify {
        healthy: true,
        ..Default::default()
    };
    settle(&healthy, &cluster, &helm, 120, "the first install").await?;
    if let Some(up) = &task.setup_upgrade {
        crate::ops::scenarios::upgrade(&kubeconfig, &s.charts, &up.release, up.patch.clone())
            .await?;
        settle(&healthy, &cluster, &helm, 120, "the set-up upgrade").await?;
    }
    if let Some(name) = &task.scenario {
        crate::ops::scenarios::apply(crate::ops::scenarios::find(name)?, &kubeconfig, &s.charts)
            .await?;
        // The scenario's playbook starts by waiting until diagnose shows the breakage.
        if let Some(pb) = s.playbooks.iter().find(|p| p.name == *name) {
            let mut look = pb.clone();
            look.steps.truncate(1);
            let d = Dispatcher {
                ctx: ctx.clone(),
                policy: MutationPolicy::ReadOnly,
                rules: Default::default(),
            };
            let shown = crate::core::playbook::run::run(
                &look,
                &d,
                &ApproveAll,
                Duration::from_millis(250),
                &mut |_| {},
            )
            .await?;
            if !shown.passed() {
                bail!(
                    "scenario {name} did not show in diagnose: {:?}",
                    shown.outcomes
                );
            }
        }
    }
    let before = verify::state(&cluster, &helm)
        .await
        .map_err(anyhow::Error::msg)?;

    let started = Instant::now();
    let agent = match agent_turn(
        brain,
        ctx,
        s.playbooks.clone(),
        s.max_model_calls,
        &task.prompt,
        record,
    )
    .await
    {
        Ok(a) => a,
        Err(failed) => return Ok(failed.into_result(started)),
    };
    let (answer, calls, tokens, tokens_estimated) = (
        agent.answer,
        agent.model_calls,
        agent.tokens,
        agent.tokens_estimated,
    );
    let mut failures = poll(
        &task.verify,
        &cluster,
        &helm,
        &before,
        &answer,
        task.timeout_secs,
    )
    .await;
    if failures.is_empty() && task.verify.restarts_stable {
        // Long enough for several probe periods and back-offs at the run's time scale.
        let window = Duration::from_secs_f64((30.0 / s.time_scale).max(2.0));
        let first = verify::restarts(&cluster)
            .await
            .map_err(anyhow::Error::msg)?;
        tokio::time::sleep(window).await;
        let then = verify::restarts(&cluster)
            .await
            .map_err(anyhow::Error::msg)?;
        if then > first {
            failures.push(format!(
                "containers restarted {} time(s) in the {:.0} s after the repair",
                then - first,
                window.as_secs_f64()
            ));
        }
    }
    Ok(RunResult {
        passed: failures.is_empty(),
        failures,
        model_calls: calls,
        tokens,
        tokens_estimated,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// What one agent turn gave: the answer and what it cost.
pub(crate) struct AgentTurn {
    /// The final answer.
    pub answer: String,
    /// Model calls.
    pub model_calls: u32,
    /// Prompt plus completion tokens.
    pub tokens: u32,
    /// Whether `tokens` is an estimate.
    pub tokens_estimated: bool,
}

/// A turn that failed, with what it had cost.
pub(crate) struct FailedTurn {
    why: String,
    turn: AgentTurn,
}

impl FailedTurn {
    /// The failed run this makes.
    pub(crate) fn into_result(self, started: Instant) -> RunResult {
        RunResult {
            passed: false,
            failures: vec![self.why],
            model_calls: self.turn.model_calls,
            tokens: self.turn.tokens,
            tokens_estimated: self.turn.tokens_estimated,
            seconds: started.elapsed().as_secs_f64(),
        }
    }
}

/// The agent's turn on `prompt` in an eval: every change approved (the verifier judges them),
/// as the benchmark's harness runs agents with `--skip-permissions`; its transcript goes to
/// `record` when given.
pub(crate) async fn agent_turn(
    brain: Box<dyn Brain>,
    ctx: todo_ops_tools::tool::ToolContext,
    playbooks: Vec<Playbook>,
    max_model_calls: u32,
    prompt: &str,
    record: Option<&Path>,
) -> Result<AgentTurn, FailedTurn> {
    let mut session = Session::new(
        brain,
        Dispatcher {
            ctx,
            policy: MutationPolicy::AutoApprove,
            rules: Default::default(),
        },
        Limits {
            model_calls_per_turn: max_model_calls,
            ..Limits::default()
        },
        "",
    );
    session.set_playbooks(playbooks);
    if let Some(path) = record {
        match crate::core::transcript::Recorder::create(path) {
            Ok(r) => session.add_observer(Arc::new(r)),
            // The run is still worth judging; the missing record is the person's to see.
            Err(e) => eprintln!("not recording this run: {e}"),
        }
    }
    let mut turn = AgentTurn {
        answer: String::new(),
        model_calls: 0,
        tokens: 0,
        tokens_estimated: false,
    };
    let mut on_event = |e: Event| {
        if let Event::TurnFinished {
            model_calls,
            tokens: (p, c),
            tokens_estimated: estimated,
            ..
        } = e
        {
            turn.model_calls = model_calls;
            turn.tokens = p + c;
            turn.tokens_estimated = estimated;
        }
    };
    let result = session.turn(prompt, &ApproveAll, &mut on_event).await;
    match result {
        Ok(answer) => Ok(AgentTurn { answer, ..turn }),
        Err(e) => Err(FailedTurn {
            why: format!("the turn failed: {e}"),
            turn,
        }),
    }
}

/// Checks until everything holds or `timeout_secs` pass; the last failures otherwise.
async fn poll(
    v: &super::Verify,
    cluster: &todo_ops_tools::cluster::Cluster,
    helm: &Arc<todo_ops_tools::helm::HelmClient>,
    before: &verify::State,
    answer: &str,
    timeout_secs: u64,
) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(timeout_secs);
    loop {
        let failures = verify::check(v, cluster, helm, before, answer).await;
        if failures.is_empty() || Instant::now() >= deadline {
            return failures;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn settle(
    v: &super::Verify,
    cluster: &todo_ops_tools::cluster::Cluster,
    helm: &Arc<todo_ops_tools::helm::HelmClient>,
    timeout_secs: u64,
    after: &str,
) -> Result<()> {
    let failures = poll(
        v,
        cluster,
        helm,
        &verify::State::default(),
        "",
        timeout_secs,
    )
    .await;
    if failures.is_empty() {
        Ok(())
    } else {
        bail!(
            "the chatbot was not healthy after {after}: {}",
            failures.join("; ")
        )
    }
}
