//! `helm_list`: the Helm releases of the namespace with status, revision and chart.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::helm::Release;
use crate::tool::{ToolContext, ToolRun, TypedTool, helm_call};

/// Arguments of `helm_list`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HelmListArgs {
    /// Include releases in every state (failed, pending, uninstalled), not only deployed ones.
    #[serde(default)]
    pub all: bool,
    /// Releases of every namespace (`helm list -A`), not only this one's.
    #[serde(default)]
    pub all_namespaces: bool,
}

/// The tool.
pub struct HelmList;

impl TypedTool for HelmList {
    const NAME: &'static str = "helm_list";
    const DESCRIPTION: &'static str = "List the Helm releases of the namespace (or of every namespace): status, revision, chart and app version.";
    const MUTATES: bool = false;
    const NAMESPACED: bool = true;
    type Args = HelmListArgs;
    type Output = Vec<Release>;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: HelmListArgs) -> ToolRun<'a, Vec<Release>> {
        Box::pin(async move {
            let client = ctx.helm()?.client.clone();
            let releases = helm_call("list", move || client.list(a.all, a.all_namespaces)).await?;
            Ok(releases
                .into_iter()
                .map(|r| Release {
                    manifest: None,
                    notes: None,
                    ..r
                })
                .collect())
        })
    }

    fn render(&self, releases: &Vec<Release>) -> String {
        if releases.is_empty() {
            return "no releases".into();
        }
        // Namespaces are named when the rows span more than one (`helm list -A`).
        let spans = releases
            .iter()
            .any(|r| r.namespace != releases[0].namespace);
        releases
            .iter()
            .map(|r| {
                format!(
                    "{}{} {} revision {} {}-{}",
                    if spans {
                        format!("{}/", r.namespace)
                    } else {
                        String::new()
                    },
                    r.name,
                    r.status,
                    r.revision,
                    r.chart_name.as_deref().unwrap_or(""),
                    r.chart_version.as_deref().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
