//! The kubelet's side of `kubectl port-forward` over SPDY (`portforward.k8s.io`): for each
//! connection kubectl opens an error stream and a data stream that share a `requestid` and
//! name the pod `port`; kubesim joins the data stream to the pod's loopback port.

use std::collections::HashMap;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::mpsc;

use crate::network::Dial;

use super::{FLAG_FIN, Frame, HeaderCodec, control, data, kind, read_frame, stream_of};

/// Serves one upgraded connection to the pod `dial` reaches.
pub async fn serve<IO>(io: IO, dial: Dial)
where
    IO: AsyncRead + AsyncWrite + Send + 'static,
{
    let (mut reader, mut writer) = tokio::io::split(io);
    let (out, mut outbox) = mpsc::channel::<Vec<u8>>(64);
    let pump = tokio::spawn(async move {
        while let Some(frame) = outbox.recv().await {
            if writer.write_all(&frame).await.is_err() {
                break;
            }
        }
        let _ = writer.shutdown().await;
    });
    let mut codec = HeaderCodec::default();
    // requestid → error stream, for reporting a failed connection.
    let mut error_streams: HashMap<String, u32> = HashMap::new();
    // data stream → the pod connection's write half.
    let mut to_pod: HashMap<u32, OwnedWriteHalf> = HashMap::new();
    loop {
        let frame = match read_frame(&mut reader).await {
            Ok(Some(f)) => f,
            other => {
                tracing::debug!("port-forward: SPDY session ends: {other:?}");
                break;
            }
        };
        match frame {
            Frame::Control {
                kind: kind::SYN_STREAM,
                payload,
                ..
            } => {
                let stream = stream_of(&payload);
                let headers = match codec.decode(payload.get(10..).unwrap_or(&[])) {
                    Ok(h) => h,
                    Err(e) => {
                        tracing::warn!("port-forward: unreadable SPDY headers: {e}");
                        break;
                    }
                };
                let get = |k: &str| {
                    headers
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(k))
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                let Ok(reply) = codec.encode(&[]) else {
                    break;
                };
                let mut p = stream.to_be_bytes().to_vec();
                p.extend_from_slice(&reply);
                if out.send(control(kind::SYN_REPLY, 0, &p)).await.is_err() {
                    break;
                }
                let request = get("requestid");
                match get("streamtype").as_str() {
                    "error" => {
                        error_streams.insert(request, stream);
                    }
                    "data" => {
                        let port: u16 = get("port").parse().unwrap_or(0);
                        let errors = error_streams.get(&request).copied();
                        match dial.connect(port).await {
                            Ok(conn) => {
                                let (read, write) = conn.into_split();
                                to_pod.insert(stream, write);
                                tokio::spawn(from_pod(read, stream, errors, out.clone()));
                            }
                            Err(e) => {
                                let text = format!("error forwarding port {port} to pod: {e}");
                                if let Some(es) = errors {
                                    let _ = out.send(data(es, FLAG_FIN, text.as_bytes())).await;
                                }
                                let _ = out.send(data(stream, FLAG_FIN, &[])).await;
                            }
                        }
                    }
                    _ => {}
                }
            }
            Frame::Control {
                kind: kind::PING,
                payload,
                ..
            } => {
                let _ = out.send(control(kind::PING, 0, &payload)).await;
            }
            Frame::Control {
                kind: kind::RST_STREAM,
                payload,
                ..
            } => {
                to_pod.remove(&stream_of(&payload));
            }
            Frame::Control {
                kind: kind::GOAWAY, ..
            } => break,
            Frame::Control { .. } => {}
            Frame::Data {
                stream,
                flags,
                data: bytes,
            } => {
                if let Some(w) = to_pod.get_mut(&stream) {
                    if !bytes.is_empty() && w.write_all(&bytes).await.is_err() {
                        to_pod.remove(&stream);
                    } else if flags & FLAG_FIN != 0 {
                        let _ = w.shutdown().await;
                    }
                }
            }
        }
    }
    drop(out);
    let _ = pump.await;
}

/// Copies what the pod sends into DATA frames; its end closes both streams of the request.
async fn from_pod(
    mut read: tokio::net::tcp::OwnedReadHalf,
    stream: u32,
    errors: Option<u32>,
    out: mpsc::Sender<Vec<u8>>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    while let Ok(n) = read.read(&mut buf).await {
        if n == 0 || out.send(data(stream, 0, &buf[..n])).await.is_err() {
            break;
        }
    }
    let _ = out.send(data(stream, FLAG_FIN, &[])).await;
    if let Some(es) = errors {
        let _ = out.send(data(es, FLAG_FIN, &[])).await;
    }
}
