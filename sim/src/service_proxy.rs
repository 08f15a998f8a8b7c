//! In-cluster HTTP by Service name: pods get this proxy as `HTTP_PROXY`, so
//! `http://todo-backend:8000` (or `.ns`, `.ns.svc`, `.ns.svc.cluster.local`) reaches a ready
//! endpoint of that Service, round-robin; 503 when it has none. Each pod's proxy URL carries
//! its uid as the user name, so a bare Service name resolves in the caller's namespace, as
//! cluster DNS search paths make it.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::controllers::replicaset::pod_ready;
use crate::meta::host_port;
use crate::network::cluster::on_pod_network;
use crate::resources::{POD, SERVICE};
use crate::selector::LabelSelector;
use crate::store::Store;

#[derive(Clone)]
struct ProxyState {
    store: Arc<Store>,
    client: reqwest::Client,
    next: Arc<AtomicUsize>,
}

/// The proxy URL a pod is given: the proxy's address with the pod's uid as credentials.
pub fn url_for_pod(proxy_url: &str, pod_uid: &str) -> String {
    match proxy_url.split_once("://") {
        Some((scheme, rest)) if !pod_uid.is_empty() => {
            format!("{scheme}://{pod_uid}:kubesim@{rest}")
        }
        _ => proxy_url.to_string(),
    }
}

/// The namespace of the pod whose credentials came with a request (`default` without).
fn caller_namespace(store: &Store, headers: &axum::http::HeaderMap) -> String {
    use base64::Engine;
    let uid = headers
        .get(header::PROXY_AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|pair| pair.split(':').next().map(str::to_string));
    uid.and_then(|uid| {
        store
            .all_shared(&POD)
            .iter()
            .find(|p| p["metadata"]["uid"] == uid.as_str())
            .and_then(|p| p["metadata"]["namespace"].as_str().map(str::to_string))
    })
    .unwrap_or_else(|| "default".into())
}

/// Where a Service name resolves for a caller in `caller_ns`: `(service, namespace)`.
pub fn parse_host(host: &str, caller_ns: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = host.split('.').collect();
    match parts.as_slice() {
        [svc] => Some((svc.to_string(), caller_ns.to_string())),
        [svc, ns] | [svc, ns, "svc"] | [svc, ns, "svc", "cluster", "local"] => {
            Some((svc.to_string(), ns.to_string()))
        }
        _ => None,
    }
}

/// The ready backends of `svc:port`: the pod's address and target port on the cluster
/// network, or `127.0.0.1` and the loopback port the container was given.
pub fn backends(
    store: &Store,
    svc: &str,
    ns: &str,
    port: u16,
) -> Result<Vec<SocketAddrV4>, String> {
    let service = store
        .get(&SERVICE, ns, svc)
        .map_err(|_| format!("service \"{svc}\" not found in namespace \"{ns}\""))?;
    let sport = service["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["port"].as_u64() == Some(u64::from(port)))
        .cloned()
        .ok_or_else(|| format!("service \"{svc}\" has no port {port}"))?;
    let selector = LabelSelector::from_object(
        &serde_json::json!({"matchLabels": service["spec"]["selector"]}),
    );
    let pods = store.all_shared(&POD);
    Ok(pods
        .iter()
        .filter(|p| {
            p["metadata"]["namespace"] == ns
                && selector.matches(p["metadata"]["labels"].as_object())
                && pod_ready(p)
                // A terminating pod has left its Service's endpoints.
                && !crate::graceful::terminating(p)
        })
        .filter_map(|p| {
            let cport = match &sport["targetPort"] {
                Value::Number(n) => n.as_i64(),
                Value::String(name) => p["spec"]["containers"]
                    .as_array()?
                    .iter()
                    .flat_map(|c| c["ports"].as_array().into_iter().flatten())
                    .find(|x| x["name"] == name.as_str())
                    .and_then(|x| x["containerPort"].as_i64()),
                _ => sport["port"].as_i64(),
            }?;
            let own = p["status"]["podIP"]
                .as_str()
                .and_then(|ip| ip.parse::<Ipv4Addr>().ok())
                .filter(|ip| on_pod_network(*ip));
            Some(match own {
                Some(ip) => SocketAddrV4::new(ip, u16::try_from(cport).ok()?),
                None => SocketAddrV4::new(
                    Ipv4Addr::LOCALHOST,
                    u16::try_from(host_port(p, cport)).ok()?,
                ),
            })
        })
        .collect())
}

fn unavailable(message: String) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

async fn forward(State(s): State<ProxyState>, req: Request) -> Response {
    let authority = req
        .uri()
        .authority()
        .map(|a| a.to_string())
        .or_else(|| {
            req.headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string)
        })
        .unwrap_or_default();
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h.to_string(), p.parse().unwrap_or(80)),
        None => (authority.clone(), 80),
    };
    let caller = caller_namespace(&s.store, req.headers());
    let Some((svc, ns)) = parse_host(&host, &caller) else {
        return (
            StatusCode::BAD_GATEWAY,
            format!("kubesim proxy: {host:?} is not a Service name"),
        )
            .into_response();
    };
    let addrs = match backends(&s.store, &svc, &ns, port) {
        Ok(a) if a.is_empty() => {
            return unavailable(format!("no endpoints available for service \"{svc}\""));
        }
        Ok(a) => a,
        Err(e) => return unavailable(e),
    };
    let path = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let method = req.method().clone();
    let headers = req.headers().clone();
    let body = match axum::body::to_bytes(req.into_body(), 16 * 1024 * 1024).await {
        Ok(b) => b,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    // Round-robin over the ready endpoints, one try, as kube-proxy's rules route a
    // connection: an endpoint that refuses or resets it fails the request (a shutting-down
    // pod still listed shows here as on a cluster), and a request is never sent twice.
    let addr = &addrs[s.next.fetch_add(1, Ordering::Relaxed) % addrs.len()];
    let mut out = s.client.request(method, format!("http://{addr}{path}"));
    for (k, v) in headers.iter() {
        if k != header::HOST && k != header::CONNECTION && k.as_str() != "proxy-connection" {
            out = out.header(k, v);
        }
    }
    match out.body(body).send().await {
        Ok(r) => {
            let mut b = Response::builder().status(r.status().as_u16());
            for (k, v) in r.headers() {
                if k != header::TRANSFER_ENCODING && k != header::CONNECTION {
                    b = b.header(k, v);
                }
            }
            let bytes = r.bytes().await.unwrap_or_default();
            b.body(Body::from(bytes))
                .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
        }
        Err(e) => (
            StatusCode::BAD_GATEWAY,
            format!("kubesim proxy: {svc} endpoint {addr}: {e}"),
        )
            .into_response(),
    }
}

/// Starts the proxy on 127.0.0.1; returns its URL and task.
pub async fn start(store: Arc<Store>) -> std::io::Result<(String, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(120))
        .connect_timeout(Duration::from_secs(5))
        // No idle keep-alive connections: a pod shutting down would close them under us.
        .pool_max_idle_per_host(0)
        .build()
        .map_err(std::io::Error::other)?;
    let state = ProxyState {
        store,
        client,
        next: Arc::default(),
    };
    let app = Router::new().fallback(forward).with_state(state);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((url, task))
}

#[cfg(test)]
mod tests {
    #[test]
    fn service_host_forms() {
        for (h, want) in [
            ("todo-backend", ("todo-backend", "shop")),
            ("todo-backend.todo", ("todo-backend", "todo")),
            (
                "todo-backend.todo.svc.cluster.local",
                ("todo-backend", "todo"),
            ),
        ] {
            assert_eq!(
                super::parse_host(h, "shop"),
                Some((want.0.to_string(), want.1.to_string()))
            );
        }
        assert_eq!(super::parse_host("example.com.x.y.z.w", "shop"), None);
        assert_eq!(
            super::url_for_pod("http://127.0.0.1:9", "u-1"),
            "http://u-1:kubesim@127.0.0.1:9"
        );
    }
}
