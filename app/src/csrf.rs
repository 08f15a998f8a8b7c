//! One CSRF rule for every state-changing route. A browser attaches the session cookie to a
//! form another site posts, but no form can send `Content-Type: application/json` (a page
//! would need a CORS preflight this server never grants), and browsers mark such requests
//! `Sec-Fetch-Site: cross-site`. A bearer token is never sent by a browser on its own, so
//! requests that carry one are not at risk.

use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::session::COOKIE_NAME;
use crate::error::ApiError;

/// Why a request authenticated by cookie may not change anything, if it may not.
pub fn refusal(req: &Request) -> Option<ApiError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let headers = req.headers();
    let by_cookie = !headers.contains_key(header::AUTHORIZATION)
        && headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains(COOKIE_NAME));
    if !by_cookie {
        return None;
    }
    let site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if site.eq_ignore_ascii_case("cross-site") {
        return Some(ApiError::Forbidden(format!(
            "{} {} came from another site (Sec-Fetch-Site: cross-site) with your session cookie; only this app's own pages may change your data",
            req.method(),
            req.uri().path()
        )));
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    (!json).then(|| {
        ApiError::UnsupportedMediaType(format!(
            "{} {} needs Content-Type: application/json (a form posted from another page cannot change your data)",
            req.method(),
            req.uri().path()
        ))
    })
}

/// Middleware applying [`refusal`].
pub async fn guard(req: Request, next: Next) -> Response {
    match refusal(&req) {
        Some(e) => e.into_response(),
        None => next.run(req).await,
    }
}
