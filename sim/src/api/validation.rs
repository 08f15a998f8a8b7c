//! Server-side field validation (`fieldValidation=Strict|Warn|Ignore`, kubectl's
//! `--validate`), as the API server applies it while decoding a body: unknown fields are
//! rejected, reported as warnings, or dropped; a value of the wrong type is always refused.

use std::collections::HashMap;

use axum::http::{HeaderMap, HeaderValue};
use serde_json::Value;

use crate::resources::ResourceType;
use crate::status::ApiError;

/// What to do with unknown fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldValidation {
    /// Drop them silently.
    Ignore,
    /// Drop them and say so in `Warning` headers (the server's default).
    Warn,
    /// Refuse the request.
    Strict,
}

impl FieldValidation {
    /// From the `fieldValidation` query parameter.
    pub fn from_query(q: &HashMap<String, String>) -> Result<Self, ApiError> {
        match q.get("fieldValidation").map(String::as_str) {
            None | Some("") | Some("Warn") => Ok(Self::Warn),
            Some("Ignore") => Ok(Self::Ignore),
            Some("Strict") => Ok(Self::Strict),
            Some(other) => Err(ApiError::BadRequest(format!(
                "fieldValidation parameter unsupported: {other:?}: use Ignore, Warn or Strict"
            ))),
        }
    }
}

/// Checks a body against its kind's model and drops what the model does not know.
/// Returns the warnings to send; an error in Strict mode or for a value of the wrong type.
pub fn check(
    rt: &ResourceType,
    obj: &mut Value,
    mode: FieldValidation,
) -> Result<Vec<String>, ApiError> {
    // Decode as the server sees it: the kind's own apiVersion and kind, which the store
    // writes into every object anyway (so setting them here changes nothing stored).
    if let Some(m) = obj.as_object_mut() {
        m.insert("apiVersion".into(), rt.api_version().into());
        m.insert("kind".into(), rt.kind.into());
    }
    let cannot_handle = |why: String| {
        ApiError::BadRequest(format!(
            "{kind} in version \"{v}\" cannot be handled as a {kind}: {why}",
            kind = rt.kind,
            v = rt.version
        ))
    };
    let unknown = (rt.model.decode)(obj).map_err(|e| {
        cannot_handle(if e.path.is_empty() {
            e.message
        } else {
            format!(
                "json: cannot decode field {:?} of {}: {}",
                e.path, rt.kind, e.message
            )
        })
    })?;
    if unknown.is_empty() {
        return Ok(Vec::new());
    }
    let messages: Vec<String> = unknown
        .iter()
        .map(|p| format!("unknown field \"{p}\""))
        .collect();
    if mode == FieldValidation::Strict {
        return Err(cannot_handle(format!(
            "strict decoding error: {}",
            messages.join(", ")
        )));
    }
    for p in &unknown {
        p.remove_from(obj);
    }
    Ok(if mode == FieldValidation::Warn {
        messages
    } else {
        Vec::new()
    })
}

/// Adds `Warning: 299 - "…"` headers, as the API server sends them.
pub fn add_warnings(headers: &mut HeaderMap, warnings: &[String]) {
    for w in warnings {
        let text = format!("299 - \"{}\"", w.replace('\\', "\\\\").replace('"', "\\\""));
        if let Ok(v) = HeaderValue::from_str(&text) {
            headers.append("warning", v);
        }
    }
}
