//! Services on the cluster network, as kube-proxy in its userspace mode serves them: each
//! TCP port of each Service's cluster IP is a listener on the node, and each connection
//! goes to a ready endpoint, round-robin. With no ready endpoint the connection is reset,
//! as kube-proxy's reject rule refuses it. A pod's connection is made onward from inside
//! the pod's own namespace, so the endpoint sees the pod's address and both pods'
//! NetworkPolicy filters judge it as they would the DNAT-ed packets on a cluster.

use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::task::AbortHandle;

use super::cluster::{ClusterNetwork, on_pod_network};
use super::dial::connect_endpoint;
use crate::resources::{ENDPOINTS, SERVICE};
use crate::store::Store;

/// How long a connection to an endpoint may take before the client's is dropped.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// One Service port: where it listens and what it forwards to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ServicePort {
    ip: Ipv4Addr,
    port: u16,
    ns: String,
    service: String,
    /// The port's name (what the Endpoints' ports are matched by).
    name: String,
}

/// The TCP ports of every Service with a cluster IP.
fn service_ports(store: &Store) -> Vec<ServicePort> {
    let mut out = Vec::new();
    for svc in store.all_shared(&SERVICE) {
        let Some(ip) = svc["spec"]["clusterIP"]
            .as_str()
            .and_then(|s| s.parse::<Ipv4Addr>().ok())
        else {
            continue;
        };
        for p in svc["spec"]["ports"].as_array().into_iter().flatten() {
            let tcp = p["protocol"].as_str().unwrap_or("TCP") == "TCP";
            let Some(port) = p["port"].as_u64().and_then(|n| u16::try_from(n).ok()) else {
                continue;
            };
            if tcp {
                out.push(ServicePort {
                    ip,
                    port,
                    ns: svc["metadata"]["namespace"].as_str().unwrap_or("").into(),
                    service: svc["metadata"]["name"].as_str().unwrap_or("").into(),
                    name: p["name"].as_str().unwrap_or("").into(),
                });
            }
        }
    }
    out
}

/// The ready endpoints of a Service port, from its Endpoints object.
fn ready_endpoints(store: &Store, sp: &ServicePort) -> Vec<SocketAddrV4> {
    let Ok(ep) = store.get(&ENDPOINTS, &sp.ns, &sp.service) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for subset in ep["subsets"].as_array().into_iter().flatten() {
        let port = subset["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"].as_str().unwrap_or("") == sp.name)
            .and_then(|p| p["port"].as_u64())
            .and_then(|n| u16::try_from(n).ok());
        let Some(port) = port else { continue };
        for a in subset["addresses"].as_array().into_iter().flatten() {
            if let Some(ip) = a["ip"].as_str().and_then(|s| s.parse().ok()) {
                out.push(SocketAddrV4::new(ip, port));
            }
        }
    }
    out
}

/// How long a client whose connection goes unanswered is kept waiting, as a dropped SYN
/// keeps it on a cluster (Linux gives up connecting after about two minutes).
const UNANSWERED: Duration = Duration::from_secs(130);

/// Connects to an endpoint for the client at `from`, within [`CONNECT_TIMEOUT`]: as the
/// client's pod where it is one, else from the node.
async fn dial(
    net: &ClusterNetwork,
    from: std::net::SocketAddr,
    to: SocketAddrV4,
) -> std::io::Result<TcpStream> {
    let client_pod = match from.ip() {
        std::net::IpAddr::V4(ip) if on_pod_network(*to.ip()) => net.pod(ip),
        _ => None,
    };
    let connect = async {
        match &client_pod {
            Some(pod) => pod.connect_as(to).await,
            None => connect_endpoint(Some(net), to).await,
        }
    };
    tokio::time::timeout(CONNECT_TIMEOUT, connect)
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out"))?
}

/// Keeps an unanswered client waiting, reading nothing back, until it gives up.
async fn leave_unanswered(mut conn: TcpStream) {
    let mut sink = tokio::io::sink();
    let _ = tokio::time::timeout(UNANSWERED, tokio::io::copy(&mut conn, &mut sink)).await;
}

/// Resets a connection instead of closing it: the client sees it refused, as kube-proxy's
/// reject rule makes it for a Service without endpoints.
fn refuse(conn: &TcpStream) {
    let _ = socket2::SockRef::from(conn).set_linger(Some(Duration::ZERO));
}

/// Serves one Service port until aborted.
async fn serve(
    store: Arc<Store>,
    net: Arc<ClusterNetwork>,
    sp: ServicePort,
    listener: tokio::net::TcpListener,
) {
    let next = Arc::new(AtomicUsize::new(0));
    loop {
        let Ok((mut inbound, from)) = listener.accept().await else {
            continue;
        };
        let endpoints = ready_endpoints(&store, &sp);
        if endpoints.is_empty() {
            refuse(&inbound);
            continue;
        }
        let to = endpoints[next.fetch_add(1, Ordering::Relaxed) % endpoints.len()];
        let net = net.clone();
        tokio::spawn(async move {
            match dial(&net, from, to).await {
                Ok(mut outbound) => {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
                // Dropped on the way (a NetworkPolicy): the client hears nothing.
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                    leave_unanswered(inbound).await;
                }
                Err(_) => refuse(&inbound),
            }
        });
    }
}

/// Keeps a listener for every Service port; returns the proxy's task.
pub fn spawn(store: Arc<Store>, net: Arc<ClusterNetwork>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut rx = store.subscribe();
        let mut serving: HashMap<ServicePort, AbortHandle> = HashMap::new();
        // Ports something else on the node serves (the cluster DNS).
        let mut elsewhere: HashSet<ServicePort> = HashSet::new();
        loop {
            let wanted = service_ports(&store);
            serving.retain(|sp, task| {
                let keep = wanted.contains(sp);
                if !keep {
                    task.abort();
                }
                keep
            });
            elsewhere.retain(|sp| wanted.contains(sp));
            for sp in wanted {
                if serving.contains_key(&sp) || elsewhere.contains(&sp) {
                    continue;
                }
                if let Err(e) = net.add_local(sp.ip) {
                    tracing::warn!(service = %sp.service, "kube-proxy: {e}");
                    continue;
                }
                match net.listen(SocketAddrV4::new(sp.ip, sp.port)) {
                    Ok(l) => {
                        let task = tokio::spawn(serve(store.clone(), net.clone(), sp.clone(), l));
                        serving.insert(sp, task.abort_handle());
                    }
                    // The cluster DNS serves its own address.
                    Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                        elsewhere.insert(sp);
                    }
                    Err(e) => {
                        tracing::warn!(service = %sp.service, port = sp.port, "kube-proxy cannot listen: {e}")
                    }
                }
            }
            match rx.recv().await {
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
            while rx.try_recv().is_ok() {}
        }
        for task in serving.values() {
            task.abort();
        }
    })
}
