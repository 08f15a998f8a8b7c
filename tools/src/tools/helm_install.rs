//! `helm_install` and `helm_uninstall`: put one of the bundled charts on the cluster, or take
//! a release off it (both mutating).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::helm::{ActionOptions, Chart, Release};
use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool, helm_call};
use crate::values::ValuesPatch;

/// Arguments of `helm_install`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HelmInstallArgs {
    /// The bundled chart, which is also the release name: `todo-backend` or `todo-frontend`.
    pub chart: String,
    /// Values over the chart's defaults (checked against its schema first).
    #[serde(default)]
    pub values: Option<Value>,
}

/// Arguments of `helm_uninstall`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HelmUninstallArgs {
    /// The release to remove.
    pub release: String,
}

/// The install tool.
pub struct HelmInstall;

/// The uninstall tool.
pub struct HelmUninstall;

/// The release that was removed.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct UninstalledRelease {
    /// Its name.
    pub release: String,
}

impl TypedTool for HelmInstall {
    const NAME: &'static str = "helm_install";
    const DESCRIPTION: &'static str = "Install one of the bundled charts (todo-backend or todo-frontend) as a release of the same name.";
    const MUTATES: bool = true;
    const NAMESPACED: bool = true;
    type Args = HelmInstallArgs;
    type Output = Release;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: HelmInstallArgs) -> ToolRun<'a, Release> {
        Box::pin(async move {
            if !["todo-backend", "todo-frontend"].contains(&a.chart.as_str()) {
                return Err(ToolError::Retry(format!(
                    "{:?} is not a bundled chart; use todo-backend or todo-frontend",
                    a.chart
                )));
            }
            let values = ValuesPatch::new(a.values.clone().unwrap_or_else(|| json!({})))
                .map_err(ToolError::Retry)?
                .0;
            let helm = ctx.helm()?;
            let (client, dir, name) = (
                helm.client.clone(),
                helm.charts.join(&a.chart),
                a.chart.clone(),
            );
            let rel = helm_call("install", move || {
                let chart = Chart::load(&dir)?;
                chart.validate_values(&values)?;
                client.install(&chart, &name, &values, &ActionOptions::default())
            })
            .await?;
            // The manifest is `diff_manifest`'s business; NOTES.txt stays (port-forward hints).
            Ok(Release {
                manifest: None,
                ..rel
            })
        })
    }

    fn render(&self, rel: &Release) -> String {
        format!("release {} installed ({})", rel.name, rel.status)
    }
}

impl TypedTool for HelmUninstall {
    const NAME: &'static str = "helm_uninstall";
    const DESCRIPTION: &'static str = "Uninstall a Helm release and every object it created.";
    const MUTATES: bool = true;
    const NAMESPACED: bool = true;
    type Args = HelmUninstallArgs;
    type Output = UninstalledRelease;

    fn run<'a>(
        &'a self,
        ctx: &'a ToolContext,
        a: HelmUninstallArgs,
    ) -> ToolRun<'a, UninstalledRelease> {
        Box::pin(async move {
            let client = ctx.helm()?.client.clone();
            let release = a.release.clone();
            helm_call("uninstall", move || client.uninstall(&release)).await?;
            Ok(UninstalledRelease { release: a.release })
        })
    }

    fn render(&self, out: &UninstalledRelease) -> String {
        format!("release {} uninstalled", out.release)
    }
}
