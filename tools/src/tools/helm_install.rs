//! `helm_install` and `helm_uninstall`: put one of the bundled charts on the cluster, or take
//! a release off it (both mutating).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::helm::{ActionOptions, Chart};
use crate::tool::{
    Tool, ToolContext, ToolError, ToolFuture, ToolOutput, args, helm_call, schema_of,
};
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

impl Tool for HelmInstall {
    fn name(&self) -> &'static str {
        "helm_install"
    }
    fn description(&self) -> &'static str {
        "Install one of the bundled charts (todo-backend or todo-frontend) as a release of the same name."
    }
    fn mutates(&self) -> bool {
        true
    }
    fn schema(&self) -> Value {
        schema_of::<HelmInstallArgs>()
    }
    fn call<'a>(&'a self, ctx: &'a ToolContext, a: Value) -> ToolFuture<'a> {
        Box::pin(async move {
            let a: HelmInstallArgs = args(self.name(), a)?;
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
            Ok(ToolOutput {
                data: json!({"release": rel.name, "revision": rel.revision, "status": rel.status}),
                text: format!("release {} installed ({})", rel.name, rel.status),
            })
        })
    }
}

impl Tool for HelmUninstall {
    fn name(&self) -> &'static str {
        "helm_uninstall"
    }
    fn description(&self) -> &'static str {
        "Uninstall a Helm release and every object it created."
    }
    fn mutates(&self) -> bool {
        true
    }
    fn schema(&self) -> Value {
        schema_of::<HelmUninstallArgs>()
    }
    fn call<'a>(&'a self, ctx: &'a ToolContext, a: Value) -> ToolFuture<'a> {
        Box::pin(async move {
            let a: HelmUninstallArgs = args(self.name(), a)?;
            let client = ctx.helm()?.client.clone();
            let release = a.release.clone();
            helm_call("uninstall", move || client.uninstall(&release)).await?;
            Ok(ToolOutput {
                data: json!({"release": a.release}),
                text: format!("release {} uninstalled", a.release),
            })
        })
    }
}
