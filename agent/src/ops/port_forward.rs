//! `todo-ops sim port-forward svc/NAME [LOCAL:]PORT` (and `deploy`'s forwards): a local
//! port forwarded to a Service the way `kubectl port-forward svc/NAME` does it, through the
//! API server's `pods/portforward` to a ready pod behind it, so it works on kubesim and on
//! any real cluster alike.

use anyhow::{Context, Result};
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
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

/// Forwards until Ctrl-C; prints the local address first.
pub async fn run(c: Cluster, service: String, local: u16, remote: u16) -> Result<()> {
    // Fails early, with the reason, when nothing behind the Service is ready.
    target(&c, &service, remote).await?;
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

async fn target(c: &Cluster, service: &str, port: u16) -> Result<(String, u16)> {
    todo_ops_tools::pod_http::target(c, service, port)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Accepts connections on `listener` and joins each, through the API server's
/// `pods/portforward`, to a ready pod behind the Service (looked up per connection, so a
/// replaced pod is followed), for as long as the task runs.
pub async fn serve(c: Cluster, service: String, remote: u16, listener: tokio::net::TcpListener) {
    loop {
        let Ok((mut inbound, _)) = listener.accept().await else {
            continue;
        };
        let (c, service) = (c.clone(), service.clone());
        tokio::spawn(async move {
            let forwarded = async {
                let (pod, port) = target(&c, &service, remote).await?;
                let pods: Api<Pod> = Api::namespaced(c.client.clone(), &c.namespace);
                let mut pf = pods
                    .portforward(&pod, &[port])
                    .await
                    .with_context(|| format!("port-forward to pod {pod}:{port}"))?;
                let mut stream = pf
                    .take_stream(port)
                    .with_context(|| format!("port-forward to pod {pod} gave no stream"))?;
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut stream).await;
                drop(stream);
                pf.abort();
                anyhow::Ok(())
            };
            if let Err(e) = forwarded.await {
                eprintln!("port-forward: {e:#}");
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
