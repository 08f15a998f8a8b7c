//! `list_services`: Services with their selector, ports and ready/not-ready endpoints.

use k8s_openapi::api::core::v1::{Endpoints, Service};
use kube::api::{Api, ListParams};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::tool::{Tool, ToolContext, ToolError, ToolFuture, ToolOutput, args, schema_of};

/// Arguments of `list_services` (none).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListServicesArgs {}

/// The tool.
pub struct ListServices;

impl Tool for ListServices {
    fn name(&self) -> &'static str {
        "list_services"
    }
    fn description(&self) -> &'static str {
        "List Services: type, ports and targetPorts, selector, and how many ready and not-ready endpoints each has."
    }
    fn mutates(&self) -> bool {
        false
    }
    fn schema(&self) -> Value {
        schema_of::<ListServicesArgs>()
    }
    fn call<'a>(&'a self, ctx: &'a ToolContext, a: Value) -> ToolFuture<'a> {
        Box::pin(async move {
            let _: ListServicesArgs = args(self.name(), a)?;
            let (c, ns) = (ctx.cluster.client.clone(), ctx.cluster.namespace.clone());
            let services = Api::<Service>::namespaced(c.clone(), &ns)
                .list(&ListParams::default())
                .await
                .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            let endpoints = Api::<Endpoints>::namespaced(c, &ns)
                .list(&ListParams::default())
                .await
                .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            let eps: Vec<Value> = endpoints
                .items
                .iter()
                .filter_map(|e| serde_json::to_value(e).ok())
                .collect();
            let rows: Vec<Value> = services
                .items
                .iter()
                .filter_map(|s| serde_json::to_value(s).ok())
                .map(|s| {
                    let ep = eps.iter().find(|e| e["metadata"]["name"] == s["metadata"]["name"]);
                    let count = |k: &str| ep.map_or(0, |e| e["subsets"].as_array().into_iter().flatten().map(|ss| ss[k].as_array().map_or(0, Vec::len)).sum::<usize>());
                    let ports: Vec<String> = s["spec"]["ports"].as_array().into_iter().flatten().map(|p| format!("{}->{}", p["port"], p["targetPort"])).collect();
                    json!({"name": s["metadata"]["name"], "type": s["spec"]["type"], "ports": ports, "selector": s["spec"]["selector"],
                           "ready_endpoints": count("addresses"), "not_ready_endpoints": count("notReadyAddresses")})
                })
                .collect();
            let text = rows
                .iter()
                .map(|r| {
                    format!(
                        "{} {} ports {} selector {} endpoints ready {} not-ready {}",
                        r["name"].as_str().unwrap_or(""),
                        r["type"].as_str().unwrap_or(""),
                        r["ports"],
                        r["selector"],
                        r["ready_endpoints"],
                        r["not_ready_endpoints"]
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            Ok(ToolOutput {
                data: Value::Array(rows),
                text: if text.is_empty() {
                    "no services".into()
                } else {
                    text
                },
            })
        })
    }
}
