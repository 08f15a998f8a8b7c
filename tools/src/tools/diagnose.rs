//! `diagnose`: every analyzer over the namespace at once — findings with cause, evidence,
//! playbook and suggested fix, as `todo-ops diagnose` reports them.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::diagnose::{Diagnosis, Focus, diagnose_focused};
use crate::report::{Format, render};
use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

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
        // What the person reads, within the model's budget for one result.
        render(d, Format::Text)
    }
}
