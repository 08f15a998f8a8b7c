//! Starting and stopping an emulator: listener, tokens, the node, and a kubeconfig.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use serde_json::json;

use crate::api::{self, ApiState};
use crate::auth::tokens::Tokens;
use crate::controllers::{self, ControllerConfig, PodRuntime};
use crate::kubelet::images::ImageTable;
use crate::kubelet::logs::LogStore;
use crate::kubelet::{self, Kubelet};
use crate::network::{ClusterNetwork, dns, firewall, kube_proxy};
use crate::resources;
use crate::service_proxy;
use crate::store::Store;
use crate::tls::{Certs, TlsListener};

/// How to start kubesim.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Port on 127.0.0.1 (0: any free port).
    pub port: u16,
    /// The node's allocatable CPU.
    pub node_cpu: String,
    /// The node's allocatable memory.
    pub node_memory: String,
    /// How many nodes (each with `node_cpu` and `node_memory`); at least one.
    pub nodes: usize,
    /// Controller settings (time scale, pod runtime).
    pub controllers: ControllerConfig,
    /// Which images run which programs (process runtime).
    pub images: ImageTable,
    /// Give each pod its own network namespace on a cluster network, where this process
    /// may (process runtime); otherwise pods share this machine's network.
    pub pod_network: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        // Minikube's defaults: 2 CPUs and about 4 GiB.
        Self {
            port: 0,
            node_cpu: "2".into(),
            node_memory: "3936Mi".into(),
            nodes: 1,
            controllers: ControllerConfig::default(),
            images: ImageTable::default(),
            pod_network: true,
        }
    }
}

/// Why kubesim could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The port is taken or not allowed.
    #[error(
        "kubesim cannot listen on 127.0.0.1:{port}: {source}; choose another port with --port or free this one"
    )]
    Bind {
        /// The port.
        port: u16,
        /// The OS error.
        source: std::io::Error,
    },
    /// TLS certificates, the log folder or the service proxy could not be set up.
    #[error("{0}")]
    Tls(std::io::Error),
    /// The kubeconfig could not be written.
    #[error("cannot write the kubeconfig {path}: {source}")]
    Kubeconfig {
        /// Where.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
}

/// A running emulator; stops when dropped or on [`RunningSim::stop`].
pub struct RunningSim {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its tokens.
    pub tokens: Tokens,
    /// Its objects (for controllers and tests).
    pub store: Arc<Store>,
    /// The CA certificate (PEM) clients must trust.
    pub ca_pem: String,
    /// The cluster network pods are on (None: they share this machine's network).
    pub network: Option<Arc<ClusterNetwork>>,
    requests: std::sync::Arc<std::sync::atomic::AtomicU64>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    background: Vec<tokio::task::JoinHandle<()>>,
}

/// Node `index` (0 is the control plane), named as minikube names a cluster's nodes.
fn node(cfg: &SimConfig, index: usize) -> serde_json::Value {
    let now = crate::meta::now();
    let name = match index {
        0 => "kubesim".to_string(),
        i => format!("kubesim-m{:02}", i + 1),
    };
    let mut labels = json!({
        "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
        "minikube.k8s.io/name": "kubesim"});
    if index == 0 {
        labels["node-role.kubernetes.io/control-plane"] = json!("");
    }
    json!({
        "metadata": {"name": name, "labels": labels},
        "spec": {"podCIDR": "10.244.0.0/24"},
        "status": {
            "capacity": {"cpu": cfg.node_cpu, "memory": cfg.node_memory, "pods": "110", "ephemeral-storage": "100Gi"},
            "allocatable": {"cpu": cfg.node_cpu, "memory": cfg.node_memory, "pods": "110", "ephemeral-storage": "100Gi"},
            "conditions": [
                {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory", "message": "kubelet has sufficient memory available", "lastHeartbeatTime": now, "lastTransitionTime": now},
                {"type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure", "message": "kubelet has no disk pressure", "lastHeartbeatTime": now, "lastTransitionTime": now},
                {"type": "PIDPressure", "status": "False", "reason": "KubeletHasSufficientPID", "message": "kubelet has sufficient PID available", "lastHeartbeatTime": now, "lastTransitionTime": now},
                {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status", "lastHeartbeatTime": now, "lastTransitionTime": now}
            ],
            "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}, {"type": "Hostname", "address": name}],
            "nodeInfo": {"kubeletVersion": "v1.32.0-kubesim", "kubeProxyVersion": "v1.32.0-kubesim", "osImage": "kubesim", "containerRuntimeVersion": "kubesim://0.1.0", "operatingSystem": "linux", "architecture": "amd64", "kernelVersion": "", "machineID": "", "systemUUID": "", "bootID": ""}
        }
    })
}

impl RunningSim {
    /// Starts the API server on 127.0.0.1.
    pub async fn start(cfg: SimConfig) -> Result<Self, SimError> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", cfg.port))
            .await
            .map_err(|source| SimError::Bind {
                port: cfg.port,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SimError::Bind {
            port: cfg.port,
            source,
        })?;
        let store = Arc::new(Store::new());
        store.bootstrap_namespaces();
        for i in 0..cfg.nodes.max(1) {
            let _ = store.create(&resources::NODE, "", node(&cfg, i));
        }
        let _ = store.create(
            &resources::STORAGE_CLASS,
            "",
            controllers::storage::default_class(),
        );
        kubernetes_service(&store, addr.port());
        kube_dns_service(&store);
        crate::auth::bootstrap::install(&store);
        let tokens = Tokens::generate();
        let certs = Certs::generate().map_err(SimError::Tls)?;
        let mut background = Vec::new();
        let mut controller_cfg = cfg.controllers.clone();
        controller_cfg.root_ca_pem = certs.ca_pem.clone();
        // The namespaces a cluster starts with have their account and CA from the start.
        controllers::serviceaccounts::reconcile(&store, &certs.ca_pem);
        let mut kubelet_handle = None;
        let mut kubelet_for_metrics: Option<Arc<dyn kubelet::usage::PodUsage>> = None;
        let mut network = None;
        let logs = if cfg.controllers.runtime == PodRuntime::Processes {
            let dir = std::env::temp_dir().join(format!(
                "kubesim-{}-{}",
                std::process::id(),
                addr.port()
            ));
            std::fs::create_dir_all(&dir).map_err(SimError::Tls)?;
            controller_cfg
                .volume_dir
                .get_or_insert_with(|| dir.join("volumes"));
            let logs = LogStore::new(dir.clone());
            network = if cfg.pod_network {
                start_network(&store, &mut background)
            } else {
                None
            };
            // Without a cluster network, pods reach Services through an HTTP proxy.
            let proxy_url = if network.is_none() {
                let (url, proxy) = service_proxy::start(store.clone())
                    .await
                    .map_err(SimError::Tls)?;
                background.push(proxy);
                url
            } else {
                String::new()
            };
            let api_host = match &network {
                // The `kubernetes` Service, as pods reach the API server on a cluster.
                Some(_) => (KUBERNETES_SERVICE_IP.to_string(), 443),
                None if addr.ip().is_unspecified() => ("127.0.0.1".into(), addr.port()),
                None => (addr.ip().to_string(), addr.port()),
            };
            let mut kubelet = Kubelet::new(
                store.clone(),
                cfg.images.clone(),
                logs.clone(),
                proxy_url,
                dir,
                cfg.controllers.time_scale,
            )
            .with_api(kubelet::InClusterApi {
                tokens: tokens.clone(),
                host: api_host.0,
                port: api_host.1,
            });
            if let Some(net) = &network {
                kubelet = kubelet.with_network(net.clone());
            }
            let kubelet = Arc::new(kubelet);
            kubelet_handle = Some(kubelet.clone());
            kubelet_for_metrics = Some(kubelet.clone() as Arc<dyn kubelet::usage::PodUsage>);
            background.push(kubelet::spawn(kubelet));
            Some(logs)
        } else {
            None
        };
        let (stop_tx, stopping) = tokio::sync::watch::channel(false);
        let requests = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let state = ApiState {
            store: store.clone(),
            tokens: tokens.clone(),
            server_address: addr.to_string(),
            stopping,
            logs,
            kubelet: kubelet_handle,
            requests: requests.clone(),
        };
        let listener = TlsListener::new(listener, &certs);
        let app = Router::new()
            .route(
                "/api/v1/namespaces/{ns}/pods/{name}/portforward",
                axum::routing::any(api::portforward::handle),
            )
            .route(
                "/api/v1/namespaces/{ns}/pods/{name}/exec",
                axum::routing::any(api::exec::handle),
            )
            .route(
                "/api/v1/namespaces/{ns}/pods/{name}/attach",
                axum::routing::any(api::attach::handle),
            )
            .route(
                "/api/v1/namespaces/{ns}/pods/{name}/proxy",
                axum::routing::any(api::pod_proxy::handle),
            )
            .route(
                "/api/v1/namespaces/{ns}/pods/{name}/proxy/",
                axum::routing::any(api::pod_proxy::handle),
            )
            .route(
                "/api/v1/namespaces/{ns}/pods/{name}/proxy/{*path}",
                axum::routing::any(api::pod_proxy::handle_path),
            )
            .fallback(api::handle)
            .with_state(state);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                    let _ = stop_tx.send(true);
                })
                .await;
        });
        controller_cfg.usage = kubelet_for_metrics.map(controllers::UsageSource);
        background.push(controllers::spawn(store.clone(), controller_cfg));
        tracing::info!(%addr, "kubesim API listening");
        Ok(Self {
            addr,
            tokens,
            store,
            network,
            ca_pem: certs.ca_pem,
            requests,
            shutdown: Some(tx),
            task: Some(task),
            background,
        })
    }

    fn abort_background(&mut self) {
        // Aborting the kubelet drops its stop channels: every container gets SIGTERM.
        for t in self.background.drain(..) {
            t.abort();
        }
    }

    /// API requests served so far.
    pub fn request_count(&self) -> u64 {
        self.requests.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// A kubeconfig with context `kubesim` (admin) and `kubesim-viewer` (read-only).
    pub fn kubeconfig(&self) -> String {
        format!(
            "apiVersion: v1\nkind: Config\npreferences: {{}}\nclusters:\n- name: kubesim\n  cluster:\n    server: {url}\n    certificate-authority-data: {ca}\ncontexts:\n- name: kubesim\n  context:\n    cluster: kubesim\n    user: kubesim-admin\n    namespace: default\n- name: kubesim-viewer\n  context:\n    cluster: kubesim\n    user: kubesim-viewer\n    namespace: default\ncurrent-context: kubesim\nusers:\n- name: kubesim-admin\n  user:\n    token: {admin}\n- name: kubesim-viewer\n  user:\n    token: {viewer}\n",
            url = self.url(),
            ca = base64(self.ca_pem.as_bytes()),
            admin = self.tokens.admin,
            viewer = self.tokens.viewer,
        )
    }

    /// Writes the kubeconfig (mode 0600: it holds the tokens).
    pub fn write_kubeconfig(&self, path: &Path) -> Result<(), SimError> {
        let err = |source| SimError::Kubeconfig {
            path: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        std::fs::write(path, self.kubeconfig()).map_err(err)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(err)?;
        }
        Ok(())
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        self.abort_background();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.abort_background();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Standard base64 (kubeconfig `*-data` fields).
fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The `kubernetes` Service in `default` and its Endpoints, pointing at this API server, as
/// every cluster has them (clients in pods find the API through it).
/// The cluster network with its Service proxy and DNS, where this process may make one.
fn start_network(
    store: &Arc<Store>,
    background: &mut Vec<tokio::task::JoinHandle<()>>,
) -> Option<Arc<ClusterNetwork>> {
    if !kubelet::sandbox::available() {
        tracing::info!("pods share this machine's network: mount namespaces are not allowed here");
        return None;
    }
    let net = match ClusterNetwork::start() {
        Ok(n) => Arc::new(n),
        Err(e) => {
            tracing::warn!("pods share this machine's network: {e}");
            return None;
        }
    };
    match dns::spawn(store.clone(), &net) {
        Ok(task) => background.push(task),
        Err(e) => tracing::warn!("the cluster DNS cannot start: {e}"),
    }
    background.push(kube_proxy::spawn(store.clone(), net.clone()));
    background.push(firewall::spawn(store.clone(), net.clone()));
    Some(net)
}

/// The address of the `kubernetes` Service.
const KUBERNETES_SERVICE_IP: &str = "10.96.0.1";

/// The cluster DNS's Service, as CoreDNS's is on a cluster (kubesim itself answers there).
fn kube_dns_service(store: &Store) {
    let ip = dns::DNS_IP.to_string();
    let port = |name: &str, protocol: &str| serde_json::json!({"name": name, "port": 53, "protocol": protocol, "targetPort": 53});
    let _ = store.create(
        &resources::SERVICE,
        "kube-system",
        serde_json::json!({
            "metadata": {"name": "kube-dns", "labels": {"k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS"}},
            "spec": {"clusterIP": ip, "clusterIPs": [ip],
                     "ports": [port("dns", "UDP"), port("dns-tcp", "TCP")]},
        }),
    );
}

fn kubernetes_service(store: &Store, port: u16) {
    let labels = serde_json::json!({"component": "apiserver", "provider": "kubernetes"});
    let _ = store.create(
        &resources::SERVICE,
        "default",
        serde_json::json!({
            "metadata": {"name": "kubernetes", "labels": labels},
            "spec": {"clusterIP": KUBERNETES_SERVICE_IP, "clusterIPs": [KUBERNETES_SERVICE_IP],
                     "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": port}]},
        }),
    );
    let _ = store.create(
        &resources::ENDPOINTS,
        "default",
        serde_json::json!({
            "metadata": {"name": "kubernetes", "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
            "subsets": [{"addresses": [{"ip": "127.0.0.1"}],
                         "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}],
        }),
    );
}
