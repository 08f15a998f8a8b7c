//! `diagnose`: every analyzer over the namespace at once — findings with cause, evidence,
//! playbook and suggested fix, as `todo-ops diagnose` reports them.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::analyzers::Severity;
use crate::diagnose::{Diagnosis, Focus, diagnose_focused};
use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool, budget};

/// Arguments of `diagnose`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiagnoseArgs {
    /// Only findings of this Helm release, e.g. `todo-backend`.
    #[serde(default)]
    pub release: Option<String>,
    /// Only findings about this object, as KIND/NAME, e.g. `deployment/todo-backend`.
    #[serde(default)]
    pub resource: Option<String>,
}

/// The tool.
pub struct Diagnose;

impl TypedTool for Diagnose {
    const NAME: &'static str = "diagnose";
    const DESCRIPTION: &'static str = "Run every analyzer over the namespace: each problem with its object, cause, evidence, playbook and a suggested Helm values patch or action. Start here when something is wrong.";
    const MUTATES: bool = false;
    type Args = DiagnoseArgs;
    type Output = Diagnosis;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: DiagnoseArgs) -> ToolRun<'a, Diagnosis> {
        Box::pin(async move {
            let focus = Focus {
                release: a.release,
                resource: a.resource,
            };
            diagnose_focused(&ctx.cluster, &focus)
                .await
                .map_err(ToolError::from)
        })
    }

    fn render(&self, d: &Diagnosis) -> String {
        if d.findings.is_empty() {
            return format!(
                "namespace {}: healthy ({} pods, no findings)",
                d.namespace, d.pods
            );
        }
        let mut lines = vec![format!(
            "namespace {}: {} finding(s) over {} pods",
            d.namespace,
            d.findings.len(),
            d.pods
        )];
        for f in &d.findings {
            let severity = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            lines.push(format!(
                "- [{severity}] {} {}: {}",
                f.id, f.object, f.summary
            ));
            lines.push(format!("  cause: {}", f.cause));
            for e in f.evidence.iter().take(3) {
                lines.push(format!("  evidence: {e}"));
            }
            if let Some(p) = &f.suggested_patch {
                let release = f.release.as_deref().unwrap_or("?");
                lines.push(format!("  suggested helm_upgrade of {release}: {p}"));
            }
            if let Some(a) = &f.suggested_action {
                lines.push(format!("  suggested action: {a}"));
            }
            lines.push(format!("  playbook: {}", f.playbook));
        }
        budget(&lines.join("\n"), 6000, false)
    }
}
