//! `pods/attach` over WebSocket (`v5.channel.k8s.io`, `v4.channel.k8s.io`), as `kubectl
//! attach` and `kubectl run -i` use it: the client joins the container's own process —
//! what it writes from then on (channel 1 stdout, 2 stderr) and, when the container keeps
//! stdin open (`stdin: true`), what the client types (channel 0). With `stdinOnce` the
//! process's stdin closes when the first attached client closes its own. The stream ends
//! when the container's process does.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequest, Path, RawQuery, Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use serde_json::json;
use tokio::io::AsyncWriteExt;

use super::channel::{PROTOCOLS, framed, offered, offers_ours};
use super::exec::{ExecRequest, container_of, normal_close, parse_query};
use super::{ApiError, ApiState};
use crate::auth::{Attributes, forbidden, rbac};
use crate::kubelet::exec::ExecTarget;
use crate::resources::POD;

const STDIN: u8 = 0;
const ERROR: u8 = 3;
const CLOSE: u8 = 255;

/// Identity, RBAC (`create pods/attach`), the pod, the container and its process.
fn prepare(
    s: &ApiState,
    ns: &str,
    name: &str,
    req: &ExecRequest,
    headers: &HeaderMap,
) -> Result<ExecTarget, ApiError> {
    let who = s.tokens.authenticate(&s.store, headers)?;
    let mut a = Attributes::resource("create", "", "pods", Some(ns));
    a.subresource = "attach".into();
    a.name = name.to_string();
    if !rbac::authorize(&s.store, &who, &a).allowed {
        return Err(forbidden(&who, &a));
    }
    let pod = s.store.get(&POD, ns, name)?;
    let container = container_of(&pod, req.container.as_deref())?;
    if let Some(phase @ ("Succeeded" | "Failed")) = pod["status"]["phase"].as_str() {
        return Err(ApiError::BadRequest(format!(
            "cannot attach to a container in a completed pod; current phase is {phase}"
        )));
    }
    let Some(kubelet) = &s.kubelet else {
        return Err(ApiError::BadRequest(format!(
            "unable to upgrade connection: pod {name} runs without processes (kubesim's instant runtime); start kubesim with the process runtime to attach to it"
        )));
    };
    kubelet.running.get(ns, name, &container).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "unable to upgrade connection: container not found (\"{container}\")"
        ))
    })
}

/// `/api/v1/namespaces/{ns}/pods/{name}/attach`.
pub async fn handle(
    State(s): State<ApiState>,
    Path((ns, name)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let asked = parse_query(q.as_deref().unwrap_or_default());
    let ws = if offers_ours(&headers) {
        WebSocketUpgrade::from_request(req, &s).await.ok()
    } else {
        None
    };
    let target = match prepare(&s, &ns, &name, &asked, &headers) {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let Some(ws) = ws else {
        return ApiError::BadRequest(
            "pods/attach needs a WebSocket upgrade with v5.channel.k8s.io or v4.channel.k8s.io"
                .into(),
        )
        .into_response();
    };
    let v5 = offered(&headers).iter().any(|p| p == PROTOCOLS[0]);
    ws.protocols(PROTOCOLS)
        .on_upgrade(move |socket| serve(socket, target, asked, v5))
        .into_response()
}

async fn serve(socket: WebSocket, target: ExecTarget, req: ExecRequest, v5: bool) {
    let (mut sink, mut stream) = socket.split();
    let attach = target.attach.clone();
    let mut output = attach.output.subscribe();
    let mut ended = attach.ended.subscribe();
    let wants_stdin = req.stdin;
    let input = attach.clone();
    // What the client types goes to the process; its closing stdin closes the process's
    // when the container asked for stdinOnce.
    let reader = tokio::spawn(async move {
        let close = || async {
            if input.stdin_once {
                input.stdin.lock().await.take();
            }
        };
        while let Some(Ok(msg)) = stream.next().await {
            let bytes = match msg {
                Message::Binary(b) => b.to_vec(),
                Message::Text(t) => t.as_bytes().to_vec(),
                Message::Close(_) => break,
                _ => continue,
            };
            match bytes.split_first() {
                Some((&STDIN, data)) if wants_stdin && !data.is_empty() => {
                    let mut stdin = input.stdin.lock().await;
                    if let Some(w) = stdin.as_mut()
                        && (w.write_all(data).await.is_err() || w.flush().await.is_err())
                    {
                        stdin.take();
                    }
                }
                Some((&CLOSE, rest)) if v5 && rest.first() == Some(&STDIN) => close().await,
                _ => {}
            }
        }
        close().await;
    });
    let mut running = ended.borrow().is_none();
    while running {
        tokio::select! {
            chunk = output.recv() => match chunk {
                Ok((channel, data)) => {
                    let channel = if req.tty { 1 } else { channel };
                    running = sink.send(framed(channel, &data)).await.is_ok();
                }
                // A slow client missed output: go on with what comes next.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => running = false,
            },
            changed = ended.changed() => {
                running = changed.is_ok() && ended.borrow().is_none();
            }
        }
    }
    // Output written just before the end.
    while let Ok((channel, data)) = output.try_recv() {
        let _ = sink.send(framed(channel, &data)).await;
    }
    reader.abort();
    let status = json!({"metadata": {}, "status": "Success"});
    let _ = sink
        .send(framed(ERROR, status.to_string().as_bytes()))
        .await;
    let _ = sink.send(normal_close()).await;
}
