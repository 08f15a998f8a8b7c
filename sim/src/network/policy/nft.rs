//! A pod's filter as an nftables script, run inside the pod's network namespace. The
//! script replaces the pod's table in one transaction, so a change never leaves the pod
//! open or closed in between. Replies to allowed connections pass (connection tracking);
//! the node's own address (kubelet probes, the API server's proxy) is always allowed in,
//! as policy plugins allow the host; traffic to Service addresses goes to kube-proxy, which
//! connects to the chosen endpoint from inside the pod's namespace, so this filter judges
//! the real destination. The cluster DNS counts as a pod in `kube-system`: a pod isolated
//! for egress reaches it only where a rule allows it.

use std::fmt::Write;
use std::net::Ipv4Addr;

use super::{Allow, Block, PodFirewall, PortRange, Protocol};

/// The table kubesim keeps in each pod's namespace.
const TABLE: &str = "kubesim_policy";
/// Cluster IPs (kube-proxy's listeners on the node).
pub const SERVICE_CIDR: &str = "10.96.0.0/12";

/// Where the script needs the network's own addresses.
pub struct Addresses {
    /// The node's address on the pod network.
    pub node: Ipv4Addr,
    /// The cluster DNS's address.
    pub dns: Ipv4Addr,
}

/// The nft script that makes a pod's filter `fw`. An open pod's table only tracks
/// connections, so that a policy added later lets the replies of connections already open
/// through (without tracking from the start they would look new, and be dropped).
pub fn script(fw: &PodFirewall, at: &Addresses) -> String {
    // Declaring the table first makes deleting it valid whether or not it exists.
    let mut s = format!("table inet {TABLE} {{}}\ndelete table inet {TABLE}\n");
    let _ = writeln!(s, "table inet {TABLE} {{");
    if fw.is_open() {
        s.push_str("  chain track {\n    type filter hook input priority filter; policy accept;\n");
        s.push_str("    ct state established,related accept\n  }\n}\n");
        return s;
    }
    if let Some(allows) = &fw.ingress {
        s.push_str(
            "  chain ingress {\n    type filter hook input priority filter; policy accept;\n",
        );
        s.push_str("    iifname \"lo\" accept\n    ct state established,related accept\n");
        let _ = writeln!(s, "    ip saddr {} accept", at.node);
        for a in allows {
            rule(&mut s, "saddr", a);
        }
        s.push_str("    drop\n  }\n");
    }
    if let Some(allows) = &fw.egress {
        s.push_str(
            "  chain egress {\n    type filter hook output priority filter; policy accept;\n",
        );
        s.push_str("    oifname \"lo\" accept\n    ct state established,related accept\n");
        for a in allows {
            rule(&mut s, "daddr", a);
        }
        let _ = writeln!(s, "    ip daddr {} drop", at.dns);
        let _ = writeln!(s, "    ip daddr {SERVICE_CIDR} accept");
        s.push_str("    drop\n  }\n");
    }
    s.push_str("}\n");
    s
}

/// One `accept` line per port range of `a` (one line for any port).
fn rule(s: &mut String, side: &str, a: &Allow) {
    let peer = a.peer.as_ref().map(|b| peer(side, b)).unwrap_or_default();
    if a.ports.is_empty() {
        let _ = writeln!(s, "    {peer}accept");
        return;
    }
    for p in &a.ports {
        let _ = writeln!(s, "    {peer}{}accept", port(p));
    }
}

fn peer(side: &str, b: &Block) -> String {
    let mut out = format!("ip {side} {} ", b.cidr);
    if !b.except.is_empty() {
        let _ = write!(out, "ip {side} != {{ {} }} ", b.except.join(", "));
    }
    out
}

fn port(p: &PortRange) -> String {
    let proto = match p.protocol {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
        Protocol::Sctp => "sctp",
    };
    match p.ports {
        None => format!("meta l4proto {proto} "),
        Some((a, b)) if a == b => format!("{proto} dport {a} "),
        Some((a, b)) => format!("{proto} dport {a}-{b} "),
    }
}
