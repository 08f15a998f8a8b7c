//! `describe`: one object in the spirit of `kubectl describe` — its spec and status in
//! short, with its events.

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Event, Pod, Service};
use kube::api::{Api, ListParams};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::tool::{Tool, ToolContext, ToolError, ToolFuture, ToolOutput, args, budget, schema_of};

/// Kinds `describe` knows.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A pod.
    Pod,
    /// A Deployment.
    Deployment,
    /// A ReplicaSet.
    Replicaset,
    /// A Service.
    Service,
}

/// Arguments of `describe`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DescribeArgs {
    /// What kind of object.
    pub kind: Kind,
    /// Its name.
    pub name: String,
}

/// The tool.
pub struct Describe;

async fn get(ctx: &ToolContext, kind: Kind, name: &str) -> Result<Value, ToolError> {
    let (c, ns) = (ctx.cluster.client.clone(), ctx.cluster.namespace.as_str());
    let r = match kind {
        Kind::Pod => Api::<Pod>::namespaced(c, ns)
            .get(name)
            .await
            .map(|o| serde_json::to_value(o).unwrap_or_default()),
        Kind::Deployment => Api::<Deployment>::namespaced(c, ns)
            .get(name)
            .await
            .map(|o| serde_json::to_value(o).unwrap_or_default()),
        Kind::Replicaset => Api::<ReplicaSet>::namespaced(c, ns)
            .get(name)
            .await
            .map(|o| serde_json::to_value(o).unwrap_or_default()),
        Kind::Service => Api::<Service>::namespaced(c, ns)
            .get(name)
            .await
            .map(|o| serde_json::to_value(o).unwrap_or_default()),
    };
    r.map_err(|e| ToolError::from(ctx.cluster.error(e)))
}

/// The parts of an object a person looks at first.
fn essentials(kind: Kind, o: &Value) -> Value {
    let containers = |spec: &Value| -> Vec<Value> {
        spec["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let env: Vec<Value> = c["env"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| match (&e["value"], &e["valueFrom"]) {
                        (Value::String(v), _) => json!(format!("{}={v}", e["name"].as_str().unwrap_or(""))),
                        (_, from) => json!(format!("{} from {}", e["name"].as_str().unwrap_or(""), from)),
                    })
                    .collect();
                json!({"name": c["name"], "image": c["image"], "ports": c["ports"], "env": env, "resources": c["resources"],
                       "readinessProbe": c["readinessProbe"], "livenessProbe": c["livenessProbe"]})
            })
            .collect()
    };
    match kind {
        Kind::Pod => {
            json!({"labels": o["metadata"]["labels"], "node": o["spec"]["nodeName"], "phase": o["status"]["phase"], "conditions": o["status"]["conditions"],
                            "containers": containers(&o["spec"]), "containerStatuses": o["status"]["containerStatuses"]})
        }
        Kind::Deployment | Kind::Replicaset => {
            json!({"labels": o["metadata"]["labels"], "annotations": o["metadata"]["annotations"], "replicas": o["spec"]["replicas"],
                            "selector": o["spec"]["selector"], "strategy": o["spec"]["strategy"], "containers": containers(&o["spec"]["template"]["spec"]), "status": o["status"]})
        }
        Kind::Service => {
            json!({"type": o["spec"]["type"], "clusterIP": o["spec"]["clusterIP"], "selector": o["spec"]["selector"], "ports": o["spec"]["ports"]})
        }
    }
}

impl Tool for Describe {
    fn name(&self) -> &'static str {
        "describe"
    }
    fn description(&self) -> &'static str {
        "Describe a pod, deployment, replicaset or service: its spec and status in short, with its events (as kubectl describe)."
    }
    fn mutates(&self) -> bool {
        false
    }
    fn schema(&self) -> Value {
        schema_of::<DescribeArgs>()
    }
    fn call<'a>(&'a self, ctx: &'a ToolContext, a: Value) -> ToolFuture<'a> {
        Box::pin(async move {
            let a: DescribeArgs = args(self.name(), a)?;
            let obj = get(ctx, a.kind, &a.name).await?;
            let events =
                Api::<Event>::namespaced(ctx.cluster.client.clone(), &ctx.cluster.namespace)
                    .list(&ListParams::default().fields(&format!("involvedObject.name={}", a.name)))
                    .await
                    .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            let events: Vec<String> = events
                .items
                .iter()
                .map(|e| {
                    format!(
                        "{} {}: {}",
                        e.type_.as_deref().unwrap_or(""),
                        e.reason.as_deref().unwrap_or(""),
                        e.message.as_deref().unwrap_or("")
                    )
                })
                .map(|l| ctx.redactor.redact(&l))
                .collect();
            let data = json!({"kind": a.kind, "name": a.name, "details": essentials(a.kind, &obj), "events": events});
            let text = ctx
                .redactor
                .redact(&serde_json::to_string_pretty(&data).unwrap_or_default());
            Ok(ToolOutput {
                data,
                text: budget(&text, 6000, false),
            })
        })
    }
}
