//! The cluster network, as a bridge CNI plugin makes it on a node: every pod has its own
//! network namespace with `lo` and an `eth0` on the node's bridge, and an address from the
//! pod CIDR. The node's namespace holds the bridge (the pods' gateway), the Service
//! addresses (see `kube_proxy`) and the cluster DNS.

use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Weak};

use tokio::net::{TcpListener, TcpSocket, TcpStream, UdpSocket};

use super::firewall::Firewall;
use super::ip::{NetworkError, batch};
use super::netns::NetNs;

/// The pod network: `10.244.0.0/16`, as minikube's.
pub const POD_CIDR: (Ipv4Addr, u8) = (Ipv4Addr::new(10, 244, 0, 0), 16);
/// The bridge's address, every pod's default gateway.
pub const GATEWAY: Ipv4Addr = Ipv4Addr::new(10, 244, 0, 1);
/// The bridge device in the node's namespace.
const BRIDGE: &str = "cni0";

/// One node's pod network.
#[derive(Debug)]
pub struct ClusterNetwork {
    node: NetNs,
    /// The last pod address handed out (as an offset in the CIDR); never reused while
    /// kubesim runs, so a pod that is slow to go cannot clash with a new one.
    last: AtomicU32,
    /// Addresses added to the node's loopback (Service IPs).
    local: Mutex<HashSet<Ipv4Addr>>,
    /// The pods' networks by address, while their pods hold them.
    pods: Mutex<HashMap<Ipv4Addr, Weak<PodNet>>>,
    /// The NetworkPolicy filters written into the pods' namespaces.
    pub firewall: Firewall,
}

/// A pod's network: its namespace and address.
#[derive(Debug)]
pub struct PodNet {
    /// The pod's namespace (containers join it).
    pub ns: NetNs,
    /// Its address on the pod network.
    pub ip: Ipv4Addr,
}

/// Whether `ip` is on the pod network.
pub fn on_pod_network(ip: Ipv4Addr) -> bool {
    let mask = u32::MAX << (32 - u32::from(POD_CIDR.1));
    u32::from(ip) & mask == u32::from(POD_CIDR.0)
}

impl ClusterNetwork {
    /// Makes the node's namespace and bridge. Fails where this process may not make
    /// network namespaces (not root, no CAP_NET_ADMIN) or iproute2 is missing.
    pub fn start() -> Result<Self, NetworkError> {
        let node = NetNs::create()?;
        batch(
            &node,
            &[
                "link set lo up".into(),
                format!("link add name {BRIDGE} type bridge"),
                format!("addr add {GATEWAY}/{} dev {BRIDGE}", POD_CIDR.1),
                format!("link set {BRIDGE} up"),
            ],
        )?;
        Ok(Self {
            node,
            last: AtomicU32::new(1),
            local: Mutex::default(),
            pods: Mutex::default(),
            firewall: Firewall::default(),
        })
    }

    /// A new pod network namespace on the bridge, with its address and default route.
    pub fn attach(&self) -> Result<Arc<PodNet>, NetworkError> {
        let offset = self.last.fetch_add(1, Ordering::Relaxed) + 1;
        let size = 1u32 << (32 - u32::from(POD_CIDR.1));
        if offset >= size - 1 {
            return Err(NetworkError::Io(std::io::Error::other(
                "the pod network 10.244.0.0/16 has no address left; restart kubesim",
            )));
        }
        let ip = Ipv4Addr::from(u32::from(POD_CIDR.0) + offset);
        let ns = NetNs::create()?;
        let host_side = format!("veth{offset:x}");
        batch(
            &self.node,
            &[
                format!(
                    "link add name {host_side} type veth peer name eth0 netns {}",
                    ns.path()
                ),
                format!("link set {host_side} master {BRIDGE} up"),
            ],
        )?;
        batch(
            &ns,
            &[
                "link set lo up".into(),
                "link set eth0 up".into(),
                format!("addr add {ip}/{} dev eth0", POD_CIDR.1),
                format!("route add default via {GATEWAY}"),
            ],
        )?;
        let pod = Arc::new(PodNet { ns, ip });
        let mut pods = self.pods.lock().unwrap_or_else(|p| p.into_inner());
        pods.retain(|_, p| p.strong_count() > 0);
        pods.insert(ip, Arc::downgrade(&pod));
        Ok(pod)
    }

    /// The network of the pod at `ip`, while the pod holds it.
    pub fn pod(&self, ip: Ipv4Addr) -> Option<Arc<PodNet>> {
        let pods = self.pods.lock().unwrap_or_else(|p| p.into_inner());
        pods.get(&ip).and_then(Weak::upgrade)
    }

    /// Every pod network still held.
    pub fn pods(&self) -> Vec<Arc<PodNet>> {
        let pods = self.pods.lock().unwrap_or_else(|p| p.into_inner());
        pods.values().filter_map(Weak::upgrade).collect()
    }

    /// Makes `ip` an address of the node (a Service's cluster IP), once.
    pub fn add_local(&self, ip: Ipv4Addr) -> Result<(), NetworkError> {
        let mut local = self.local.lock().unwrap_or_else(|p| p.into_inner());
        if local.contains(&ip) {
            return Ok(());
        }
        batch(&self.node, &[format!("addr add {ip}/32 dev lo")])?;
        local.insert(ip);
        Ok(())
    }

    /// A connection from the node to `addr` on the pod network (or a Service address).
    pub async fn connect(&self, addr: SocketAddrV4) -> std::io::Result<TcpStream> {
        connect_from(&self.node, addr).await
    }

    /// A listener on the node's side of the network.
    pub fn listen(&self, addr: SocketAddrV4) -> std::io::Result<TcpListener> {
        let std = self.node.run_in(|| std::net::TcpListener::bind(addr))??;
        std.set_nonblocking(true)?;
        TcpListener::from_std(std)
    }

    /// A UDP socket on the node's side of the network.
    pub fn udp(&self, addr: SocketAddrV4) -> std::io::Result<UdpSocket> {
        let std = self.node.run_in(|| std::net::UdpSocket::bind(addr))??;
        std.set_nonblocking(true)?;
        UdpSocket::from_std(std)
    }
}

impl PodNet {
    /// A connection to `port` on the pod's own loopback, as `kubectl port-forward` makes.
    pub async fn connect_local(&self, port: u16) -> std::io::Result<TcpStream> {
        connect_from(&self.ns, SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)).await
    }

    /// A connection from this pod to `addr`, as if the pod made it: its address is the
    /// source and its own filter judges it (kube-proxy's connections for it).
    pub async fn connect_as(&self, addr: SocketAddrV4) -> std::io::Result<TcpStream> {
        connect_from(&self.ns, addr).await
    }
}

/// Connects to `addr` with a socket made inside `ns`.
async fn connect_from(ns: &NetNs, addr: SocketAddrV4) -> std::io::Result<TcpStream> {
    let socket = ns.run_in(TcpSocket::new_v4)??;
    socket.connect(SocketAddr::V4(addr)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pod_cidr_holds_pod_addresses_only() {
        assert!(on_pod_network(Ipv4Addr::new(10, 244, 3, 7)));
        assert!(!on_pod_network(Ipv4Addr::new(10, 96, 0, 1)));
        assert!(!on_pod_network(Ipv4Addr::LOCALHOST));
    }
}
