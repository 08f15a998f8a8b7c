//! Probes, as the kubelet runs them: an HTTP GET (200–399 passes), a TCP connect, or a
//! command in the container (exit 0 passes), each within its timeout, failing with the
//! kubelet's own message.

use std::time::Duration;

use super::exec::ExecTarget;
use crate::network::Dial;

/// What a probe does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `httpGet` on a port of the pod.
    Http {
        /// The path.
        path: String,
        /// The container port.
        port: u16,
    },
    /// `tcpSocket`: a connection is enough.
    Tcp {
        /// The container port.
        port: u16,
    },
    /// `exec`: the command in the container.
    Exec {
        /// The command.
        command: Vec<String>,
    },
}

/// Runs a probe once; the error is the message the kubelet puts in the event.
pub async fn run(
    action: &Action,
    timeout: Duration,
    container: Option<&ExecTarget>,
    dial: &Dial,
) -> Result<(), String> {
    match action {
        Action::Http { path, port } => http_get(dial, *port, path, timeout).await,
        Action::Tcp { port } => {
            let at = dial.address(*port);
            match tokio::time::timeout(timeout, dial.connect(*port)).await {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e)) => Err(format!("dial tcp {at}: connect: {}", short(&e))),
                Err(_) => Err(format!("dial tcp {at}: i/o timeout")),
            }
        }
        Action::Exec { command } => {
            let Some(target) = container else {
                return Err("container is not running".into());
            };
            let child = target.spawn(command).map_err(|e| {
                format!("OCI runtime exec failed: exec failed: unable to start container process: exec: \"{}\": {e}: unknown", command.first().map_or("", String::as_str))
            })?;
            match tokio::time::timeout(timeout, child.wait_with_output()).await {
                Ok(Ok(out)) if out.status.success() => Ok(()),
                Ok(Ok(out)) => {
                    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
                    text.push_str(&String::from_utf8_lossy(&out.stderr));
                    Err(text.trim_end().to_string())
                }
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err(format!("command {:?} timed out", command.join(" "))),
            }
        }
    }
}

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Runs one HTTP GET probe; the error is the message the kubelet would put in the event.
pub async fn http_get(dial: &Dial, port: u16, path: &str, timeout: Duration) -> Result<(), String> {
    let at = dial.address(port);
    let url = format!("http://{at}{path}");
    let attempt = async {
        let mut s = dial
            .connect(port)
            .await
            .map_err(|e| format!("Get \"{url}\": dial tcp {at}: connect: {}", short(&e)))?;
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: {at}\r\nUser-Agent: kube-probe/1.32\r\nAccept: */*\r\nConnection: close\r\n\r\n"
        );
        s.write_all(req.as_bytes())
            .await
            .map_err(|e| format!("Get \"{url}\": {e}"))?;
        let mut buf = [0u8; 64];
        let n = s
            .read(&mut buf)
            .await
            .map_err(|e| format!("Get \"{url}\": {e}"))?;
        let head = String::from_utf8_lossy(&buf[..n]);
        let code: u16 = head
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| format!("Get \"{url}\": malformed HTTP response"))?;
        if (200..400).contains(&code) {
            Ok(())
        } else {
            Err(format!("HTTP probe failed with statuscode: {code}"))
        }
    };
    match tokio::time::timeout(timeout, attempt).await {
        Ok(r) => r,
        Err(_) => Err(format!(
            "Get \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
        )),
    }
}

fn short(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
        _ => e.to_string(),
    }
}
