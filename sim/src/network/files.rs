//! The files the kubelet writes for a pod on the cluster network: `/etc/resolv.conf` (the
//! cluster DNS with the namespace's search path) and `/etc/hosts` (the pod's own name).

use std::net::Ipv4Addr;

use serde_json::Value;

use super::dns::{DNS_IP, DOMAIN};

/// The pod's `/etc/resolv.conf`, as the kubelet writes it for `dnsPolicy: ClusterFirst`.
pub fn resolv_conf(ns: &str) -> String {
    format!(
        "search {ns}.svc.{DOMAIN} svc.{DOMAIN} {DOMAIN}\nnameserver {DNS_IP}\noptions ndots:5\n"
    )
}

/// The pod's `/etc/hosts`: localhost and the pod's hostname (with its subdomain's FQDN).
pub fn hosts(pod: &Value, ip: Ipv4Addr) -> String {
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let host = pod["spec"]["hostname"].as_str().unwrap_or(name);
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let names = match pod["spec"]["subdomain"].as_str() {
        Some(sub) => format!("{host}.{sub}.{ns}.svc.{DOMAIN}\t{host}"),
        None => host.to_string(),
    };
    format!(
        "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n{ip}\t{names}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_pod_resolves_its_namespace_first_and_knows_its_own_name() {
        assert!(resolv_conf("web").starts_with("search web.svc.cluster.local svc.cluster.local"));
        let pod = json!({"metadata": {"name": "db-0", "namespace": "data"},
                         "spec": {"hostname": "db-0", "subdomain": "db"}});
        let h = hosts(&pod, Ipv4Addr::new(10, 244, 0, 9));
        assert!(
            h.contains("10.244.0.9\tdb-0.db.data.svc.cluster.local\tdb-0"),
            "{h}"
        );
    }
}
