//! `describe`: one object in the spirit of `kubectl describe` — its spec and status in
//! short, with its events.

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Event, Pod, Service};
use kube::api::{Api, ListParams};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

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

/// One object in short, with its events.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ObjectDescription {
    /// Its kind.
    pub kind: Kind,
    /// Its name.
    pub name: String,
    /// The parts a person looks at first; their shape depends on the kind, as in kubectl.
    pub details: Value,
    /// Its events, `type reason: message`.
    pub events: Vec<String>,
}

impl TypedTool for Describe {
    const NAME: &'static str = "describe";
    const DESCRIPTION: &'static str = "Describe a pod, deployment, replicaset or service: its spec and status in short, with its events (as kubectl describe).";
    const MUTATES: bool = false;
    type Args = DescribeArgs;
    type Output = ObjectDescription;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: DescribeArgs) -> ToolRun<'a, ObjectDescription> {
        Box::pin(async move {
            let obj = get(ctx, a.kind, &a.name).await?;
            let events =
                Api::<Event>::namespaced(ctx.cluster.client.clone(), &ctx.cluster.namespace)
                    .list(&ListParams::default().fields(&format!("involvedObject.name={}", a.name)))
                    .await
                    .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            let events = events
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
                .collect();
            Ok(ObjectDescription {
                kind: a.kind,
                details: essentials(a.kind, &obj),
                name: a.name,
                events,
            })
        })
    }

    fn render(&self, d: &ObjectDescription) -> String {
        serde_json::to_string_pretty(d).unwrap_or_default()
    }
}
