//! `todo-ops fix` for objects no Helm release owns, and for fields a release never rendered
//! (re-applying it leaves those): each finding's field changes become one strategic merge
//! patch per object, shown as the API server's dry run, applied through the gate, verified by
//! diagnosing again, and undone (the fields set back) when the result is worse or the rollout
//! does not finish.

use std::time::Duration;

use anyhow::Result;
use serde_json::json;
use todo_ops_tools::cluster::Cluster;
use todo_ops_tools::diagnose::{Diagnosis, diagnose};

use crate::commands::cli::FixArgs;
use crate::commands::fix::{Verdict, call, dispatcher_for_rollback, verdict_by, wait_for_rollout};
use crate::commands::terminal::TerminalConfirm;
use crate::core::dispatch::Dispatcher;
use crate::protocol::CallStatus;

pub use todo_ops_tools::repair_plan::ObjectFix;

/// What applying needs from the fix run.
pub struct Run<'a> {
    /// The gate.
    pub dispatcher: &'a Dispatcher,
    /// The cluster.
    pub cluster: &'a Cluster,
    /// The person.
    pub confirm: &'a TerminalConfirm,
    /// The flags.
    pub args: &'a FixArgs,
}

impl Run<'_> {
    /// Applies each fix in turn: 0 when all were applied and verified, and the diagnosis
    /// after the last.
    pub async fn apply_all(
        &self,
        fixes: &[ObjectFix],
        mut current: Diagnosis,
        more_to_come: bool,
    ) -> Result<(u8, Diagnosis)> {
        let mut code = 0;
        for fix in fixes {
            let (c, after) = self.apply(fix, current, more_to_come).await?;
            code = code.max(c);
            current = after;
        }
        Ok((code, current))
    }

    /// Applies one fix; with `more_to_come`, what it does not answer is left to the next
    /// fixes rather than counted against it.
    async fn apply(
        &self,
        fix: &ObjectFix,
        current: Diagnosis,
        more_to_come: bool,
    ) -> Result<(u8, Diagnosis)> {
        println!(
            "\nfix: {} {} (for {})",
            if fix.recreate { "re-create" } else { "patch" },
            fix.object,
            fix.findings.join(", ")
        );
        for r in &fix.reasons {
            println!("  {r}");
        }
        let mut args = json!({"object": fix.object, "patch": fix.patch});
        if fix.recreate {
            args["recreate"] = json!(true);
        }
        let (_, diff) = call(self.dispatcher, "diff_patch", &args, self.confirm).await?;
        if diff.trim_end().ends_with(": no change") {
            println!("skipped: the patch changes nothing in {}", fix.object);
            return Ok((1, current));
        }
        if self.args.dry_run || self.args.yes {
            println!("\ndiff_patch:\n{}", diff.trim_end());
        }
        if self.args.dry_run {
            return Ok((1, current));
        }
        let (status, text) = call(self.dispatcher, "patch", &args, self.confirm).await?;
        match status {
            CallStatus::Done => println!("applied: patched {}", fix.object),
            CallStatus::Declined => {
                println!("declined: {} was not changed", fix.object);
                return Ok((1, current));
            }
            _ => {
                println!("the patch failed: {text}");
                return Ok((1, current));
            }
        }
        let rolled_out = match fix.object.strip_prefix("deployment/") {
            Some(name) => {
                let timeout = Duration::from_secs(self.args.timeout_secs);
                wait_for_rollout(self.cluster, name, timeout).await?
            }
            None => true,
        };
        let after = diagnose(self.cluster).await?;
        let answers = |f: &todo_ops_tools::analyzers::Finding| {
            f.object == fix.object && fix.findings.iter().any(|id| id == f.id)
        };
        match verdict_by(answers, &current, &after, rolled_out) {
            Verdict::Fixed => {
                println!(
                    "verified: {} healthy, {} gone",
                    fix.object,
                    fix.findings.join(", ")
                );
                Ok((0, after))
            }
            Verdict::Improved => {
                let left: Vec<&str> = after.findings.iter().map(|f| f.id).collect();
                if more_to_come {
                    println!(
                        "applied: {} gone; the next fixes are for: {}",
                        fix.findings.join(", "),
                        left.join(", ")
                    );
                    return Ok((0, after));
                }
                println!("applied; diagnose still reports: {}", left.join(", "));
                Ok((1, after))
            }
            bad => {
                let why = if bad == Verdict::Worse {
                    "the result is worse than before"
                } else {
                    "the rollout did not finish in time"
                };
                let mut undo = json!({"object": fix.object, "patch": fix.undo});
                if fix.recreate {
                    undo["recreate"] = json!(true);
                }
                let rollback = dispatcher_for_rollback(self.dispatcher);
                let (status, text) = call(&rollback, "patch", &undo, self.confirm).await?;
                if status == CallStatus::Done {
                    println!(
                        "undone {}: {why}; its fields are back as they were",
                        fix.object
                    );
                } else {
                    println!(
                        "{why}, and undoing the patch of {} failed: {text}",
                        fix.object
                    );
                }
                Ok((1, diagnose(self.cluster).await?))
            }
        }
    }
}
