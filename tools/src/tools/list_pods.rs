//! `list_pods`: the pods of the namespace with readiness, status, restarts and the last
//! termination.

use k8s_openapi::api::core::v1::Pod;
use kube::api::ListParams;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tool::{Listed, ToolContext, ToolError, ToolRun, TypedTool};

/// Arguments of `list_pods`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListPodsArgs {
    /// A label selector such as `app.kubernetes.io/name=todo-backend`.
    #[serde(default)]
    pub label_selector: Option<String>,
    /// Every namespace instead of one (as `kubectl get pods -A`).
    #[serde(default)]
    pub all_namespaces: bool,
}

/// One pod, as `kubectl get pods` shows it plus the last termination.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PodRow {
    /// Its namespace.
    pub namespace: String,
    /// Pod name.
    pub name: String,
    /// Ready containers over all, e.g. `1/1`.
    pub ready: String,
    /// The waiting reason of a container, else the phase.
    pub status: String,
    /// Restarts summed over containers.
    pub restarts: i64,
    /// Time since the pod was created, as kubectl prints it.
    pub age: String,
    /// The last termination, e.g. `OOMKilled (exit 137)`.
    pub last_termination: Option<String>,
    /// Each container's image, in order.
    pub images: Vec<String>,
    /// Its labels.
    pub labels: std::collections::BTreeMap<String, String>,
    /// The object that controls it, as KIND/NAME (`replicaset/web-5d9c`), if any.
    pub owner: Option<String>,
}

fn row(pod: &Pod) -> PodRow {
    let age = crate::age::age_since(pod.metadata.creation_timestamp.as_ref());
    let p = &serde_json::to_value(pod).unwrap_or_default();
    let statuses = p["status"]["containerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let total = p["spec"]["containers"].as_array().map_or(0, Vec::len);
    let ready = statuses.iter().filter(|c| c["ready"] == true).count();
    let waiting = statuses
        .iter()
        .find_map(|c| c["state"]["waiting"]["reason"].as_str());
    let status = waiting.map(str::to_string).unwrap_or_else(|| {
        p["status"]["phase"]
            .as_str()
            .unwrap_or("Unknown")
            .to_string()
    });
    let last = statuses.iter().find_map(|c| {
        let t = &c["lastState"]["terminated"];
        t.is_object().then(|| {
            format!(
                "{} (exit {})",
                t["reason"].as_str().unwrap_or("?"),
                t["exitCode"]
            )
        })
    });
    PodRow {
        namespace: p["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        // Init containers' images too: the pod pulls and runs them as well.
        images: ["initContainers", "containers"]
            .iter()
            .flat_map(|l| p["spec"][*l].as_array().into_iter().flatten())
            .filter_map(|c| c["image"].as_str().map(str::to_string))
            .collect(),
        labels: serde_json::from_value(p["metadata"]["labels"].clone()).unwrap_or_default(),
        owner: p["metadata"]["ownerReferences"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|o| o["controller"] == true)
            .map(|o| {
                format!(
                    "{}/{}",
                    o["kind"].as_str().unwrap_or_default().to_lowercase(),
                    o["name"].as_str().unwrap_or_default()
                )
            }),
        name: p["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        ready: format!("{ready}/{total}"),
        status,
        restarts: statuses
            .iter()
            .map(|c| c["restartCount"].as_i64().unwrap_or(0))
            .sum(),
        age,
        last_termination: last,
    }
}

/// The tool.
pub struct ListPods;

impl TypedTool for ListPods {
    const NAME: &'static str = "list_pods";
    const DESCRIPTION: &'static str = "List the pods of the namespace: ready containers, status, restarts, age, last termination reason and exit code.";
    const MUTATES: bool = false;
    type Args = ListPodsArgs;
    type Output = Listed<PodRow>;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: ListPodsArgs) -> ToolRun<'a, Listed<PodRow>> {
        Box::pin(async move {
            let api = ctx.cluster.list_api::<Pod>(a.all_namespaces);
            let mut lp = ListParams::default();
            if let Some(s) = &a.label_selector {
                lp = lp.labels(s);
            }
            let pods = api
                .list(&lp)
                .await
                .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            Ok(Listed {
                all_namespaces: a.all_namespaces,
                rows: pods.items.iter().map(row).collect(),
            })
        })
    }

    fn render(&self, list: &Listed<PodRow>) -> String {
        if list.rows.is_empty() {
            return "no pods".to_string();
        }
        list.rows
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} restarts={} age={}{}",
                    list.qualified(&r.namespace, &r.name),
                    r.ready,
                    r.status,
                    r.restarts,
                    r.age,
                    r.last_termination
                        .as_ref()
                        .map(|l| format!(" last={l}"))
                        .unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
