//! Events with the real reasons and message shapes; a repeat bumps `count`.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::meta;
use crate::meta::ident;
use crate::resources::EVENT;
use crate::store::Store;

/// Normal or Warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Normal.
    Normal,
    /// Warning.
    Warning,
}

/// Remembers recorded events so repeats update `count` instead of piling up.
#[derive(Default)]
pub struct Recorder {
    seen: HashMap<(String, String, String), (String, String)>,
}

impl Recorder {
    /// Records (or repeats) an event about `involved`.
    pub fn record(
        &mut self,
        store: &Store,
        involved: &Value,
        kind: Kind,
        reason: &str,
        message: &str,
        component: &str,
    ) {
        let (name, ns, uid) = ident(involved);
        let ns = if ns.is_empty() {
            "default".to_string()
        } else {
            ns
        };
        let events = &EVENT;
        let key = (uid.clone(), reason.to_string(), message.to_string());
        let now = meta::now();
        if let Some((ev_ns, ev_name)) = self.seen.get(&key)
            && store
                .modify(events, ev_ns, ev_name, |e| {
                    e["count"] = json!(e["count"].as_i64().unwrap_or(1) + 1);
                    e["lastTimestamp"] = json!(now);
                    Ok(())
                })
                .is_ok()
        {
            return;
        }
        let ev = json!({
            "metadata": {"name": format!("{name}.{}", meta::suffix(8)), "namespace": ns},
            "involvedObject": {
                "kind": involved["kind"], "apiVersion": involved["apiVersion"],
                "name": name, "namespace": involved["metadata"]["namespace"], "uid": uid,
                "resourceVersion": involved["metadata"]["resourceVersion"],
            },
            "reason": reason,
            "message": message,
            "type": match kind { Kind::Normal => "Normal", Kind::Warning => "Warning" },
            "source": {"component": component, "host": if component == "kubelet" { json!("kubesim") } else { Value::Null }},
            "reportingComponent": component,
            "reportingInstance": "kubesim",
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
        });
        if let Ok(created) = store.create(events, &ns, ev) {
            let (ev_name, ev_ns, _) = ident(&created);
            self.seen.insert(key, (ev_ns, ev_name));
        }
    }
}
