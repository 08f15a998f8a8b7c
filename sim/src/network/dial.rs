//! How the kubelet and the API server reach a pod's port: through the cluster network
//! where pods have one, else on the loopback port of this machine the container was given.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;

use tokio::net::TcpStream;

use super::cluster::{ClusterNetwork, PodNet, on_pod_network};

/// Where a pod's ports are.
#[derive(Clone)]
pub enum Dial {
    /// The pod's address on the cluster network, from the node (probes, Services).
    Network(Arc<ClusterNetwork>, Ipv4Addr),
    /// The pod's own loopback, inside its namespace (port-forward).
    Inside(Arc<PodNet>),
    /// This machine's loopback: each container port on the port it was given there
    /// (container port → port; container port 0 answers for any port).
    Loopback(Vec<(i64, u16)>),
}

impl Dial {
    /// The port `port` is served on.
    fn target(&self, port: u16) -> (Ipv4Addr, u16) {
        match self {
            Dial::Network(_, ip) => (*ip, port),
            Dial::Inside(_) => (Ipv4Addr::LOCALHOST, port),
            Dial::Loopback(ports) => {
                let find = |p: i64| ports.iter().find(|(c, _)| *c == p).map(|(_, h)| *h);
                let host = find(i64::from(port))
                    .or_else(|| find(crate::meta::ANY_PORT))
                    .unwrap_or(port);
                (Ipv4Addr::LOCALHOST, host)
            }
        }
    }

    /// `ip:port` as the kubelet names it in messages.
    pub fn address(&self, port: u16) -> String {
        let (ip, p) = self.target(port);
        format!("{ip}:{p}")
    }

    /// A connection to the pod's `port`.
    pub async fn connect(&self, port: u16) -> std::io::Result<TcpStream> {
        let (ip, p) = self.target(port);
        match self {
            Dial::Network(net, _) => net.connect(SocketAddrV4::new(ip, p)).await,
            Dial::Inside(pod) => pod.connect_local(p).await,
            Dial::Loopback(_) => TcpStream::connect((ip, p)).await,
        }
    }
}

/// Connects to a Service endpoint: an address on the pod network through the node's
/// namespace, any other (this machine's loopback) directly.
pub async fn connect_endpoint(
    net: Option<&ClusterNetwork>,
    to: SocketAddrV4,
) -> std::io::Result<TcpStream> {
    match net {
        Some(net) if on_pod_network(*to.ip()) => net.connect(to).await,
        _ => TcpStream::connect(to).await,
    }
}
