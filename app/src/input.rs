//! Text that may not enter the database: a JSON body whose strings carry control characters
//! (NUL, which Postgres refuses and SQLite would store, escape codes, …) is answered 422
//! naming the field, in one place for every route. Newlines and tabs stay allowed.

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::error::ApiError;
use crate::server::MAX_BODY_BYTES;

/// The first string in `v` (keys included) with a control character other than a newline or
/// a tab: its path and the character.
pub fn control_character(v: &Value, path: &str) -> Option<(String, char)> {
    let bad = |s: &str| {
        s.chars()
            .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    };
    match v {
        Value::String(s) => bad(s).map(|c| (path.to_string(), c)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| control_character(x, &format!("{path}[{i}]"))),
        Value::Object(m) => m.iter().find_map(|(k, x)| {
            let at = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            bad(k)
                .map(|c| (at.clone(), c))
                .or_else(|| control_character(x, &at))
        }),
        _ => None,
    }
}

/// Middleware: refuses JSON bodies with control characters before any handler runs.
pub async fn reject_control_characters(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        let too_large = axum::http::StatusCode::PAYLOAD_TOO_LARGE;
        return (
            too_large,
            format!("the request body is over {MAX_BODY_BYTES} bytes"),
        )
            .into_response();
    };
    if let Ok(v) = serde_json::from_slice::<Value>(&bytes)
        && let Some((field, c)) = control_character(&v, "")
    {
        return ApiError::Unprocessable(format!(
            "{} contains the control character U+{:04X}; remove it and send the text again",
            if field.is_empty() {
                "the body".to_string()
            } else {
                format!("the field {field}")
            },
            u32::from(c)
        ))
        .into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn control_characters_are_found_with_their_path_and_newlines_pass() {
        let f = super::control_character;
        assert_eq!(
            f(&json!({"title": "a\u{0}b"}), ""),
            Some(("title".into(), '\u{0}'))
        );
        assert_eq!(
            f(&json!({"x": [{"y": "\u{1b}[31m"}]}), ""),
            Some(("x[0].y".into(), '\u{1b}'))
        );
        assert_eq!(
            f(&json!({"a\u{7}": 1}), ""),
            Some(("a\u{7}".into(), '\u{7}'))
        );
        assert_eq!(f(&json!({"message": "line 1\nline 2\ttab"}), ""), None);
    }
}
