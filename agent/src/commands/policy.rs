//! `--policy`, `--paranoid` and `todo-ops policy check`: the person's approval rules, read
//! for a session and explained for one call.

use anyhow::{Context, Result};
use serde_json::Value;

use crate::commands::cli::{AuditArgs, PolicyArgs, PolicyCheckArgs};
use crate::core::approval::{Approval, Gate, MutationPolicy, decide};
use crate::core::audit::AuditLog;
use crate::core::dispatch::SessionRules;
use crate::core::policy::{Policy, call_of, default_path, load};

/// The policy the flags name: `--policy FILE` (which must exist), else the default file when
/// there is one; `--paranoid` on top.
pub fn policy(a: &PolicyArgs) -> Result<Policy> {
    let mut p = match &a.policy {
        Some(path) => load(path, true)?,
        None => load(&default_path(), false)?,
    };
    p.paranoid |= a.paranoid;
    p.deny_kinds.extend(a.deny_kinds.iter().cloned());
    // `none` lifts every denied kind, the file's and a command's default alike.
    if p.deny_kinds.iter().any(|k| k.trim() == "none") {
        p.deny_kinds.clear();
    }
    Ok(p)
}

/// The session rules for a command's dispatcher: the policy, and the audit log that records
/// the calls of session `session`.
pub fn session_rules(a: &PolicyArgs, audit: &AuditArgs, session: &str) -> Result<SessionRules> {
    let path = audit
        .audit
        .clone()
        .unwrap_or_else(crate::core::audit::default_path);
    Ok(SessionRules {
        policy: std::sync::Arc::new(policy(a)?),
        in_playbook: false,
        audit: Some(std::sync::Arc::new(AuditLog::open(&path, session)?)),
    })
}

/// `todo-ops policy check TOOL ARGS`: which rule decides, and what happens in each mode.
pub fn check(a: &PolicyCheckArgs) -> Result<u8> {
    let p = policy(&a.gate)?;
    let args: Value = serde_json::from_str(&a.args).with_context(|| {
        format!(
            "ARGS {:?} is not JSON; give the call's arguments as a JSON object, e.g. '{{\"deployment\": \"web\"}}'",
            a.args
        )
    })?;
    let Some(tool) = todo_ops_tools::tools::find(&a.tool) else {
        let known: Vec<&str> = todo_ops_tools::tools::registry()
            .iter()
            .map(|t| t.name())
            .collect();
        anyhow::bail!(
            "there is no tool named {:?}; the tools are: {}",
            a.tool,
            known.join(", ")
        );
    };
    let call = call_of(&a.tool, Some(tool.as_ref()), &args, &a.session_namespace);
    println!(
        "call: {} ({}) on {} in namespace {}",
        call.tool,
        format!("{:?}", call.verb).to_lowercase(),
        match (&call.kind, &call.name) {
            (Some(k), Some(n)) => format!("{k}/{n}"),
            _ => "no named object".into(),
        },
        call.namespace
    );
    match p.rule_for(&call) {
        Some((n, rule)) => println!("rule {n} decides: {}", rule.describe()),
        None => println!("no rule matches; the presets and the mode decide"),
    }
    for (mode, flag) in [
        (MutationPolicy::Ask, "asking (the default)"),
        (MutationPolicy::AutoApprove, "--yes"),
        (MutationPolicy::ReadOnly, "--read-only"),
    ] {
        let gate = Gate {
            mode,
            policy: &p,
            in_playbook: false,
        };
        let outcome = match decide(gate, &a.tool, Some(tool.as_ref()), &call) {
            Approval::Run => "runs".to_string(),
            Approval::Ask => "asks the person".to_string(),
            Approval::Forbid(why) => format!("refused: {why}"),
        };
        println!("{flag}: {outcome}");
    }
    Ok(0)
}
