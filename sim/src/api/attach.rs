//! `pods/attach` over WebSocket (`v5.channel.k8s.io`, `v4.channel.k8s.io`), as `kubectl
//! attach` and `kubectl run -i` use it: the client joins the container's own process —
//! what it writes from then on (channel 1 stdout, 2 stderr) and, when the container keeps
//! stdin open (`stdin: true`), what the client types (channel 0). With `stdinOnce` the
//! process's stdin closes when the first attached client closes its own. The stream ends
//! when the container's process does.

use axum::extract::ws::{Message, WebSocket};
use axum::extract::{Path, RawQuery, Request, State};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use serde_json::json;
use tokio::io::AsyncWriteExt;

use super::ApiState;
use super::channel::{CLOSE, ERROR, STDIN, STDOUT, framed};
use super::exec::{ExecRequest, normal_close, parse_query, running_container, upgrade};
use crate::kubelet::exec::ExecTarget;

/// `/api/v1/namespaces/{ns}/pods/{name}/attach`.
pub async fn handle(
    State(s): State<ApiState>,
    Path((ns, name)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    req: Request,
) -> Response {
    let asked = parse_query(q.as_deref().unwrap_or_default());
    let upgraded = upgrade(&s, req, "attach", |headers| {
        running_container(
            &s,
            &ns,
            &name,
            asked.container.as_deref(),
            headers,
            ("attach", "attach to"),
        )
    })
    .await;
    match upgraded {
        Ok((ws, target, v5)) => ws
            .on_upgrade(move |socket| serve(socket, target, asked, v5))
            .into_response(),
        Err(refused) => refused,
    }
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
                    let channel = if req.tty { STDOUT } else { channel };
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
