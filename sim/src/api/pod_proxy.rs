//! `pods/proxy`: an HTTP request to a pod's port through the API server
//! (`/api/v1/namespaces/NS/pods/NAME[:PORT]/proxy/PATH`, what `kubectl get --raw` and
//! `kubectl proxy` use), forwarded the way the kubelet reaches the pod. The pod's answer comes
//! back with its status; a port nothing answers on is a 503 in the API server's words.

use std::collections::HashMap;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{ApiError, ApiState};
use crate::auth::{Attributes, forbidden, rbac};
use crate::network::Dial;
use crate::resources::POD;

/// The most a proxied request or answer may carry.
const MAX_BODY: usize = 16 * 1024 * 1024;
/// How long the pod has to answer.
const TIMEOUT: Duration = Duration::from_secs(30);

/// `pods/NAME/proxy`.
pub async fn handle(
    State(s): State<ApiState>,
    Path((ns, name)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    req: Request,
) -> Response {
    forward(&s, &ns, &name, "", &q, req).await
}

/// `pods/NAME/proxy/PATH`.
pub async fn handle_path(
    State(s): State<ApiState>,
    Path((ns, name, path)): Path<(String, String, String)>,
    Query(q): Query<HashMap<String, String>>,
    req: Request,
) -> Response {
    forward(&s, &ns, &name, &path, &q, req).await
}

/// `NAME`, `NAME:PORT` or `SCHEME:NAME:PORT` → (name, port as written).
fn split_target(target: &str) -> (&str, Option<&str>) {
    let parts: Vec<&str> = target.split(':').collect();
    match parts.as_slice() {
        [name] => (name, None),
        [name, port] => (name, Some(port)),
        [_scheme, name, port] => (name, Some(port)),
        _ => (target, None),
    }
}

/// The container port a request names (a number or a declared port's name), or the pod's
/// first declared port, or 80.
fn port_of(pod: &Value, said: Option<&str>) -> Option<u16> {
    let declared = || {
        pod["spec"]["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default())
    };
    match said {
        Some(p) if !p.is_empty() => p.parse().ok().or_else(|| {
            declared()
                .find(|d| d["name"] == p)
                .and_then(|d| u16::try_from(d["containerPort"].as_u64()?).ok())
        }),
        _ => declared()
            .find_map(|d| u16::try_from(d["containerPort"].as_u64()?).ok())
            .or(Some(80)),
    }
}

fn unavailable(message: String) -> Response {
    let status = serde_json::json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
        "message": message, "reason": "ServiceUnavailable", "code": 503});
    (StatusCode::SERVICE_UNAVAILABLE, axum::Json(status)).into_response()
}

async fn forward(
    s: &ApiState,
    ns: &str,
    target: &str,
    path: &str,
    q: &HashMap<String, String>,
    req: Request,
) -> Response {
    let (name, said_port) = split_target(target);
    let verb = match *req.method() {
        Method::GET | Method::HEAD | Method::OPTIONS => "get",
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE => "delete",
        _ => "get",
    };
    let who = match s.tokens.authenticate(&s.store, req.headers()) {
        Ok(w) => w,
        Err(e) => return e.into_response(),
    };
    let mut a = Attributes::resource(verb, "", "pods", Some(ns));
    a.subresource = "proxy".into();
    a.name = name.to_string();
    if !rbac::authorize(&s.store, &who, &a).allowed {
        return forbidden(&who, &a).into_response();
    }
    let pod = match s.store.get(&POD, ns, name) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let Some(port) = port_of(&pod, said_port) else {
        return ApiError::BadRequest(format!("invalid port {said_port:?} for pod {name}"))
            .into_response();
    };
    let dial = match &s.kubelet {
        Some(k) => k.dial_pod(&pod),
        None => Dial::Loopback(crate::meta::host_ports(&pod)),
    };
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(q.iter())
        .finish();
    let path = if query.is_empty() {
        format!("/{path}")
    } else {
        format!("/{path}?{query}")
    };
    let method = req.method().clone();
    let content_type = req.headers().get(header::CONTENT_TYPE).cloned();
    let body = match axum::body::to_bytes(req.into_body(), MAX_BODY).await {
        Ok(b) => b,
        Err(e) => return ApiError::BadRequest(e.to_string()).into_response(),
    };
    let at = dial.address(port);
    let exchange = async {
        let mut conn = dial.connect(port).await?;
        // HTTP/1.0: the answer ends with the connection, never chunked.
        let mut head = format!(
            "{method} {path} HTTP/1.0\r\nHost: {at}\r\nContent-Length: {}\r\n",
            body.len()
        );
        if let Some(ct) = content_type.as_ref().and_then(|v| v.to_str().ok()) {
            head.push_str(&format!("Content-Type: {ct}\r\n"));
        }
        head.push_str("\r\n");
        conn.write_all(head.as_bytes()).await?;
        conn.write_all(&body).await?;
        let mut answer = Vec::new();
        conn.take(MAX_BODY as u64).read_to_end(&mut answer).await?;
        Ok::<_, std::io::Error>(answer)
    };
    let answer = match tokio::time::timeout(TIMEOUT, exchange).await {
        Ok(Ok(a)) => a,
        Ok(Err(e)) => {
            let why = match e.kind() {
                std::io::ErrorKind::ConnectionRefused => "connection refused".to_string(),
                _ => e.to_string(),
            };
            return unavailable(format!(
                "error trying to reach service: dial tcp {at}: connect: {why}"
            ));
        }
        Err(_) => {
            return unavailable(format!(
                "error trying to reach service: dial tcp {at}: i/o timeout"
            ));
        }
    };
    relay(&answer).unwrap_or_else(|| {
        unavailable(format!(
            "error trying to reach service: malformed HTTP response from {at}"
        ))
    })
}

/// The pod's answer as the API server relays it: its status, content type and body.
fn relay(answer: &[u8]) -> Option<Response> {
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&answer[..split]).ok()?;
    let mut lines = head.lines();
    let code: u16 = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let mut out = Response::builder().status(StatusCode::from_u16(code).ok()?);
    for line in lines {
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-type")
        {
            out = out.header(header::CONTENT_TYPE, v.trim());
        }
    }
    out.body(Body::from(answer[split + 4..].to_vec())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn targets_and_ports_read_as_the_api_server_reads_them() {
        assert_eq!(split_target("web"), ("web", None));
        assert_eq!(split_target("web:8080"), ("web", Some("8080")));
        assert_eq!(split_target("https:web:443"), ("web", Some("443")));
        let pod =
            json!({"spec": {"containers": [{"ports": [{"name": "http", "containerPort": 8080}]}]}});
        assert_eq!(port_of(&pod, Some("http")), Some(8080));
        assert_eq!(port_of(&pod, None), Some(8080));
        assert_eq!(port_of(&pod, Some("9000")), Some(9000));
        assert_eq!(port_of(&json!({}), None), Some(80));
        assert_eq!(port_of(&pod, Some("nope")), None);
    }
}
