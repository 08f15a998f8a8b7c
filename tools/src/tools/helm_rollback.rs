//! `helm_rollback`: roll a release back to an earlier revision (mutating).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tool::{ToolContext, ToolRun, TypedTool, helm_call};

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

/// The release that was rolled back, and to which revision.
#[derive(Debug, Serialize)]
pub struct RolledBackRelease {
    /// The release.
    pub release: String,
    /// The revision returned to (`None`: the previous one).
    pub revision: Option<u32>,
}

/// The tool.
pub struct HelmRollback;

impl TypedTool for HelmRollback {
    const NAME: &'static str = "helm_rollback";
    const DESCRIPTION: &'static str = "Roll a Helm release back to an earlier revision (the previous one by default); creates a new revision.";
    const MUTATES: bool = true;
    type Args = HelmRollbackArgs;
    type Output = RolledBackRelease;

    fn run<'a>(
        &'a self,
        ctx: &'a ToolContext,
        a: HelmRollbackArgs,
    ) -> ToolRun<'a, RolledBackRelease> {
        Box::pin(async move {
            let client = ctx.helm()?.client.clone();
            let (release, revision) = (a.release.clone(), a.revision);
            helm_call("rollback", move || {
                client.rollback(&release, revision, Some(120))
            })
            .await?;
            Ok(RolledBackRelease {
                release: a.release,
                revision: a.revision,
            })
        })
    }

    fn render(&self, out: &RolledBackRelease) -> String {
        let to = out
            .revision
            .map_or("the previous revision".to_string(), |r| {
                format!("revision {r}")
            });
        format!("release {} rolled back to {to}", out.release)
    }
}
