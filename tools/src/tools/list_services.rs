//! `list_services`: Services with their selector, ports and ready/not-ready endpoints.

use k8s_openapi::api::core::v1::{Endpoints, Service};
use kube::api::ListParams;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::tool::{Listed, ToolContext, ToolError, ToolRun, TypedTool};

/// Arguments of `list_services` (none).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListServicesArgs {
    /// Every namespace instead of one (as `kubectl get services -A`).
    #[serde(default)]
    pub all_namespaces: bool,
}

/// One Service and how many endpoints back it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ServiceRow {
    /// Its namespace.
    pub namespace: String,
    /// Service name.
    pub name: String,
    /// `ClusterIP`, `NodePort`, …
    #[serde(rename = "type")]
    pub type_: String,
    /// `port->targetPort` for each port.
    pub ports: Vec<String>,
    /// The pod selector.
    pub selector: std::collections::BTreeMap<String, String>,
    /// Addresses of ready pods.
    pub ready_endpoints: usize,
    /// Addresses of pods that are not ready.
    pub not_ready_endpoints: usize,
}

fn service_row(s: &Value, eps: &[Value]) -> ServiceRow {
    let ep = eps.iter().find(|e| {
        e["metadata"]["name"] == s["metadata"]["name"]
            && e["metadata"]["namespace"] == s["metadata"]["namespace"]
    });
    let count = |k: &str| {
        ep.map_or(0, |e| {
            e["subsets"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|ss| ss[k].as_array().map_or(0, Vec::len))
                .sum::<usize>()
        })
    };
    ServiceRow {
        namespace: s["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .into(),
        name: s["metadata"]["name"].as_str().unwrap_or_default().into(),
        type_: s["spec"]["type"].as_str().unwrap_or("ClusterIP").into(),
        ports: s["spec"]["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                let target = p["targetPort"]
                    .as_str()
                    .map_or_else(|| p["targetPort"].to_string(), str::to_string);
                format!("{}->{target}", p["port"])
            })
            .collect(),
        selector: serde_json::from_value(s["spec"]["selector"].clone()).unwrap_or_default(),
        ready_endpoints: count("addresses"),
        not_ready_endpoints: count("notReadyAddresses"),
    }
}

/// The tool.
pub struct ListServices;

impl TypedTool for ListServices {
    const NAME: &'static str = "list_services";
    const DESCRIPTION: &'static str = "List Services: type, ports and targetPorts, selector, and how many ready and not-ready endpoints each has.";
    const MUTATES: bool = false;
    type Args = ListServicesArgs;
    type Output = Listed<ServiceRow>;

    fn run<'a>(
        &'a self,
        ctx: &'a ToolContext,
        a: ListServicesArgs,
    ) -> ToolRun<'a, Listed<ServiceRow>> {
        Box::pin(async move {
            let services = ctx
                .cluster
                .list_api::<Service>(a.all_namespaces)
                .list(&ListParams::default())
                .await
                .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            let endpoints = ctx
                .cluster
                .list_api::<Endpoints>(a.all_namespaces)
                .list(&ListParams::default())
                .await
                .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            let eps: Vec<Value> = endpoints
                .items
                .iter()
                .filter_map(|e| serde_json::to_value(e).ok())
                .collect();
            Ok(Listed {
                all_namespaces: a.all_namespaces,
                rows: services
                    .items
                    .iter()
                    .filter_map(|s| serde_json::to_value(s).ok())
                    .map(|s| service_row(&s, &eps))
                    .collect(),
            })
        })
    }

    fn render(&self, list: &Listed<ServiceRow>) -> String {
        if list.rows.is_empty() {
            return "no services".into();
        }
        list.rows
            .iter()
            .map(|r| {
                let selector: Vec<String> =
                    r.selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!(
                    "{} {} ports {} selector {} endpoints ready {} not-ready {}",
                    list.qualified(&r.namespace, &r.name),
                    r.type_,
                    r.ports.join(","),
                    selector.join(","),
                    r.ready_endpoints,
                    r.not_ready_endpoints
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
