//! `pods/exec` over WebSocket with the remote command channel protocol (`v5.channel.k8s.io`,
//! what kubectl speaks first; `v4.channel.k8s.io`, kube-rs): channel 0 is stdin, 1 stdout,
//! 2 stderr, 3 the final Status, 4 terminal resizes; in v5 a `[255, 0]` message closes
//! stdin. The command runs in the container's filesystem and environment.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequest, Path, RawQuery, Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

use super::{ApiError, ApiState};
use crate::auth::{Attributes, forbidden, rbac};
use crate::kubelet::exec::ExecTarget;
use crate::resources::POD;

use super::channel::{
    CLOSE, ERROR, PROTOCOLS, STDERR, STDIN, STDOUT, framed, offered, offers_ours,
};

/// What the caller asked for in the query (exec and attach share it).
#[derive(Debug, Default)]
pub(super) struct ExecRequest {
    pub(super) command: Vec<String>,
    pub(super) container: Option<String>,
    pub(super) stdin: bool,
    pub(super) tty: bool,
}

pub(super) fn parse_query(q: &str) -> ExecRequest {
    let mut r = ExecRequest::default();
    for (k, v) in form_urlencoded::parse(q.as_bytes()) {
        match k.as_ref() {
            "command" => r.command.push(v.into_owned()),
            "container" => r.container = Some(v.into_owned()),
            "stdin" => r.stdin = v == "true" || v == "1",
            "tty" => r.tty = v == "true" || v == "1",
            _ => {}
        }
    }
    r
}

/// The container a request means: the one named, else the pod's default-container
/// annotation, else its first container.
pub(super) fn container_of(pod: &Value, asked: Option<&str>) -> Result<String, ApiError> {
    let names: Vec<&str> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    let pod_name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let wanted = asked
        .or(pod["metadata"]["annotations"]["kubectl.kubernetes.io/default-container"].as_str())
        .or(names.first().copied())
        .unwrap_or_default();
    if names.contains(&wanted) {
        Ok(wanted.to_string())
    } else {
        Err(ApiError::BadRequest(format!(
            "container {wanted} is not valid for pod {pod_name}"
        )))
    }
}

/// Everything checked before the upgrade of a `pods/SUBRESOURCE` stream (`exec` or
/// `attach`; `doing` is how the API server words it: "exec into", "attach to"): identity,
/// RBAC, the pod, the container, and a running process to join.
pub(super) fn running_container(
    s: &ApiState,
    ns: &str,
    name: &str,
    container: Option<&str>,
    headers: &HeaderMap,
    (subresource, doing): (&str, &str),
) -> Result<ExecTarget, ApiError> {
    let who = s.tokens.authenticate(&s.store, headers)?;
    let mut a = Attributes::resource("create", "", "pods", Some(ns));
    a.subresource = subresource.into();
    a.name = name.to_string();
    if !rbac::authorize(&s.store, &who, &a).allowed {
        return Err(forbidden(&who, &a));
    }
    let pod = s.store.get(&POD, ns, name)?;
    let container = container_of(&pod, container)?;
    if let Some(phase @ ("Succeeded" | "Failed")) = pod["status"]["phase"].as_str() {
        return Err(ApiError::BadRequest(format!(
            "cannot {doing} a container in a completed pod; current phase is {phase}"
        )));
    }
    let Some(kubelet) = &s.kubelet else {
        return Err(ApiError::BadRequest(format!(
            "unable to upgrade connection: pod {name} runs without processes (kubesim's instant runtime); start kubesim with the process runtime to {doing} it"
        )));
    };
    kubelet.running.get(ns, name, &container).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "unable to upgrade connection: container not found (\"{container}\")"
        ))
    })
}

/// The WebSocket upgrade of a stream request once `target` is known, and whether the client
/// speaks v5; the refusal to send otherwise.
pub(super) async fn upgrade(
    s: &ApiState,
    req: Request,
    subresource: &str,
    target: impl FnOnce(&HeaderMap) -> Result<ExecTarget, ApiError>,
) -> Result<(WebSocketUpgrade, ExecTarget, bool), Response> {
    let headers = req.headers().clone();
    let ws = if offers_ours(&headers) {
        WebSocketUpgrade::from_request(req, s).await.ok()
    } else {
        None
    };
    let target = target(&headers).map_err(IntoResponse::into_response)?;
    let Some(ws) = ws else {
        return Err(ApiError::BadRequest(format!(
            "pods/{subresource} needs a WebSocket upgrade with v5.channel.k8s.io or v4.channel.k8s.io"
        ))
        .into_response());
    };
    let v5 = offered(&headers).iter().any(|p| p == PROTOCOLS[0]);
    Ok((ws.protocols(PROTOCOLS), target, v5))
}

/// `/api/v1/namespaces/{ns}/pods/{name}/exec`.
pub async fn handle(
    State(s): State<ApiState>,
    Path((ns, name)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    req: Request,
) -> Response {
    let asked = parse_query(q.as_deref().unwrap_or_default());
    let upgraded = upgrade(&s, req, "exec", |headers| {
        let target = running_container(
            &s,
            &ns,
            &name,
            asked.container.as_deref(),
            headers,
            ("exec", "exec into"),
        )?;
        if asked.command.is_empty() {
            return Err(ApiError::BadRequest(
                "you must specify at least 1 command".into(),
            ));
        }
        Ok(target)
    })
    .await;
    match upgraded {
        Ok((ws, target, v5)) => ws
            .on_upgrade(move |socket| serve(socket, target, asked, v5))
            .into_response(),
        Err(refused) => refused,
    }
}

/// A close with status 1000: client-go reads anything else as a broken stream.
pub(super) fn normal_close() -> Message {
    Message::Close(Some(axum::extract::ws::CloseFrame {
        code: 1000,
        reason: "".into(),
    }))
}

/// The Status the error channel ends with: success, the exit code, or why it never ran.
fn final_status(command: &[String], outcome: Result<i32, String>) -> Value {
    match outcome {
        Ok(0) => json!({"metadata": {}, "status": "Success"}),
        Ok(code) => json!({
            "metadata": {}, "status": "Failure",
            "message": format!("command terminated with non-zero exit code: error executing command [{}], exit code {code}", command.join(" ")),
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]},
        }),
        Err(why) => json!({
            "metadata": {}, "status": "Failure",
            "message": format!("Internal error occurred: error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: {why}: unknown"),
            "reason": "InternalError",
            "code": 500,
        }),
    }
}

async fn pump(mut from: impl tokio::io::AsyncRead + Unpin, channel: u8, to: mpsc::Sender<Message>) {
    let mut buf = vec![0u8; 16 * 1024];
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 || to.send(framed(channel, &buf[..n])).await.is_err() {
            break;
        }
    }
}

async fn serve(socket: WebSocket, target: ExecTarget, req: ExecRequest, v5: bool) {
    let (mut sink, mut stream) = socket.split();
    let mut child = match target.spawn(&req.command) {
        Ok(c) => c,
        Err(e) => {
            let why = if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "exec: \"{}\": executable file not found in $PATH",
                    req.command[0]
                )
            } else {
                format!("exec: \"{}\": {e}", req.command[0])
            };
            let status = final_status(&req.command, Err(why));
            let _ = sink
                .send(framed(ERROR, status.to_string().as_bytes()))
                .await;
            let _ = sink.send(normal_close()).await;
            return;
        }
    };
    let (tx, mut outbox) = mpsc::channel::<Message>(64);
    let out = child
        .stdout
        .take()
        .map(|o| tokio::spawn(pump(o, STDOUT, tx.clone())));
    let err_channel = if req.tty { STDOUT } else { STDERR };
    let err = child
        .stderr
        .take()
        .map(|e| tokio::spawn(pump(e, err_channel, tx.clone())));
    let mut stdin = if req.stdin { child.stdin.take() } else { None };
    drop(child.stdin.take());
    let writer = tokio::spawn(async move {
        while let Some(m) = outbox.recv().await {
            if sink.send(m).await.is_err() {
                break;
            }
        }
        sink
    });
    let reader = tokio::spawn(async move {
        while let Some(Ok(msg)) = stream.next().await {
            let bytes = match msg {
                Message::Binary(b) => b.to_vec(),
                Message::Text(t) => t.as_bytes().to_vec(),
                Message::Close(_) => break,
                _ => continue,
            };
            match bytes.split_first() {
                Some((&STDIN, data)) => {
                    if let Some(w) = stdin.as_mut()
                        && !data.is_empty()
                        && w.write_all(data).await.is_err()
                    {
                        stdin = None;
                    }
                }
                Some((&CLOSE, rest)) if v5 && rest.first() == Some(&STDIN) => stdin = None,
                _ => {}
            }
        }
    });
    let code = child.wait().await.map(|s| {
        s.code()
            .unwrap_or(128 + std::os::unix::process::ExitStatusExt::signal(&s).unwrap_or(9))
    });
    for task in [out, err].into_iter().flatten() {
        let _ = task.await;
    }
    reader.abort();
    let status = final_status(&req.command, code.map_err(|e| e.to_string()));
    let _ = tx.send(framed(ERROR, status.to_string().as_bytes())).await;
    let _ = tx.send(normal_close()).await;
    drop(tx);
    let _ = writer.await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_command_parameters_keep_their_order() {
        let r = parse_query(
            "command=sh&command=-c&command=echo%20%24HOME&container=web&stdin=true&stdout=true",
        );
        assert_eq!(r.command, ["sh", "-c", "echo $HOME"]);
        assert_eq!(r.container.as_deref(), Some("web"));
        assert!(r.stdin && !r.tty);
    }
}
