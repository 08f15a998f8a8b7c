//! The cluster network: pods in their own network namespaces on a node bridge, Services
//! on cluster IPs, and the cluster DNS — so a stock image listens on its own port and
//! reaches others by Service name, as on a cluster. It needs the right to make network
//! namespaces (root or CAP_NET_ADMIN) and iproute2; without them pods share this
//! machine's network and each container port gets a loopback port of its own.

pub mod cluster;
pub mod dial;
pub mod dns;
pub mod files;
pub mod firewall;
pub mod ip;
pub mod kube_proxy;
pub mod netns;
pub mod policy;

pub use cluster::{ClusterNetwork, PodNet};
pub use dial::Dial;
