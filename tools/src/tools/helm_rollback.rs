//! `helm_rollback`: roll a release back to an earlier revision (mutating).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::tool::{Tool, ToolContext, ToolFuture, ToolOutput, args, helm_call, schema_of};

/// Arguments of `helm_rollback`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HelmRollbackArgs {
    /// The release.
    pub release: String,
    /// The revision to return to (default: the previous one).
    #[serde(default)]
    pub revision: Option<u32>,
}

/// The tool.
pub struct HelmRollback;

impl Tool for HelmRollback {
    fn name(&self) -> &'static str {
        "helm_rollback"
    }
    fn description(&self) -> &'static str {
        "Roll a Helm release back to an earlier revision (the previous one by default); creates a new revision."
    }
    fn mutates(&self) -> bool {
        true
    }
    fn schema(&self) -> Value {
        schema_of::<HelmRollbackArgs>()
    }
    fn call<'a>(&'a self, ctx: &'a ToolContext, a: Value) -> ToolFuture<'a> {
        Box::pin(async move {
            let a: HelmRollbackArgs = args(self.name(), a)?;
            let client = ctx.helm()?.client.clone();
            let (release, revision) = (a.release.clone(), a.revision);
            helm_call("rollback", move || {
                client.rollback(&release, revision, Some(120))
            })
            .await?;
            let to = a.revision.map_or("the previous revision".to_string(), |r| {
                format!("revision {r}")
            });
            Ok(ToolOutput {
                data: json!({"release": a.release, "revision": a.revision}),
                text: format!("release {} rolled back to {to}", a.release),
            })
        })
    }
}
