//! `metadata.managedFields` entries: who wrote (manager, operation, API version, time,
//! subresource) and the fields they own, read from and written back to an object.

use serde_json::{Value, json};

use super::fieldset::FieldSet;
use crate::resources::ResourceType;

/// Who writes: the field manager, the API version it wrote in, and the subresource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manager {
    /// `fieldManager`, or the client's user agent up to its first `/`.
    pub name: String,
    /// `apps/v1`.
    pub api_version: String,
    /// `status` for writes to the status subresource.
    pub subresource: Option<String>,
}

impl Manager {
    /// The manager of a request: `fieldManager` when given, else the user agent's product.
    pub fn of_request(
        field_manager: Option<&str>,
        user_agent: Option<&str>,
        rt: &ResourceType,
        subresource: Option<&str>,
    ) -> Self {
        let name = field_manager
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| {
                user_agent
                    .and_then(|ua| ua.split('/').next())
                    .unwrap_or_default()
                    .chars()
                    .take(128)
                    .collect()
            });
        Self {
            name,
            api_version: rt.api_version(),
            subresource: subresource.map(str::to_string),
        }
    }
}

/// One `managedFields` entry.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) manager: String,
    pub(super) operation: String,
    pub(super) api_version: String,
    pub(super) time: Option<String>,
    pub(super) subresource: Option<String>,
    pub(super) fields: FieldSet,
}

impl Entry {
    pub(super) fn read(v: &Value) -> Option<Self> {
        Some(Self {
            manager: v["manager"].as_str()?.to_string(),
            operation: v["operation"].as_str().unwrap_or("Update").to_string(),
            api_version: v["apiVersion"].as_str().unwrap_or_default().to_string(),
            time: v["time"].as_str().map(str::to_string),
            subresource: v["subresource"].as_str().map(str::to_string),
            fields: FieldSet::from_fields_v1(&v["fieldsV1"]),
        })
    }

    pub(super) fn write(&self) -> Value {
        let mut v = json!({
            "manager": self.manager,
            "operation": self.operation,
            "apiVersion": self.api_version,
            "fieldsType": "FieldsV1",
            "fieldsV1": self.fields.to_fields_v1(),
        });
        if let Some(t) = &self.time {
            v["time"] = json!(t);
        }
        if let Some(s) = &self.subresource {
            v["subresource"] = json!(s);
        }
        v
    }

    pub(super) fn is(&self, who: &Manager, operation: &str) -> bool {
        self.manager == who.name
            && self.operation == operation
            && self.subresource == who.subresource
    }

    /// How conflict messages name the manager.
    pub(super) fn describe(&self) -> String {
        let mut s = format!("{:?}", self.manager);
        if let Some(sub) = &self.subresource {
            s.push_str(&format!(" with subresource {sub:?}"));
        }
        if self.operation == "Update" {
            s.push_str(&format!(" using {}", self.api_version));
            if let Some(t) = &self.time {
                s.push_str(&format!(" at {t}"));
            }
        }
        s
    }
}

pub(super) fn entries(obj: &Value) -> Vec<Entry> {
    obj["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Entry::read)
        .collect()
}

pub(super) fn store_entries(obj: &mut Value, list: &[Entry]) {
    let kept: Vec<Value> = list
        .iter()
        .filter(|e| !e.fields.is_empty())
        .map(Entry::write)
        .collect();
    if let Some(m) = obj["metadata"].as_object_mut() {
        if kept.is_empty() {
            m.remove("managedFields");
        } else {
            m.insert("managedFields".into(), Value::Array(kept));
        }
    }
}

/// The entries a client sent, when it sent different ones: a list of entries replaces the
/// stored ones, a list of one empty entry clears them, an empty list changes nothing.
pub(super) fn client_entries(before: Option<&Value>, after: &Value) -> Option<Vec<Entry>> {
    let sent = after["metadata"]["managedFields"].as_array()?;
    if sent.is_empty()
        || before
            .is_some_and(|b| b["metadata"]["managedFields"] == after["metadata"]["managedFields"])
    {
        return None;
    }
    Some(sent.iter().filter_map(Entry::read).collect())
}
