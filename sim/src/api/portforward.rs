//! `pods/portforward` over WebSocket, the channel protocol kube-rs and client-go's
//! WebSocket executor speak (`v4.channel.k8s.io` / `v5.channel.k8s.io`): for the i-th
//! requested port, channel 2i carries data and 2i+1 errors; each channel opens with the port
//! number (little-endian u16), every message starts with its channel byte.
//!
//! kubectl speaks SPDY/3.1 instead (see [`crate::spdy`]); its WebSocket attempt (SPDY
//! tunnelled in a WebSocket) is refused before the upgrade, so it falls back to plain SPDY.

use std::collections::HashMap;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

use super::{ApiError, ApiState};
use crate::auth::{Attributes, forbidden, rbac};
use crate::network::Dial;
use crate::resources::POD;

pub use super::channel::PROTOCOLS;
use super::channel::framed;

/// `/api/v1/namespaces/{ns}/pods/{name}/portforward`: a WebSocket upgrade
/// (`?ports=P[,P…]`, kube-rs) or a SPDY/3.1 upgrade (kubectl; ports in the stream headers).
pub async fn handle(
    State(s): State<ApiState>,
    Path((ns, name)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let upgrade = headers
        .get("upgrade")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if upgrade.starts_with("spdy/3.1") {
        return match spdy(&s, &ns, &name, &headers, req) {
            Ok(r) => r,
            Err(e) => e.into_response(),
        };
    }
    // A WebSocket client must offer one of our protocols (kubectl's tunnelled SPDY is
    // refused before the upgrade, and then falls back to plain SPDY).
    let ws = if super::channel::offers_ours(&headers) {
        WebSocketUpgrade::from_request(req, &s).await.ok()
    } else {
        None
    };
    let Some(ws) = ws else {
        if let Err(e) = s.tokens.identify(&headers) {
            return e.into_response();
        }
        return ApiError::BadRequest(
            "pods/portforward needs a WebSocket (v4.channel.k8s.io or v5.channel.k8s.io) or a \
             SPDY/3.1 upgrade"
                .into(),
        )
        .into_response();
    };
    match prepare(&s, &ns, &name, &q, &headers) {
        Ok(targets) => ws
            .protocols(PROTOCOLS)
            .on_upgrade(move |socket| serve(socket, targets))
            .into_response(),
        Err(e) => e.into_response(),
    }
}

/// Answers a SPDY upgrade with 101 and serves the session once the connection is handed over.
fn spdy(
    s: &ApiState,
    ns: &str,
    name: &str,
    headers: &HeaderMap,
    mut req: Request,
) -> Result<Response, ApiError> {
    let pod = running_pod(s, ns, name, headers)?;
    let dial = dial_for(s, &pod);
    let on_upgrade = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        match on_upgrade.await {
            Err(e) => tracing::warn!("port-forward: the SPDY upgrade failed: {e}"),
            Ok(upgraded) => {
                let io = hyper_util::rt::TokioIo::new(upgraded);
                crate::spdy::portforward::serve(io, dial).await;
            }
        }
    });
    Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header("connection", "Upgrade")
        .header("upgrade", "SPDY/3.1")
        .header("x-stream-protocol-version", "portforward.k8s.io")
        .body(axum::body::Body::empty())
        .map_err(|e| ApiError::BadRequest(e.to_string()))
}

/// How the pod's own ports are reached (inside its network namespace where it has one).
fn dial_for(s: &ApiState, pod: &serde_json::Value) -> Dial {
    match &s.kubelet {
        Some(k) => k.dial_inside(pod),
        None => Dial::Loopback(crate::meta::host_ports(pod)),
    }
}

/// The pod, when the caller may forward to it and it runs.
fn running_pod(
    s: &ApiState,
    ns: &str,
    name: &str,
    headers: &HeaderMap,
) -> Result<serde_json::Value, ApiError> {
    let who = s.tokens.authenticate(&s.store, headers)?;
    let mut a = Attributes::resource("create", "", "pods", Some(ns));
    a.subresource = "portforward".into();
    a.name = name.to_string();
    if !rbac::authorize(&s.store, &who, &a).allowed {
        return Err(forbidden(&who, &a));
    }
    let pod = s.store.get(&POD, ns, name)?;
    if pod["status"]["phase"] != "Running" {
        return Err(ApiError::BadRequest(format!(
            "unable to forward to pod {name}: it is {}, not Running",
            pod["status"]["phase"].as_str().unwrap_or("unknown")
        )));
    }
    Ok(pod)
}

/// The requested ports and how to reach them, checked before the upgrade.
fn prepare(
    s: &ApiState,
    ns: &str,
    name: &str,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<(Vec<u16>, Dial), ApiError> {
    let pod = running_pod(s, ns, name, headers)?;
    let ports: Vec<u16> = q
        .get("ports")
        .map(String::as_str)
        .unwrap_or("")
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            p.trim()
                .parse::<u16>()
                .map_err(|_| ApiError::BadRequest(format!("invalid port {p:?} in ports")))
        })
        .collect::<Result<_, _>>()?;
    if ports.is_empty() {
        return Err(ApiError::BadRequest(
            "at least one port is required: ?ports=8000".into(),
        ));
    }
    Ok((ports, dial_for(s, &pod)))
}

async fn serve(socket: WebSocket, (ports, dial): (Vec<u16>, Dial)) {
    let (mut sink, mut stream) = socket.split();
    let (to_client, mut outbox) = mpsc::channel::<Message>(64);
    let mut writers = Vec::new();
    for (i, port) in ports.iter().enumerate() {
        let (data, err) = ((2 * i) as u8, (2 * i + 1) as u8);
        let le = port.to_le_bytes();
        let _ = to_client.send(framed(data, &le)).await;
        let _ = to_client.send(framed(err, &le)).await;
        match dial.connect(*port).await {
            Ok(conn) => {
                let (mut read, write) = conn.into_split();
                writers.push(Some(write));
                let tx = to_client.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 16 * 1024];
                    while let Ok(n) = read.read(&mut buf).await {
                        if n == 0 || tx.send(framed(data, &buf[..n])).await.is_err() {
                            break;
                        }
                    }
                    // The pod closed the connection: so does the forward.
                    let _ = tx.send(Message::Close(None)).await;
                });
            }
            Err(e) => {
                writers.push(None);
                let text = format!("error forwarding port {port} to pod: {e}");
                let _ = to_client.send(framed(err, text.as_bytes())).await;
            }
        }
    }
    drop(to_client);
    let pump = tokio::spawn(async move {
        while let Some(m) = outbox.recv().await {
            let close = matches!(m, Message::Close(_));
            if sink.send(m).await.is_err() || close {
                break;
            }
        }
        let _ = sink.close().await;
    });
    while let Some(Ok(msg)) = stream.next().await {
        match msg {
            Message::Binary(b) if !b.is_empty() => {
                let ch = usize::from(b[0]);
                // v5 closes a channel with [255, channel]; data goes to even channels only.
                if ch == 255 {
                    if let Some(Some(w)) =
                        b.get(1).and_then(|c| writers.get_mut(usize::from(*c) / 2))
                    {
                        let _ = w.shutdown().await;
                    }
                    continue;
                }
                if ch % 2 == 0
                    && let Some(Some(w)) = writers.get_mut(ch / 2)
                    && w.write_all(&b[1..]).await.is_err()
                {
                    break;
                }
            }
            Message::Close(_) => break,
            _ => {}
        }
    }
    pump.abort();
}
