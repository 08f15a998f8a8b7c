//! `helm_rollback`: roll a release back to an earlier revision (mutating).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool, helm_call};

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
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct RolledBackRelease {
    /// The release.
    pub release: String,
    /// The revision returned to (`None`: the previous one).
    pub revision: Option<u32>,
}

/// The revision to return to: the one asked for if the history holds it and it is not the
/// current one, else the newest earlier revision. A release with nothing earlier is an
/// answer for the model (fix forward), not a failed Helm call.
pub fn rollback_target(
    release: &str,
    history: &[crate::helm::Release],
    wanted: Option<u32>,
) -> Result<u32, ToolError> {
    let current = history.iter().map(|r| r.revision).max().ok_or_else(|| {
        ToolError::Retry(format!(
            "release {release} has no history: is it installed? (helm_list shows the releases)"
        ))
    })?;
    let earlier: Vec<u32> = history
        .iter()
        .map(|r| r.revision)
        .filter(|r| *r < current)
        .collect();
    match wanted {
        Some(r) if r == current => Err(ToolError::Retry(format!(
            "revision {r} is the current revision of {release}; nothing to roll back to"
        ))),
        Some(r) if earlier.contains(&r) => Ok(r),
        Some(r) => Err(ToolError::Retry(format!(
            "release {release} has no revision {r}; its revisions are {}",
            history
                .iter()
                .map(|h| h.revision.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        None => earlier.into_iter().max().ok_or_else(|| {
            ToolError::Retry(format!(
                "release {release} has only revision {current}: there is no earlier revision to roll back to; fix it forward with helm_upgrade instead"
            ))
        }),
    }
}

/// The tool.
pub struct HelmRollback;

impl TypedTool for HelmRollback {
    const NAME: &'static str = "helm_rollback";
    const DESCRIPTION: &'static str = "Roll a Helm release back to an earlier revision (the previous one by default); creates a new revision.";
    const MUTATES: bool = true;
    const NAMESPACED: bool = true;
    type Args = HelmRollbackArgs;
    type Output = RolledBackRelease;

    fn run<'a>(
        &'a self,
        ctx: &'a ToolContext,
        a: HelmRollbackArgs,
    ) -> ToolRun<'a, RolledBackRelease> {
        Box::pin(async move {
            let client = ctx.helm()?.client.clone();
            let (c, name) = (client.clone(), a.release.clone());
            let history = helm_call("history", move || c.history(&name)).await?;
            let target = rollback_target(&a.release, &history, a.revision)?;
            let release = a.release.clone();
            helm_call("rollback", move || {
                client.rollback(&release, Some(target), Some(120))
            })
            .await?;
            Ok(RolledBackRelease {
                release: a.release,
                revision: Some(target),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn history(revisions: &[u32]) -> Vec<crate::helm::Release> {
        revisions
            .iter()
            .map(|r| serde_json::from_value(serde_json::json!({"name": "web", "namespace": "default", "revision": r, "status": "superseded"})).unwrap_or_else(|e| panic!("{e}")))
            .collect()
    }

    #[test]
    fn a_target_is_always_a_revision_the_history_holds() {
        assert_eq!(
            rollback_target("web", &history(&[1, 2, 3]), None).ok(),
            Some(2)
        );
        assert_eq!(
            rollback_target("web", &history(&[1, 2, 3]), Some(1)).ok(),
            Some(1)
        );
        // History pruned below the current revision: the newest that exists.
        assert_eq!(
            rollback_target("web", &history(&[4, 7]), None).ok(),
            Some(4)
        );
        let only = rollback_target("web", &history(&[1]), None)
            .unwrap_err()
            .to_string();
        assert!(
            only.contains("only revision 1") && only.contains("helm_upgrade"),
            "{only}"
        );
        let missing = rollback_target("web", &history(&[1, 2]), Some(5))
            .unwrap_err()
            .to_string();
        assert!(
            missing.contains("no revision 5") && missing.contains("1, 2"),
            "{missing}"
        );
        assert!(rollback_target("web", &history(&[1, 2]), Some(2)).is_err());
        assert!(matches!(
            rollback_target("web", &[], None),
            Err(ToolError::Retry(_))
        ));
    }
}
