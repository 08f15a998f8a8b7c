//! `limit` and `continue`, as the API server pages a list: a page of at most `limit`
//! items in key order, and an opaque token that resumes after the last one.

use std::borrow::Borrow;
use std::collections::HashMap;

use base64::Engine;
use serde_json::{Value, json};

use crate::status::ApiError;

/// One page of a list.
pub struct Page<T = Value> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The token for the next page, when there is one.
    pub next: Option<String>,
    /// How many items follow this page.
    pub remaining: usize,
}

fn key(obj: &Value) -> String {
    let m = &obj["metadata"];
    format!(
        "{}/{}",
        m["namespace"].as_str().unwrap_or_default(),
        m["name"].as_str().unwrap_or_default()
    )
}

fn decode(token: &str) -> Option<String> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .ok()?;
    let v: Value = serde_json::from_slice(&raw).ok()?;
    v["start"].as_str().map(str::to_string)
}

/// Cuts `items` (in key order) to the page `q` asks for.
pub fn page<T: Borrow<Value>>(
    items: Vec<T>,
    rv: u64,
    q: &HashMap<String, String>,
) -> Result<Page<T>, ApiError> {
    let after = match q.get("continue").filter(|c| !c.is_empty()) {
        Some(token) => Some(decode(token).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "continue key is not valid: {token:?} is not a continue token this server issued; list again without it"
            ))
        })?),
        None => None,
    };
    let limit = match q.get("limit").filter(|l| !l.is_empty()) {
        Some(l) => match l.parse::<usize>() {
            Ok(0) => None,
            Ok(n) => Some(n),
            Err(_) => {
                return Err(ApiError::BadRequest(format!(
                    "limit must be a non-negative integer, got {l:?}"
                )));
            }
        },
        None => None,
    };
    let mut rest: Vec<T> = match &after {
        Some(start) => items
            .into_iter()
            .filter(|o| key(o.borrow()) > *start)
            .collect(),
        None => items,
    };
    let Some(limit) = limit.filter(|l| *l < rest.len()) else {
        return Ok(Page {
            items: rest,
            next: None,
            remaining: 0,
        });
    };
    let remaining = rest.len() - limit;
    rest.truncate(limit);
    let last = rest.last().map(|o| key(o.borrow())).unwrap_or_default();
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(json!({"v": "meta.k8s.io/v1", "rv": rv, "start": last}).to_string());
    Ok(Page {
        items: rest,
        next: Some(token),
        remaining,
    })
}

impl<T> Page<T> {
    /// Puts `continue` and `remainingItemCount` into a list's metadata.
    pub fn annotate(&self, list: &mut Value) {
        if let Some(next) = &self.next {
            list["metadata"]["continue"] = json!(next);
            list["metadata"]["remainingItemCount"] = json!(self.remaining);
        }
    }
}
