//! `todo-ops sim port-forward svc/NAME [LOCAL:]PORT`: a local port forwarded to a Service of
//! kubesim, each connection to a ready endpoint (kubesim's pods listen on loopback ports,
//! which its Endpoints list). `kubectl port-forward` itself needs SPDY streams, which kubesim
//! does not serve yet.

use anyhow::{Context, Result, bail};
use k8s_openapi::api::core::v1::{Endpoints, Service};
use kube::api::Api;
use serde_json::Value;
use todo_ops_tools::cluster::Cluster;

/// `svc/NAME` (or `service/NAME`) and `[LOCAL:]REMOTE`.
pub fn parse(target: &str, ports: &str) -> Result<(String, u16, u16)> {
    let name = target
        .strip_prefix("svc/")
        .or_else(|| target.strip_prefix("service/"))
        .filter(|n| !n.is_empty())
        .with_context(|| format!("{target:?}: name a Service as svc/NAME"))?;
    let (local, remote) = match ports.split_once(':') {
        Some((l, r)) => (l, r),
        None => (ports, ports),
    };
    let parse_port = |p: &str| {
        p.parse::<u16>()
            .with_context(|| format!("{p:?} is not a port number"))
    };
    Ok((name.to_string(), parse_port(local)?, parse_port(remote)?))
}

/// The `ip:port` of a ready endpoint for `service:port`, round-robin by `n`.
async fn endpoint(c: &Cluster, service: &str, port: u16, n: usize) -> Result<String> {
    let svc: Value = serde_json::to_value(
        Api::<Service>::namespaced(c.client.clone(), &c.namespace)
            .get(service)
            .await
            .map_err(|e| c.error(e))?,
    )?;
    let sport = svc["spec"]["ports"]
        .as_array()
        .and_then(|ps| {
            ps.iter()
                .find(|p| p["port"].as_u64() == Some(u64::from(port)))
        })
        .with_context(|| format!("service {service} has no port {port}"))?
        .clone();
    let eps: Value = serde_json::to_value(
        Api::<Endpoints>::namespaced(c.client.clone(), &c.namespace)
            .get(service)
            .await
            .map_err(|e| c.error(e))?,
    )?;
    let mut addrs = Vec::new();
    for subset in eps["subsets"].as_array().into_iter().flatten() {
        let ports = subset["ports"].as_array().cloned().unwrap_or_default();
        let p = ports
            .iter()
            .find(|p| p["name"] == sport["name"])
            .or(ports.first())
            .and_then(|p| p["port"].as_u64());
        for a in subset["addresses"].as_array().into_iter().flatten() {
            if let (Some(ip), Some(p)) = (a["ip"].as_str(), p) {
                addrs.push(format!("{ip}:{p}"));
            }
        }
    }
    if addrs.is_empty() {
        bail!("service {service} has no ready endpoint");
    }
    Ok(addrs[n % addrs.len()].clone())
}

/// Forwards until Ctrl-C; prints the local address first.
pub async fn run(c: Cluster, service: String, local: u16, remote: u16) -> Result<()> {
    endpoint(&c, &service, remote, 0).await?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", local))
        .await
        .with_context(|| format!("port {local} is taken"))?;
    println!(
        "Forwarding from {} -> svc/{service}:{remote}",
        listener.local_addr()?
    );
    tokio::select! {
        _ = serve(c, service, remote, listener) => Ok(()),
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}

/// Accepts connections on `listener` and joins each to a ready endpoint of the Service,
/// round-robin, for as long as the task runs.
pub async fn serve(c: Cluster, service: String, remote: u16, listener: tokio::net::TcpListener) {
    let mut n = 0usize;
    loop {
        let Ok((mut inbound, _)) = listener.accept().await else {
            continue;
        };
        n += 1;
        let (c, service) = (c.clone(), service.clone());
        tokio::spawn(async move {
            match endpoint(&c, &service, remote, n).await {
                Ok(addr) => {
                    if let Ok(mut out) = tokio::net::TcpStream::connect(&addr).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                    }
                }
                Err(e) => eprintln!("port-forward: {e:#}"),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_kubectl_forms() {
        assert_eq!(
            super::parse("svc/todo-frontend", "3000").unwrap(),
            ("todo-frontend".into(), 3000, 3000)
        );
        assert_eq!(
            super::parse("service/x", "8080:80").unwrap(),
            ("x".into(), 8080, 80)
        );
        assert!(super::parse("pod/x", "80").is_err());
        assert!(super::parse("svc/x", "http").is_err());
    }
}
