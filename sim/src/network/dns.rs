//! The cluster DNS, answering as CoreDNS's kubernetes plugin does: a Service's name is its
//! cluster IP (a headless Service's: its ready endpoints), `host.service.ns.svc` a pod
//! with that hostname and subdomain, `a-b-c-d.ns.pod` that address. Names outside the
//! cluster do not exist here: pods have no way out of kubesim's network.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;

use simple_dns::rdata::{A, RData};
use simple_dns::{CLASS, Packet, PacketFlag, QTYPE, RCODE, ResourceRecord, TYPE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::cluster::ClusterNetwork;
use crate::resources::{ENDPOINTS, POD, SERVICE};
use crate::store::Store;

/// The `kube-dns` Service's address, every pod's nameserver.
pub const DNS_IP: Ipv4Addr = Ipv4Addr::new(10, 96, 0, 10);
/// The cluster's domain.
pub const DOMAIN: &str = "cluster.local";
/// CoreDNS's TTL for cluster names.
const TTL: u32 = 5;

/// What a name is.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// It exists, with these addresses (none: it exists without an A record).
    Found(Vec<Ipv4Addr>),
    /// No such name.
    Missing,
}

fn ready_addresses(store: &Store, ns: &str, service: &str) -> Vec<Ipv4Addr> {
    let Ok(ep) = store.get(&ENDPOINTS, ns, service) else {
        return Vec::new();
    };
    ep["subsets"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["addresses"].as_array().cloned().unwrap_or_default())
        .filter_map(|a| a["ip"].as_str()?.parse().ok())
        .collect()
}

/// A Service's addresses: its cluster IP, or a headless Service's ready endpoints.
fn service(store: &Store, ns: &str, name: &str) -> Lookup {
    let Ok(svc) = store.get(&SERVICE, ns, name) else {
        return Lookup::Missing;
    };
    match svc["spec"]["clusterIP"].as_str() {
        Some("None") | None => Lookup::Found(ready_addresses(store, ns, name)),
        Some(ip) => Lookup::Found(ip.parse().into_iter().collect()),
    }
}

/// The pod of a headless Service's subdomain with hostname `host` (a StatefulSet's pods).
fn member(store: &Store, ns: &str, subdomain: &str, host: &str) -> Lookup {
    let ips: Vec<Ipv4Addr> = store
        .all_shared(&POD)
        .iter()
        .filter(|p| p["metadata"]["namespace"] == ns)
        .filter(|p| p["spec"]["subdomain"] == subdomain && p["spec"]["hostname"] == host)
        .filter_map(|p| p["status"]["podIP"].as_str()?.parse().ok())
        .collect();
    if ips.is_empty() {
        Lookup::Missing
    } else {
        Lookup::Found(ips)
    }
}

/// What `name` (absolute, any case, with or without the final dot) is in the cluster.
pub fn lookup(store: &Store, name: &str) -> Lookup {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let Some(local) = name.strip_suffix(&format!(".{DOMAIN}")) else {
        return Lookup::Missing;
    };
    let labels: Vec<&str> = local.split('.').collect();
    match labels.as_slice() {
        [svc, ns, "svc"] => service(store, ns, svc),
        [host, svc, ns, "svc"] => member(store, ns, svc, host),
        [dashed, _ns, "pod"] => match dashed.replace('-', ".").parse::<Ipv4Addr>() {
            Ok(ip) => Lookup::Found(vec![ip]),
            Err(_) => Lookup::Missing,
        },
        [_, "svc" | "pod"] | ["svc" | "pod"] => Lookup::Found(Vec::new()),
        _ => Lookup::Missing,
    }
}

/// The answer to one query message; None for a message that is not one.
pub fn reply(store: &Store, query: &[u8]) -> Option<Vec<u8>> {
    let q = Packet::parse(query).ok()?;
    let mut r = Packet::new_reply(q.id());
    r.set_flags(PacketFlag::AUTHORITATIVE_ANSWER);
    if q.has_flags(PacketFlag::RECURSION_DESIRED) {
        r.set_flags(PacketFlag::RECURSION_DESIRED | PacketFlag::RECURSION_AVAILABLE);
    }
    for question in &q.questions {
        r.questions.push(question.clone());
        match lookup(store, &question.qname.to_string()) {
            Lookup::Missing => *r.rcode_mut() = RCODE::NameError,
            Lookup::Found(ips) if question.qtype == QTYPE::TYPE(TYPE::A) => {
                for ip in ips {
                    let a = RData::A(A {
                        address: u32::from(ip),
                    });
                    r.answers.push(ResourceRecord::new(
                        question.qname.clone(),
                        CLASS::IN,
                        TTL,
                        a,
                    ));
                }
            }
            Lookup::Found(_) => {}
        }
    }
    r.build_bytes_vec().ok()
}

/// Serves DNS over UDP and TCP on [`DNS_IP`]:53 on the node until aborted.
pub fn spawn(
    store: Arc<Store>,
    net: &ClusterNetwork,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    net.add_local(DNS_IP)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let addr = SocketAddrV4::new(DNS_IP, 53);
    let udp = net.udp(addr)?;
    let tcp = net.listen(addr)?;
    let tcp_store = store.clone();
    let over_tcp = async move {
        loop {
            let Ok((mut conn, _)) = tcp.accept().await else {
                continue;
            };
            let store = tcp_store.clone();
            tokio::spawn(async move {
                // Each message is preceded by its length (RFC 1035 4.2.2).
                while let Ok(len) = conn.read_u16().await {
                    let mut msg = vec![0u8; usize::from(len)];
                    if conn.read_exact(&mut msg).await.is_err() {
                        return;
                    }
                    let Some(answer) = reply(&store, &msg) else {
                        return;
                    };
                    let Ok(n) = u16::try_from(answer.len()) else {
                        return;
                    };
                    if conn.write_u16(n).await.is_err() || conn.write_all(&answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    };
    let over_udp = async move {
        let mut buf = vec![0u8; 4096];
        loop {
            let Ok((n, from)) = udp.recv_from(&mut buf).await else {
                continue;
            };
            if let Some(answer) = reply(&store, &buf[..n]) {
                let _ = udp.send_to(&answer, from).await;
            }
        }
    };
    // One task: aborting it stops both.
    Ok(tokio::spawn(async move {
        tokio::join!(over_tcp, over_udp);
    }))
}
