//! Forwarding a local port to a Service, for people: each connection goes to a ready
//! endpoint of the Service (as `kubectl port-forward svc/NAME` picks a pod).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::net::TcpListener;

use crate::network::ClusterNetwork;
use crate::network::dial::connect_endpoint;

use crate::service_proxy::backends;
use crate::store::Store;

/// Serves `listener`, forwarding every connection to `svc:port` in `ns` (through the
/// cluster network, when pods have one).
pub fn forward_service(
    store: Arc<Store>,
    network: Option<Arc<ClusterNetwork>>,
    ns: String,
    svc: String,
    port: u16,
    listener: TcpListener,
) -> tokio::task::JoinHandle<()> {
    let next = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else {
                continue;
            };
            let addrs = match backends(&store, &svc, &ns, port) {
                Ok(a) if !a.is_empty() => a,
                Ok(_) | Err(_) => {
                    tracing::warn!(service = %svc, "port-forward: no ready endpoint; closing the connection");
                    continue;
                }
            };
            let addr = addrs[next.fetch_add(1, Ordering::Relaxed) % addrs.len()];
            let network = network.clone();
            tokio::spawn(async move {
                if let Ok(mut outbound) = connect_endpoint(network.as_deref(), addr).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    })
}
