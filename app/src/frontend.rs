//! The chat web UI server: embedded assets, and `/api/*` proxied to the backend so a
//! browser needs one port-forward only.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use serde_json::json;

use crate::config::{ConfigError, DEFAULT_FRONTEND_PORT, port_from};
use crate::server::MAX_BODY_BYTES;
use crate::shutdown::Draining;

/// Where the backend is when `BACKEND_URL` is unset: its in-cluster service name.
pub const DEFAULT_BACKEND_URL: &str = "http://todo-backend:8000";
/// Timeout of one proxied request (the model loop can take a while).
pub const PROXY_TIMEOUT: Duration = Duration::from_secs(90);

const INDEX_HTML: &str = include_str!("../assets/index.html");
const APP_JS: &str = include_str!("../assets/app.js");
const STYLE_CSS: &str = include_str!("../assets/style.css");

/// Frontend settings.
#[derive(Debug, Clone)]
pub struct FrontendConfig {
    /// Base URL of the backend.
    pub backend_url: String,
    /// TCP port.
    pub port: u16,
    /// How long requests are still served after SIGTERM (`SHUTDOWN_DRAIN_SECONDS`).
    pub drain: Duration,
}

impl FrontendConfig {
    /// Reads `BACKEND_URL` and `PORT` through `lookup`.
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let backend_url = lookup("BACKEND_URL")
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_BACKEND_URL.to_string());
        if !(backend_url.starts_with("http://") || backend_url.starts_with("https://")) {
            return Err(ConfigError {
                variable: "BACKEND_URL",
                problem: format!(
                    "is {backend_url:?}: expected an http:// or https:// URL such as {DEFAULT_BACKEND_URL}"
                ),
            });
        }
        Ok(Self {
            backend_url: backend_url.trim_end_matches('/').to_string(),
            port: port_from(lookup, DEFAULT_FRONTEND_PORT)?,
            drain: crate::shutdown::drain_from(lookup)?,
        })
    }
}

#[derive(Clone)]
struct Proxy {
    client: reqwest::Client,
    backend_url: String,
    draining: Draining,
}

/// Builds the frontend router. The HTTP client honours `HTTP_PROXY`/`NO_PROXY`.
pub fn router(cfg: &FrontendConfig, draining: Draining) -> Result<Router, String> {
    let client = reqwest::Client::builder()
        .timeout(PROXY_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("cannot build the backend HTTP client: {e}"))?;
    let proxy = Proxy {
        client,
        backend_url: cfg.backend_url.clone(),
        draining,
    };
    Ok(Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }),
        )
        .route(
            "/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE_CSS) }),
        )
        .route("/health", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/ready", get(ready))
        .route("/api/{*rest}", any(forward))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::middleware::from_fn_with_state(
            proxy.draining.clone(),
            crate::shutdown::close_connections_while_draining,
        ))
        .with_state(proxy))
}

/// Headers every answer carries: only this origin's scripts, styles and API; never framed
/// (clickjacking); no type sniffing; no referrer to other sites.
const SECURITY_HEADERS: [(&str, &str); 4] = [
    (
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
];

async fn security_headers(mut resp: Response) -> Response {
    for (name, value) in SECURITY_HEADERS {
        resp.headers_mut()
            .insert(name, axum::http::HeaderValue::from_static(value));
    }
    resp
}

/// Sends the request, and once more on a new connection when the backend never took it: the
/// connection was refused, or closed before any answer (the backend is ours, and when it
/// stops it closes only connections with no request in progress, so such a request was not
/// processed). Behind a Service the new connection may reach another pod.
async fn send_with_one_retry(out: reqwest::RequestBuilder) -> reqwest::Result<reqwest::Response> {
    let again = out.try_clone();
    match out.send().await {
        Err(e) if e.is_connect() || closed_unanswered(&e) => match again {
            Some(again) => {
                tracing::info!(error = %e, "backend did not take the request; trying once more");
                again.send().await
            }
            None => Err(e),
        },
        other => other,
    }
}

/// Whether the connection was closed or reset before any byte of an answer came back.
fn closed_unanswered(e: &reqwest::Error) -> bool {
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
            )
        {
            return true;
        }
        if s.to_string()
            .contains("connection closed before message completed")
        {
            return true;
        }
        source = s.source();
    }
    false
}

/// Ready until the stop signal; then 503 so the Service stops sending new users here.
async fn ready(State(p): State<Proxy>) -> Response {
    if p.draining.is_draining() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "not ready", "reason": "shutting down: draining connections"})),
        )
            .into_response();
    }
    Json(json!({"status": "ready"})).into_response()
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

const FORWARDED_REQUEST_HEADERS: [HeaderName; 5] = [
    header::CONTENT_TYPE,
    header::COOKIE,
    header::AUTHORIZATION,
    header::ACCEPT,
    // The backend's CSRF rule reads where the browser says the request came from.
    HeaderName::from_static("sec-fetch-site"),
];
const FORWARDED_RESPONSE_HEADERS: [HeaderName; 4] = [
    header::CONTENT_TYPE,
    header::SET_COOKIE,
    header::RETRY_AFTER,
    header::CACHE_CONTROL,
];

/// Whether `raw` stays under `/api/` however a later hop decodes it: no `.` or `..` segment
/// after percent-decoding until nothing changes (`%2e`, `%252e`, an encoded `/`), no `\\`.
fn stays_under_api(raw: &str) -> bool {
    let mut text = raw.to_string();
    for _ in 0..4 {
        let Ok(decoded) = percent_encoding::percent_decode_str(&text).decode_utf8() else {
            return false;
        };
        if decoded == text {
            break;
        }
        text = decoded.into_owned();
    }
    text.starts_with("/api/")
        && !text.contains(['\\', '\0'])
        && text.split('/').all(|seg| seg != "." && seg != "..")
}

async fn forward(State(p): State<Proxy>, req: Request) -> Response {
    if !stays_under_api(req.uri().path()) {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_path",
            "the path leaves /api/ once decoded (a . or .. segment); only API paths are forwarded",
        );
    }
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    let url = format!("{}{}", p.backend_url, path_and_query);
    let method = req.method().clone();
    let mut out = p.client.request(method, &url);
    for name in FORWARDED_REQUEST_HEADERS {
        for v in req.headers().get_all(&name) {
            out = out.header(&name, v);
        }
    }
    // The backend counts sign-in attempts per client: it is told who connected here (a
    // client's own X-Forwarded-For is not passed on, so it cannot pose as someone else).
    if let Some(axum::extract::ConnectInfo(peer)) = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
    {
        out = out.header("x-forwarded-for", peer.ip().to_string());
    }
    let body = match axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "request body is too large",
            );
        }
    };
    let resp = match send_with_one_retry(out.body(body)).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(backend = %p.backend_url, error = %e, "backend request failed");
            // The person is told what happened; where the backend is (an internal address)
            // and which setting names it go to the log, for the operator.
            let message = if e.is_timeout() {
                "The todo service did not answer in time. Please try again."
            } else {
                "The todo service is not reachable right now. Please try again in a moment."
            };
            return error(StatusCode::BAD_GATEWAY, "backend_unavailable", message);
        }
    };
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if status.is_server_error() && !is_json {
        // Not the backend's own error (that is JSON): something in between answered, such as
        // a proxy with no ready backend. Say so in the API's error shape.
        let detail = resp.text().await.unwrap_or_default();
        let detail: String = detail.trim().chars().take(200).collect();
        return error(
            StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY),
            "backend_unavailable",
            &format!(
                "The todo backend is not available right now ({}{}). Please try again in a moment.",
                status.as_u16(),
                if detail.is_empty() {
                    String::new()
                } else {
                    format!(": {detail}")
                }
            ),
        );
    }
    let mut builder = Response::builder().status(status.as_u16());
    for name in FORWARDED_RESPONSE_HEADERS {
        for v in resp.headers().get_all(&name) {
            builder = builder.header(&name, v);
        }
    }
    let bytes = match resp.bytes().await {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::BAD_GATEWAY,
                "backend_unavailable",
                &format!("The todo backend stopped answering mid-response: {e}"),
            );
        }
    };
    builder.body(Body::from(bytes)).unwrap_or_else(|e| {
        error(
            StatusCode::BAD_GATEWAY,
            "backend_unavailable",
            &e.to_string(),
        )
    })
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

#[cfg(test)]
mod path_tests {
    #[test]
    fn only_paths_that_stay_under_api_in_every_decoding_pass() {
        for ok in [
            "/api/tasks",
            "/api/tasks/12",
            "/api/auth/sign-in/email",
            "/api/a%20b",
            "/api/..x",
        ] {
            assert!(super::stays_under_api(ok), "{ok}");
        }
        for bad in [
            "/api/../metrics",
            "/api/%2e%2e/metrics",
            "/api/%2E%2E/ready",
            "/api/.%2e/metrics",
            "/api/%2e./metrics",
            "/api/%252e%252e/metrics",
            "/api/tasks/..%2f..%2fmetrics",
            "/api/%2e%2e%5cmetrics",
            "/api/./tasks",
            "/api/%00",
            "/api/%ff",
        ] {
            assert!(!super::stays_under_api(bad), "{bad}");
        }
    }
}
