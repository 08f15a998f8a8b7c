//! `get_events`: events of the namespace, optionally about one object or only warnings.

use k8s_openapi::api::core::v1::Event;
use kube::api::{Api, ListParams};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::tool::{Tool, ToolContext, ToolError, ToolFuture, ToolOutput, args, budget, schema_of};

/// Arguments of `get_events`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetEventsArgs {
    /// Only events about the object with this name (a pod, a deployment, …).
    #[serde(default)]
    pub object: Option<String>,
    /// Only Warning events.
    #[serde(default)]
    pub warnings_only: bool,
    /// Only events seen in the last this many seconds.
    #[serde(default)]
    pub since_seconds: Option<u64>,
}

/// The tool.
pub struct GetEvents;

impl Tool for GetEvents {
    fn name(&self) -> &'static str {
        "get_events"
    }
    fn description(&self) -> &'static str {
        "List recent events (reason, object, message, count), oldest first; filter by object name or warnings."
    }
    fn mutates(&self) -> bool {
        false
    }
    fn schema(&self) -> Value {
        schema_of::<GetEventsArgs>()
    }
    fn call<'a>(&'a self, ctx: &'a ToolContext, a: Value) -> ToolFuture<'a> {
        Box::pin(async move {
            let a: GetEventsArgs = args(self.name(), a)?;
            let api: Api<Event> =
                Api::namespaced(ctx.cluster.client.clone(), &ctx.cluster.namespace);
            let mut lp = ListParams::default();
            let mut fields = Vec::new();
            if let Some(o) = &a.object {
                fields.push(format!("involvedObject.name={o}"));
            }
            if a.warnings_only {
                fields.push("type=Warning".into());
            }
            if !fields.is_empty() {
                lp = lp.fields(&fields.join(","));
            }
            let list = api
                .list(&lp)
                .await
                .map_err(|e| ToolError::from(ctx.cluster.error(e)))?;
            let cutoff = a.since_seconds.map(|s| {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or(0);
                now - s as i64
            });
            let mut events: Vec<Value> = list
                .items
                .iter()
                .filter(|e| {
                    cutoff.is_none_or(|c| {
                        e.last_timestamp
                            .as_ref()
                            .is_some_and(|t| t.0.as_second() >= c)
                    })
                })
                .filter_map(|e| serde_json::to_value(e).ok())
                .collect();
            events.sort_by_key(|e| e["lastTimestamp"].as_str().unwrap_or_default().to_string());
            let rows: Vec<Value> = events
                .iter()
                .map(|e| {
                    json!({"type": e["type"], "reason": e["reason"], "object": format!("{}/{}", e["involvedObject"]["kind"].as_str().unwrap_or("").to_lowercase(), e["involvedObject"]["name"].as_str().unwrap_or("")),
                           "message": ctx.redactor.redact(e["message"].as_str().unwrap_or("")), "count": e["count"]})
                })
                .collect();
            let text = rows
                .iter()
                .map(|r| {
                    format!(
                        "{} {} {}: {} (x{})",
                        r["type"].as_str().unwrap_or(""),
                        r["object"].as_str().unwrap_or(""),
                        r["reason"].as_str().unwrap_or(""),
                        r["message"].as_str().unwrap_or(""),
                        r["count"].as_i64().unwrap_or(1)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            let text = if rows.is_empty() {
                "no events".to_string()
            } else {
                budget(&text, 4000, true)
            };
            Ok(ToolOutput {
                data: Value::Array(rows),
                text,
            })
        })
    }
}
