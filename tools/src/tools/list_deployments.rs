//! `list_deployments`: Deployments with their rollout state, as `kubectl rollout status` reads it.

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::ListParams;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::tool::{Listed, ToolContext, ToolError, ToolRun, TypedTool};

/// Arguments of `list_deployments`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListDeploymentsArgs {
    /// Every namespace instead of one (as `kubectl get deployments -A`).
    #[serde(default)]
    pub all_namespaces: bool,
}

/// The rollout state of a Deployment in kubectl's words.
pub fn rollout_state(d: &Value) -> String {
    let want = d["spec"]["replicas"].as_i64().unwrap_or(1);
    let s = &d["status"];
    let n = |k: &str| s[k].as_i64().unwrap_or(0);
    let deadline = s["conditions"]
        .as_array()
        .is_some_and(|c| c.iter().any(|c| c["reason"] == "ProgressDeadlineExceeded"));
    if deadline {
        "exceeded its progress deadline".into()
    } else if s["observedGeneration"].as_i64() < d["metadata"]["generation"].as_i64() {
        "waiting for the spec update to be observed".into()
    } else if n("updatedReplicas") < want {
        format!("{} of {want} new replicas updated", n("updatedReplicas"))
    } else if n("replicas") > n("updatedReplicas") {
        format!(
            "{} old replicas pending termination",
            n("replicas") - n("updatedReplicas")
        )
    } else if n("availableReplicas") < n("updatedReplicas") {
        format!(
            "{} of {} updated replicas available",
            n("availableReplicas"),
            n("updatedReplicas")
        )
    } else {
        "successfully rolled out".into()
    }
}

/// One Deployment's replicas and rollout.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DeploymentRow {
    /// Its namespace.
    pub namespace: String,
    /// Deployment name.
    pub name: String,
    /// The Helm release that owns it (`meta.helm.sh/release-name`), if any.
    pub release: Option<String>,
    /// The labels its selector matches (`matchLabels`).
    pub selector: std::collections::BTreeMap<String, String>,
    /// `spec.replicas`.
    pub desired: i64,
    /// Ready replicas.
    pub ready: i64,
    /// Replicas of the current template.
    pub updated: i64,
    /// Available replicas.
    pub available: i64,
    /// Container names, in the order of `images`.
    pub containers: Vec<String>,
    /// Container images.
    pub images: Vec<String>,
    /// The rollout state in kubectl's words.
    pub rollout: String,
}

fn deployment_row(d: &Value) -> DeploymentRow {
    let n = |k: &str| d["status"][k].as_i64().unwrap_or(0);
    DeploymentRow {
        namespace: d["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .into(),
        name: d["metadata"]["name"].as_str().unwrap_or_default().into(),
        release: d["metadata"]["annotations"]["meta.helm.sh/release-name"]
            .as_str()
            .map(str::to_string),
        selector: serde_json::from_value(d["spec"]["selector"]["matchLabels"].clone())
            .unwrap_or_default(),
        desired: d["spec"]["replicas"].as_i64().unwrap_or(1),
        ready: n("readyReplicas"),
        updated: n("updatedReplicas"),
        available: n("availableReplicas"),
        containers: d["spec"]["template"]["spec"]["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| c["name"].as_str().unwrap_or_default().to_string())
            .collect(),
        images: d["spec"]["template"]["spec"]["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["image"].as_str().map(str::to_string))
            .collect(),
        rollout: rollout_state(d),
    }
}

/// The tool.
pub struct ListDeployments;

impl TypedTool for ListDeployments {
    const NAME: &'static str = "list_deployments";
    const DESCRIPTION: &'static str = "List Deployments: desired, ready, updated and available replicas, images, and the rollout state.";
    const MUTATES: bool = false;
    type Args = ListDeploymentsArgs;
    type Output = Listed<DeploymentRow>;

    fn run<'a>(
        &'a self,
        ctx: &'a ToolContext,
        a: ListDeploymentsArgs,
    ) -> ToolRun<'a, Listed<DeploymentRow>> {
        Box::pin(async move {
            let list = ctx
                .cluster
                .list_api::<Deployment>(a.all_namespaces)
                .list(&ListParams::default())
                .await
                .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            Ok(Listed {
                all_namespaces: a.all_namespaces,
                rows: list
                    .items
                    .iter()
                    .filter_map(|d| serde_json::to_value(d).ok())
                    .map(|d| deployment_row(&d))
                    .collect(),
            })
        })
    }

    fn render(&self, list: &Listed<DeploymentRow>) -> String {
        if list.rows.is_empty() {
            return "no deployments".into();
        }
        list.rows
            .iter()
            .map(|r| {
                format!(
                    "{} ready {}/{} updated {} available {} images {} — {}",
                    list.qualified(&r.namespace, &r.name),
                    r.ready,
                    r.desired,
                    r.updated,
                    r.available,
                    r.images.join(","),
                    r.rollout
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
