//! NetworkPolicy enforcement: each pod's packet filter is computed from the cluster
//! (`policy`) and written into the pod's own network namespace with `nft` — first when the
//! pod's sandbox is made, before any of its containers runs, then after every change to a
//! policy, pod or namespace that alters it. Without nftables the policies are stored and
//! not enforced, as on a cluster whose network plugin does not support them.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use super::cluster::{ClusterNetwork, GATEWAY, PodNet, on_pod_network};
use super::dns::DNS_IP;
use super::ip::run_in;
use super::policy::nft::{Addresses, script};
use super::policy::{Cluster, PodFirewall};
use crate::resources::{NAMESPACE, NETWORK_POLICY, POD};
use crate::store::Store;

/// Why a filter could not be written.
#[derive(Debug, thiserror::Error)]
enum FilterError {
    #[error(
        "NetworkPolicies are stored but not enforced: cannot run `nft` ({0}); install nftables (scripts/setup does)"
    )]
    NoNft(std::io::Error),
    #[error("writing the NetworkPolicy filter of pod {ip} failed: {message}")]
    Refused { ip: Ipv4Addr, message: String },
}

/// The filters written into the pods' namespaces.
#[derive(Debug, Default)]
pub struct Firewall {
    /// The script each pod's namespace holds (by address).
    applied: Mutex<HashMap<Ipv4Addr, String>>,
    /// Set once `nft` is found missing: nothing more is tried.
    disabled: AtomicBool,
}

const ADDRESSES: Addresses = Addresses {
    node: GATEWAY,
    dns: DNS_IP,
};

/// The cluster DNS as the pod peers see it: CoreDNS's pods in `kube-system`.
fn dns_pod() -> Value {
    json!({
        "metadata": {"namespace": "kube-system", "name": "coredns", "labels": {"k8s-app": "kube-dns"}},
        "spec": {"containers": [{"name": "coredns", "ports": [
            {"name": "dns", "containerPort": 53, "protocol": "UDP"},
            {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"}
        ]}]},
        "status": {"podIP": DNS_IP.to_string()}
    })
}

/// Pods with an address on the pod network that still run or may run.
fn addressed_pods(store: &Store) -> Vec<Value> {
    let mut pods: Vec<Value> = store
        .all(&POD)
        .into_iter()
        .filter(|p| {
            let ip = p["status"]["podIP"].as_str().and_then(|s| s.parse().ok());
            let phase = p["status"]["phase"].as_str();
            ip.is_some_and(on_pod_network) && !matches!(phase, Some("Succeeded" | "Failed"))
        })
        .collect();
    pods.push(dns_pod());
    pods
}

/// The scripts the pods at `ips` need now (by address; a pod the store does not show at
/// that address yet gets none).
fn wanted(store: &Store, ips: &[Ipv4Addr]) -> HashMap<Ipv4Addr, String> {
    let policies = store.all(&NETWORK_POLICY);
    let pods = addressed_pods(store);
    let namespaces = store.all(&NAMESPACE);
    let cluster = Cluster {
        policies: &policies,
        pods: &pods,
        namespaces: &namespaces,
    };
    let mut out = HashMap::new();
    for ip in ips {
        let addr = ip.to_string();
        if let Some(pod) = pods.iter().find(|p| p["status"]["podIP"] == addr.as_str()) {
            out.insert(*ip, script(&cluster.firewall(pod), &ADDRESSES));
        }
    }
    out
}

impl Firewall {
    /// Writes the filter of a pod whose address the store has just recorded, before its
    /// containers start.
    pub fn admit(&self, store: &Store, pod: &PodNet) {
        if let Some(text) = wanted(store, &[pod.ip]).remove(&pod.ip) {
            self.write(pod, text);
        }
    }

    /// Brings every held pod's filter in step with the cluster.
    fn sync(&self, store: &Store, nets: &[Arc<PodNet>]) {
        let ips: Vec<Ipv4Addr> = nets.iter().map(|n| n.ip).collect();
        self.lock().retain(|ip, _| ips.contains(ip));
        // Without a policy every pod needs the open filter, which it got when admitted: the
        // usual case costs no read of the pods on each of their status changes.
        if store.all_shared(&NETWORK_POLICY).is_empty() {
            let open = script(&PodFirewall::default(), &ADDRESSES);
            let applied = self.lock();
            if ips.iter().all(|ip| applied.get(ip) == Some(&open)) {
                return;
            }
        }
        for (ip, text) in wanted(store, &ips) {
            if let Some(pod) = nets.iter().find(|n| n.ip == ip) {
                self.write(pod, text);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Ipv4Addr, String>> {
        self.applied.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes `text` into the pod's namespace unless it already holds it.
    fn write(&self, pod: &PodNet, text: String) {
        if self.disabled.load(Ordering::Relaxed) || self.lock().get(&pod.ip) == Some(&text) {
            return;
        }
        match apply(pod, &text) {
            Ok(()) => {
                self.lock().insert(pod.ip, text);
            }
            Err(e @ FilterError::NoNft(_)) => {
                if !self.disabled.swap(true, Ordering::Relaxed) {
                    tracing::warn!("{e}");
                }
            }
            Err(e) => tracing::warn!("{e}"),
        }
    }
}

/// Runs `text` with `nft` inside the pod's namespace.
fn apply(pod: &PodNet, text: &str) -> Result<(), FilterError> {
    let out = run_in(&pod.ns, "nft", &["-f", "-"], text).map_err(FilterError::NoNft)?;
    if out.status.success() {
        return Ok(());
    }
    Err(FilterError::Refused {
        ip: pod.ip,
        message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
    })
}

/// Keeps every pod's filter in step with the policies; returns the task.
pub fn spawn(store: Arc<Store>, net: Arc<ClusterNetwork>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut rx = store.subscribe();
        loop {
            let (store2, net2) = (store.clone(), net.clone());
            let synced = tokio::task::spawn_blocking(move || {
                net2.firewall.sync(&store2, &net2.pods());
            })
            .await;
            if let Err(e) = synced {
                tracing::warn!("the NetworkPolicy filter task failed: {e}");
            }
            // Wait for a change that can alter a filter.
            loop {
                match rx.recv().await {
                    Ok(ev) if relevant(ev.resource.kind) => break,
                    Ok(_) => {}
                    Err(RecvError::Lagged(_)) => break,
                    Err(RecvError::Closed) => return,
                }
            }
            while rx.try_recv().is_ok() {}
        }
    })
}

fn relevant(kind: &str) -> bool {
    [POD.kind, NAMESPACE.kind, NETWORK_POLICY.kind].contains(&kind)
}
