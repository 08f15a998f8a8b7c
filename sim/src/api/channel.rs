//! What the WebSocket subresources (`pods/exec`, `pods/portforward`) share: the channel
//! protocols they speak and the framing of their messages (a channel byte, then data).

use axum::extract::ws::Message;
use axum::http::HeaderMap;

/// The channel protocols served, preferred first.
pub const PROTOCOLS: [&str; 2] = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

/// The remote-command channels (exec, attach): stdin, stdout, stderr, the final Status,
/// and v5's close of a channel.
pub const STDIN: u8 = 0;
/// Standard output.
pub const STDOUT: u8 = 1;
/// Standard error.
pub const STDERR: u8 = 2;
/// The final Status.
pub const ERROR: u8 = 3;
/// v5: `[255, channel]` closes that channel.
pub const CLOSE: u8 = 255;

/// The protocols a client offers in `Sec-WebSocket-Protocol`.
pub fn offered(headers: &HeaderMap) -> Vec<String> {
    headers
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Whether the client offers one of ours.
pub fn offers_ours(headers: &HeaderMap) -> bool {
    offered(headers)
        .iter()
        .any(|p| PROTOCOLS.contains(&p.as_str()))
}

/// One message on `channel`.
pub fn framed(channel: u8, bytes: &[u8]) -> Message {
    let mut v = Vec::with_capacity(bytes.len() + 1);
    v.push(channel);
    v.extend_from_slice(bytes);
    Message::Binary(v.into())
}
