//! `todo-ops fix`: for each finding with a suggested values patch, show the values and
//! manifest diffs, ask, upgrade through Helm, wait for the rollout, diagnose again, and roll
//! back when the result is worse or the rollout does not finish.

pub mod object;

use std::io::{IsTerminal, Write};
use std::time::Duration;

use anyhow::Result;
use serde_json::{Value, json};
use todo_ops_tools::analyzers::{Finding, Severity};
use todo_ops_tools::cluster::Cluster;
use todo_ops_tools::diagnose::{Diagnosis, diagnose};

use crate::commands::cli::FixArgs;
use crate::commands::terminal::TerminalConfirm;
use crate::core::approval::MutationPolicy;
use crate::core::dispatch::{Dispatcher, SessionRules};
use crate::ops::connect::tool_context;
use crate::protocol::{CallStatus, ToolCall};

/// One change `fix` proposes: a release and the values patch the findings suggest.
pub use todo_ops_tools::repair_plan::ReleaseFix as ProposedFix;

/// The repair plan of a diagnosis: what `fix` applies and the offline planner calls.
pub fn plan(d: &Diagnosis) -> todo_ops_tools::repair_plan::RepairPlan {
    let proposals: Vec<_> = d.findings.iter().map(Into::into).collect();
    todo_ops_tools::repair_plan::plan(&proposals, &[])
}

/// The fixes the diagnosis suggests, one per release (its patches merged), in finding order.
pub fn proposals(d: &Diagnosis) -> Vec<ProposedFix> {
    plan(d).releases
}

/// What happened after a fix was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The findings it answered are gone and nothing new is broken.
    Fixed,
    /// Better, but something is still reported.
    Improved,
    /// The rollout did not finish in time.
    RolloutTimedOut,
    /// More is broken than before.
    Worse,
}

fn errors(findings: &[Finding]) -> usize {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count()
}

/// Judges a fix from the diagnosis before and after, and whether the rollout finished.
pub fn verdict(
    fix: &ProposedFix,
    before: &Diagnosis,
    after: &Diagnosis,
    rolled_out: bool,
) -> Verdict {
    let answers = |f: &Finding| {
        f.release.as_deref() == Some(&fix.release) && fix.findings.iter().any(|id| id == f.id)
    };
    verdict_by(answers, before, after, rolled_out)
}

/// Judges a fix whose answered findings are those `answers` picks.
pub fn verdict_by(
    answers: impl Fn(&Finding) -> bool,
    before: &Diagnosis,
    after: &Diagnosis,
    rolled_out: bool,
) -> Verdict {
    if !rolled_out {
        return Verdict::RolloutTimedOut;
    }
    if errors(&after.findings) > errors(&before.findings) {
        return Verdict::Worse;
    }
    let answered_gone = !after.findings.iter().any(answers);
    if answered_gone && after.findings.iter().all(|f| f.severity != Severity::Error) {
        Verdict::Fixed
    } else {
        Verdict::Improved
    }
}

/// What `diff_manifest` answers when a patch changes no object.
const NO_MANIFEST_CHANGE: &str = todo_ops_tools::tools::diff_manifest::NO_CHANGE;

/// `todo-ops fix`: 0 when everything proposed was applied and verified, 1 when something
/// was declined, rolled back or is still reported (and for `--dry-run` with fixes to show).
pub async fn run(a: &FixArgs) -> Result<u8> {
    let policy = if a.yes {
        MutationPolicy::AutoApprove
    } else {
        MutationPolicy::Ask
    };
    let ctx = tool_context(&a.cluster.target(), a.charts.as_deref()).await?;
    let cluster = ctx.cluster.clone();
    let dispatcher = Dispatcher {
        ctx,
        policy,
        rules: crate::commands::policy::session_rules(
            &a.gate,
            &a.audit,
            &crate::core::saved_sessions::new_id(),
        )?,
    };
    let before = diagnose(&cluster).await?;
    let plan = plan(&before);
    let fixes = plan.releases.clone();
    let (removals_first, object_fixes) = plan.objects_around_releases();
    if plan.is_empty() {
        if before.findings.is_empty() {
            println!(
                "nothing to fix: diagnose finds no problem in namespace {}",
                before.namespace
            );
            return Ok(0);
        }
        println!(
            "diagnose reports {} finding(s) but no change follows from the evidence (no values repair, no object patch); see `todo-ops diagnose` for the actions to take",
            before.findings.len()
        );
        return Ok(1);
    }
    // One person for the whole run: an "always" answer covers the later fixes too.
    let confirm = TerminalConfirm::default();
    let objects = crate::commands::fix::object::Run {
        dispatcher: &dispatcher,
        cluster: &cluster,
        confirm: &confirm,
        args: a,
    };
    // Each fix is judged against the state it started from: the last diagnosis. Fields
    // someone added to a release's objects go first: its re-apply leaves them in place and
    // could not roll out with them.
    let more = !fixes.is_empty() || !object_fixes.is_empty();
    let (mut code, mut current) = objects.apply_all(&removals_first, before, more).await?;
    for (n, fix) in fixes.iter().enumerate() {
        let args = json!({"release": fix.release, "patch": fix.patch});
        println!(
            "\nfix {}/{}: helm upgrade {} with {} (for {})",
            n + 1,
            fixes.len(),
            fix.release,
            fix.patch,
            fix.findings.join(", ")
        );
        // A patch that renders the same objects repairs nothing: never offered or applied,
        // unless the repair is to re-apply what the release renders (drift).
        let (_, manifest_diff) = call(&dispatcher, "diff_manifest", &args, &confirm).await?;
        let reapplies = fix.findings.iter().any(|f| f == "drift");
        if manifest_diff.trim() == NO_MANIFEST_CHANGE && !reapplies {
            println!(
                "skipped: the patch changes none of {}'s objects",
                fix.release
            );
            code = 1;
            continue;
        }
        if a.dry_run || a.yes {
            // Asking shows the diffs; without a question they are printed here.
            let (_, values_diff) = call(&dispatcher, "diff_values", &args, &confirm).await?;
            println!("\ndiff_values:\n{}", values_diff.trim_end());
            if manifest_diff.trim() == NO_MANIFEST_CHANGE {
                println!(
                    "\nre-apply: the values are unchanged; the upgrade restores what drifted (see the drift findings)"
                );
            } else {
                println!("\ndiff_manifest:\n{}", manifest_diff.trim_end());
            }
        }
        if a.dry_run {
            code = 1;
            continue;
        }
        let (status, text) = call(&dispatcher, "helm_upgrade", &args, &confirm).await?;
        match status {
            CallStatus::Done => println!("applied: {}", text.lines().next().unwrap_or("")),
            CallStatus::Declined => {
                println!("declined: {} was not changed", fix.release);
                code = 1;
                continue;
            }
            _ => {
                println!("the upgrade failed: {text}");
                code = 1;
                continue;
            }
        }
        let rolled_out =
            wait_for_rollout(&cluster, &fix.release, Duration::from_secs(a.timeout_secs)).await?;
        let after = diagnose(&cluster).await?;
        let mut rolled_back = false;
        match verdict(fix, &current, &after, rolled_out) {
            Verdict::Fixed => println!(
                "verified: {} healthy, {} gone",
                fix.release,
                fix.findings.join(", ")
            ),
            Verdict::Improved => {
                println!(
                    "applied; diagnose still reports: {}",
                    after
                        .findings
                        .iter()
                        .map(|f| f.id)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                code = 1;
            }
            bad => {
                let why = if bad == Verdict::Worse {
                    "the result is worse than before"
                } else {
                    "the rollout did not finish in time"
                };
                let rollback = json!({"release": fix.release});
                let (status, text) = call(
                    &dispatcher_for_rollback(&dispatcher),
                    "helm_rollback",
                    &rollback,
                    &confirm,
                )
                .await?;
                rolled_back = true;
                if status == CallStatus::Done {
                    println!(
                        "rolled back {}: {why} ({})",
                        fix.release,
                        text.lines().next().unwrap_or("")
                    );
                } else {
                    println!("{why}, and the rollback of {} failed: {text}", fix.release);
                }
                code = 1;
            }
        }
        current = if rolled_back {
            diagnose(&cluster).await?
        } else {
            after
        };
    }
    let (object_code, _) = objects.apply_all(&object_fixes, current, false).await?;
    Ok(code.max(object_code))
}

/// The rollback `fix` promises is part of the change the person approved, so it does not
/// ask again.
pub(crate) fn dispatcher_for_rollback(d: &Dispatcher) -> Dispatcher {
    Dispatcher {
        ctx: d.ctx.clone(),
        policy: MutationPolicy::AutoApprove,
        rules: SessionRules {
            audit: d.rules.audit.clone(),
            ..Default::default()
        },
    }
}

pub(crate) async fn call(
    d: &Dispatcher,
    tool: &str,
    args: &Value,
    confirm: &TerminalConfirm,
) -> Result<(CallStatus, String)> {
    let call = ToolCall {
        id: format!("fix-{tool}"),
        name: tool.into(),
        arguments: args.to_string(),
    };
    let reply = d.dispatch(&call, confirm).await?;
    Ok((reply.status, reply.content))
}

/// Waits for the release's Deployment to roll out, showing its state on one line on a
/// terminal (a line per change otherwise); false on timeout.
pub(crate) async fn wait_for_rollout(
    cluster: &Cluster,
    release: &str,
    timeout: Duration,
) -> Result<bool> {
    let tty = std::io::stderr().is_terminal();
    let done = crate::ops::install::wait_rolled_out(cluster, &[release], timeout, &mut |states| {
        for (name, state) in states {
            if tty {
                eprint!("\r\x1b[2Krollout of {name}: {state}");
            } else {
                eprintln!("rollout of {name}: {state}");
            }
        }
        let _ = std::io::stderr().flush();
    })
    .await?;
    if tty {
        eprintln!();
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(
        id: &'static str,
        release: &str,
        patch: Option<Value>,
        severity: Severity,
    ) -> Finding {
        Finding {
            id,
            severity,
            object: "deployment/x".into(),
            summary: String::new(),
            cause: String::new(),
            evidence: vec![],
            playbook: "p",
            release: Some(release.into()),
            suggested_patch: patch,
            changes: vec![],
            suggested_action: None,
        }
    }

    fn diag(findings: Vec<Finding>) -> Diagnosis {
        Diagnosis {
            namespace: "default".into(),
            pods: 2,
            findings,
        }
    }

    #[test]
    fn one_proposal_per_release_and_patch() {
        let p = json!({"replicaCount": 2});
        let d = diag(vec![
            finding(
                "scaled-to-zero",
                "todo-backend",
                Some(p.clone()),
                Severity::Error,
            ),
            finding(
                "service-endpoints",
                "todo-backend",
                Some(p.clone()),
                Severity::Error,
            ),
            finding("crash-loop", "todo-backend", None, Severity::Error),
        ]);
        assert_eq!(
            proposals(&d),
            [ProposedFix {
                release: "todo-backend".into(),
                patch: p,
                findings: vec!["scaled-to-zero".into(), "service-endpoints".into()],
            }]
        );
    }

    #[test]
    fn worse_and_timeouts_are_rolled_back_fixed_is_verified() {
        let fix = ProposedFix {
            release: "todo-backend".into(),
            patch: json!({}),
            findings: vec!["oom-killed".into()],
        };
        let before = diag(vec![finding(
            "oom-killed",
            "todo-backend",
            None,
            Severity::Error,
        )]);
        assert_eq!(verdict(&fix, &before, &diag(vec![]), true), Verdict::Fixed);
        assert_eq!(
            verdict(&fix, &before, &diag(vec![]), false),
            Verdict::RolloutTimedOut
        );
        let worse = diag(vec![
            finding("crash-loop", "todo-backend", None, Severity::Error),
            finding("image-pull", "todo-backend", None, Severity::Error),
        ]);
        assert_eq!(verdict(&fix, &before, &worse, true), Verdict::Worse);
        assert_eq!(verdict(&fix, &before, &before, true), Verdict::Improved);
    }
}
