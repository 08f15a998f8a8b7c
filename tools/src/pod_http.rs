//! HTTP to a Service the way `kubectl port-forward svc/NAME` reaches it: through the API
//! server's `pods/portforward` to one ready pod behind the Service, so it works on any
//! cluster without a route from this machine to the pods.

use std::time::Duration;

use k8s_openapi::api::core::v1::{Endpoints, Pod, Service};
use kube::Api;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::cluster::Cluster;
use crate::tool::ToolError;

/// One HTTP request.
#[derive(Debug, Clone)]
pub struct HttpRequest<'a> {
    /// `GET`, `POST`, …
    pub method: &'a str,
    /// Path and query.
    pub path: &'a str,
    /// A bearer token, if any.
    pub bearer: Option<&'a str>,
    /// A JSON body, if any.
    pub json: Option<&'a Value>,
}

/// What came back.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpReply {
    /// The status code.
    pub status: u16,
    /// The body, as text.
    pub body: String,
}

/// The pod and its port behind `service:port` (a ready endpoint), as `kubectl
/// port-forward svc/NAME` picks one.
pub async fn target(
    cluster: &Cluster,
    service: &str,
    port: u16,
) -> Result<(String, u16), ToolError> {
    let ns = &cluster.namespace;
    let svc = Api::<Service>::namespaced(cluster.client.clone(), ns)
        .get(service)
        .await
        .map_err(|e| ToolError::from(cluster.error(e)))?;
    let port_name = svc
        .spec
        .as_ref()
        .and_then(|s| s.ports.as_ref())
        .and_then(|ps| ps.iter().find(|p| p.port == i32::from(port)))
        .map(|p| p.name.clone().unwrap_or_default())
        .ok_or_else(|| ToolError::Retry(format!("service {service} has no port {port}")))?;
    let eps = Api::<Endpoints>::namespaced(cluster.client.clone(), ns)
        .get(service)
        .await
        .map_err(|e| ToolError::from(cluster.error(e)))?;
    for subset in eps.subsets.unwrap_or_default() {
        let Some(p) = subset
            .ports
            .unwrap_or_default()
            .into_iter()
            .find(|p| p.name.clone().unwrap_or_default() == port_name)
        else {
            continue;
        };
        if let Some(pod) = subset
            .addresses
            .unwrap_or_default()
            .into_iter()
            .find_map(|a| a.target_ref.and_then(|r| r.name))
        {
            return Ok((pod, u16::try_from(p.port).unwrap_or(port)));
        }
    }
    Err(ToolError::Retry(format!(
        "service {service} has no ready endpoint for port {port}: no pod behind it is Ready (see list_pods and get_events)"
    )))
}

/// Sends `req` to `service:port` and reads the whole reply (the connection is closed after).
pub async fn request(
    cluster: &Cluster,
    service: &str,
    port: u16,
    req: &HttpRequest<'_>,
    timeout: Duration,
) -> Result<HttpReply, ToolError> {
    let (pod, pod_port) = target(cluster, service, port).await?;
    request_pod(cluster, &pod, pod_port, service, req, timeout)
        .await
        .map_err(|e| match e {
            ToolError::Retry(m) if m.starts_with("no answer within") => ToolError::Retry(format!(
                "{service}:{port} did not answer within {} s",
                timeout.as_secs()
            )),
            other => other,
        })
}

/// Sends `req` to `pod:pod_port` (through the API server's port-forward) with `host` as its
/// Host header, and reads the whole reply.
pub async fn request_pod(
    cluster: &Cluster,
    pod: &str,
    pod_port: u16,
    host: &str,
    req: &HttpRequest<'_>,
    timeout: Duration,
) -> Result<HttpReply, ToolError> {
    let service = host;
    let pods: Api<Pod> = Api::namespaced(cluster.client.clone(), &cluster.namespace);
    let exchange = async {
        let mut pf = pods
            .portforward(pod, &[pod_port])
            .await
            .map_err(|e| ToolError::Retry(format!("port-forward to pod {pod}:{pod_port}: {e}")))?;
        let mut stream = pf
            .take_stream(pod_port)
            .ok_or_else(|| ToolError::Retry(format!("port-forward to pod {pod} gave no stream")))?;
        let body = req.json.map(Value::to_string).unwrap_or_default();
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {service}\r\nConnection: close\r\nAccept: application/json\r\n",
            req.method, req.path
        );
        if let Some(t) = req.bearer {
            head.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        if req.json.is_some() {
            head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        head.push_str(&body);
        let io = |e: std::io::Error| ToolError::Retry(format!("{service} via pod {pod}: {e}"));
        stream.write_all(head.as_bytes()).await.map_err(io)?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.map_err(io)?;
        pf.abort();
        parse(&raw).ok_or_else(|| {
            ToolError::Retry(format!(
                "{service} via pod {pod} answered with no HTTP response ({} bytes)",
                raw.len()
            ))
        })
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| ToolError::Retry(format!("no answer within {} s", timeout.as_secs())))?
}

/// Status and body of a raw HTTP/1.1 response (chunked bodies decoded).
pub fn parse(raw: &[u8]) -> Option<HttpReply> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head
        .lines()
        .next()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    let chunked = head
        .lines()
        .any(|l| l.to_ascii_lowercase().replace(' ', "") == "transfer-encoding:chunked");
    let body = if chunked {
        let mut out = String::new();
        let mut rest = body;
        while let Some((size, after)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).ok()?;
            if n == 0 {
                break;
            }
            out.push_str(after.get(..n)?);
            rest = after.get(n + 2..).unwrap_or("");
        }
        out
    } else {
        body.to_string()
    };
    Some(HttpReply { status, body })
}

#[cfg(test)]
mod tests {
    #[test]
    fn replies_parse_plain_and_chunked() {
        let r = super::parse(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok").unwrap();
        assert_eq!((r.status, r.body.as_str()), (200, "ok"));
        let r = super::parse(
            b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        )
        .unwrap();
        assert_eq!((r.status, r.body.as_str()), (201, "abcde"));
        assert!(super::parse(b"garbage").is_none());
    }
}
