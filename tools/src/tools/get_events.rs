//! `get_events`: events of the namespace, optionally about one object or only warnings.

use k8s_openapi::api::core::v1::Event;
use kube::api::{Api, ListParams};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

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

/// One event, as `kubectl get events` shows it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct EventRow {
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Why, e.g. `BackOff`.
    pub reason: String,
    /// `kind/name` of the object, kind lower-case.
    pub object: String,
    /// The message (Secret values masked).
    pub message: String,
    /// How many times it was seen.
    pub count: i32,
    /// When it was last seen (RFC 3339).
    pub last_seen: Option<String>,
}

fn event_row(e: &Event) -> EventRow {
    let o = &e.involved_object;
    EventRow {
        type_: e.type_.clone().unwrap_or_default(),
        reason: e.reason.clone().unwrap_or_default(),
        object: format!(
            "{}/{}",
            o.kind.as_deref().unwrap_or("").to_lowercase(),
            o.name.as_deref().unwrap_or("")
        ),
        message: e.message.clone().unwrap_or_default(),
        count: e.count.unwrap_or(1),
        last_seen: e.last_timestamp.as_ref().map(|t| t.0.to_string()),
    }
}

/// The tool.
pub struct GetEvents;

impl TypedTool for GetEvents {
    const NAME: &'static str = "get_events";
    const DESCRIPTION: &'static str = "List recent events (reason, object, message, count), oldest first; filter by object name or warnings.";
    const MUTATES: bool = false;
    const KEEPS_TAIL: bool = true;
    type Args = GetEventsArgs;
    type Output = Vec<EventRow>;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: GetEventsArgs) -> ToolRun<'a, Vec<EventRow>> {
        Box::pin(async move {
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
            let mut events: Vec<&Event> = list
                .items
                .iter()
                .filter(|e| {
                    cutoff.is_none_or(|c| {
                        e.last_timestamp
                            .as_ref()
                            .is_some_and(|t| t.0.as_second() >= c)
                    })
                })
                .collect();
            events.sort_by_key(|e| e.last_timestamp.as_ref().map(|t| t.0.as_second()));
            Ok(events.into_iter().map(event_row).collect())
        })
    }

    fn render(&self, rows: &Vec<EventRow>) -> String {
        if rows.is_empty() {
            return "no events".to_string();
        }
        rows.iter()
            .map(|r| {
                format!(
                    "{} {} {}: {} (x{})",
                    r.type_, r.object, r.reason, r.message, r.count
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
