//! The process kubelet: each container of a scheduled pod runs as a local process in the
//! pod's network namespace (or, without one, on its own loopback port), with its
//! environment from ConfigMaps and Secrets, probes, captured logs, restarts with back-off,
//! OOM kills and graceful termination.

pub mod container;
pub mod entrypoint;
pub mod env;
pub mod exec;
pub mod group_usage;
mod host_ports;
pub mod images;
pub mod logs;
pub mod probe;
pub mod process;
pub mod sandbox;
pub mod status;
pub mod toolbox;
pub mod usage;
pub mod volumes;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;

use crate::events::{Kind, Recorder};
use crate::meta::ident;
use crate::network::{ClusterNetwork, Dial, PodNet};
use crate::resources::POD;
use crate::store::Store;
use host_ports::free_port;
use images::ImageTable;
use logs::LogStore;

/// What the kubelet needs.
pub struct Kubelet {
    /// The objects.
    pub store: Arc<Store>,
    /// Image → program.
    pub images: ImageTable,
    /// Container logs.
    pub logs: LogStore,
    /// `HTTP_PROXY` for pods (the service proxy), empty for none.
    pub proxy_url: String,
    /// Working directory of the processes.
    pub workdir: PathBuf,
    /// Divides delays (back-offs, probe periods, grace periods).
    pub time_scale: f64,
    /// The containers running now (what `kubectl exec` joins).
    pub running: exec::Running,
    /// How pods reach the API server (None: they cannot, as on a cluster without one).
    pub api: Option<InClusterApi>,
    /// The cluster network pods join (None: they share this machine's).
    pub network: Option<Arc<ClusterNetwork>>,
    /// Each running pod's network, by uid.
    pod_nets: Mutex<HashMap<String, Arc<PodNet>>>,
    recorder: Mutex<Recorder>,
}

/// What in-cluster clients are given: the API server's address (`KUBERNETES_SERVICE_HOST`
/// and `_PORT`) and tokens for their ServiceAccounts.
#[derive(Clone)]
pub struct InClusterApi {
    /// Issues the ServiceAccount tokens pods mount.
    pub tokens: crate::auth::tokens::Tokens,
    /// The API server's host as pods reach it.
    pub host: String,
    /// Its port.
    pub port: u16,
}

impl Kubelet {
    /// A kubelet for `store`.
    pub fn new(
        store: Arc<Store>,
        images: ImageTable,
        logs: LogStore,
        proxy_url: String,
        workdir: PathBuf,
        time_scale: f64,
    ) -> Self {
        Self {
            store,
            images,
            logs,
            proxy_url,
            workdir,
            time_scale,
            running: exec::Running::default(),
            api: None,
            network: None,
            pod_nets: Mutex::default(),
            recorder: Mutex::default(),
        }
    }

    /// The same kubelet, putting each pod in its own namespace on `network`.
    pub fn with_network(mut self, network: Arc<ClusterNetwork>) -> Self {
        self.network = Some(network);
        self
    }

    /// The network of pod `uid`, while it runs on the cluster network.
    pub fn pod_net(&self, uid: &str) -> Option<Arc<PodNet>> {
        self.pod_nets.lock().ok()?.get(uid).cloned()
    }

    /// How the node reaches a pod's ports (the API server's `pods/proxy`): at its address
    /// on the cluster network, or on the loopback ports its containers were given.
    pub fn dial_pod(&self, pod: &Value) -> Dial {
        let ip = pod["status"]["podIP"]
            .as_str()
            .and_then(|ip| ip.parse::<std::net::Ipv4Addr>().ok())
            .filter(|ip| crate::network::cluster::on_pod_network(*ip));
        match (&self.network, ip) {
            (Some(net), Some(ip)) => Dial::Network(net.clone(), ip),
            _ => Dial::Loopback(crate::meta::host_ports(pod)),
        }
    }

    /// How the API server reaches a pod's own ports (`kubectl port-forward`): inside its
    /// namespace, or on the loopback ports its containers were given.
    pub fn dial_inside(&self, pod: &Value) -> Dial {
        let uid = pod["metadata"]["uid"].as_str().unwrap_or_default();
        match self.pod_net(uid) {
            Some(net) => Dial::Inside(net),
            None => Dial::Loopback(crate::meta::host_ports(pod)),
        }
    }

    /// The same kubelet, giving pods the API server's address and their accounts' tokens.
    pub fn with_api(mut self, api: InClusterApi) -> Self {
        self.api = Some(api);
        self
    }

    /// A token for `ns/account` valid for `seconds`, when pods may reach the API server.
    fn issue_token(&self, ns: &str, account: &str, seconds: i64) -> Option<String> {
        let api = self.api.as_ref()?;
        let now = crate::meta::parse_rfc3339(&crate::meta::now()).unwrap_or(0);
        Some(api.tokens.issue(ns, account, now + seconds))
    }

    /// Where a pod's volumes and container filesystems live while it runs.
    pub fn pod_dir(&self, uid: &str) -> PathBuf {
        self.workdir.join("pods").join(uid)
    }

    /// A real-cluster duration shortened by the time scale.
    pub fn scaled(&self, d: Duration) -> Duration {
        d.div_f64(self.time_scale.max(0.001))
    }

    /// Sleeps the scaled duration; true when the pod was stopped meanwhile.
    pub async fn sleep_or_stop(&self, d: Duration, stop: &mut watch::Receiver<bool>) -> bool {
        tokio::time::timeout(self.scaled(d), stop.changed())
            .await
            .is_ok()
            || *stop.borrow()
    }

    /// Records an event from the kubelet.
    pub fn record(&self, involved: &Value, kind: Kind, reason: &str, message: &str) {
        if let Ok(mut r) = self.recorder.lock() {
            r.record(&self.store, involved, kind, reason, message, "kubelet");
        }
    }
}

struct PodWorker {
    stop: watch::Sender<bool>,
    ns: String,
    name: String,
    /// The task running the pod's containers, until its deletion waits for it.
    task: Option<tokio::task::JoinHandle<()>>,
}

impl PodWorker {
    /// Stops a Terminating pod's containers (each with its preStop hook, SIGTERM and
    /// grace period) and then removes the pod, once.
    fn terminate(&mut self, k: &Arc<Kubelet>, uid: &str) {
        if *self.stop.borrow() {
            return;
        }
        let _ = self.stop.send(true);
        let (task, store) = (self.task.take(), k.store.clone());
        let (ns, name, uid) = (self.ns.clone(), self.name.clone(), uid.to_string());
        tokio::spawn(async move {
            if let Some(task) = task {
                let _ = task.await;
            }
            crate::graceful::finish(&store, &ns, &name, &uid);
        });
    }
}

/// The container's ports with the loopback ports they get: every declared port, then every
/// port a probe names that is not declared (nothing listens there unless the container
/// declares no port at all: then the first such port is its `PORT`, where the program
/// listens), and a container that names none still gets one that answers for any port.
fn container_ports(c: &Value, own_network: bool) -> Vec<(i64, u16)> {
    if own_network {
        // In its own namespace every port is the container's: nothing to map.
        return Vec::new();
    }
    let mut ports: Vec<(i64, u16)> = c["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["containerPort"].as_i64()?, free_port()?)))
        .collect();
    for which in ["readinessProbe", "livenessProbe", "startupProbe"] {
        let probe = &c[which];
        for action in ["httpGet", "tcpSocket"] {
            if let Some(port) = container::probe_port(c, &probe[action]["port"])
                && !ports.iter().any(|(cp, _)| *cp == port)
                && let Some(host) = free_port()
            {
                ports.push((port, host));
            }
        }
    }
    if ports.is_empty()
        && let Some(host) = free_port()
    {
        ports.push((crate::meta::ANY_PORT, host));
    }
    ports
}

/// Gives a pod its network namespace and address when there is a cluster network: true
/// then, false when pods share this machine's network; Err after the kubelet's event when
/// the sandbox could not be made (the pod stays ContainerCreating).
fn attach(k: &Kubelet, pod: &Value, uid: &str) -> Result<bool, ()> {
    let Some(network) = &k.network else {
        return Ok(false);
    };
    match network.attach() {
        Ok(net) => {
            let (name, ns, _) = ident(pod);
            status::record_pod_ip(&k.store, &ns, &name, &net.ip.to_string());
            // Its NetworkPolicy filter is in place before anything in the pod runs.
            network.firewall.admit(&k.store, &net);
            if let Ok(mut nets) = k.pod_nets.lock() {
                nets.insert(uid.to_string(), net);
            }
            Ok(true)
        }
        Err(e) => {
            let msg = format!(
                "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox: {e}"
            );
            k.record(pod, Kind::Warning, "FailedCreatePodSandBox", &msg);
            Err(())
        }
    }
}

/// Runs the kubelet: starts containers of newly scheduled pods, stops those of deleted ones.
pub fn spawn(k: Arc<Kubelet>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut rx = k.store.subscribe();
        let mut workers: HashMap<String, PodWorker> = HashMap::new();
        loop {
            let pods = k.store.all_shared(&POD);
            for pod in &pods {
                let (name, ns, uid) = ident(pod);
                if crate::graceful::terminating(pod) {
                    match workers.get_mut(&uid) {
                        Some(w) => w.terminate(&k, &uid),
                        // Nothing of it ever ran here.
                        None => crate::graceful::finish(&k.store, &ns, &name, &uid),
                    }
                    continue;
                }
                if workers.contains_key(&uid) || !pod["spec"]["nodeName"].is_string() {
                    continue;
                }
                let (tx, stop) = watch::channel(false);
                let worker = workers.entry(uid.clone()).or_insert(PodWorker {
                    stop: tx,
                    ns: ns.clone(),
                    name: name.clone(),
                    task: None,
                });
                let own_network = match attach(&k, pod, &uid) {
                    Ok(own) => own,
                    Err(()) => continue,
                };
                // Host ports are fixed for the pod's life so endpoints stay put across restarts.
                let mut all_ports = Vec::new();
                let mut mains = Vec::new();
                for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
                    let ports = container_ports(c, own_network);
                    all_ports.extend(ports.iter().copied());
                    mains.push((c.clone(), ports));
                }
                if !own_network {
                    status::record_host_ports(&k.store, &ns, &name, &all_ports);
                }
                let inits: Vec<Value> = pod["spec"]["initContainers"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let (k2, pod2) = (k.clone(), (**pod).clone());
                // Init containers one at a time, each to success; then the others together.
                if !inits.is_empty() {
                    for (c, _) in &mains {
                        status::update(&k.store, &ns, &name, c, |s| {
                            s["state"] =
                                serde_json::json!({"waiting": {"reason": "PodInitializing"}});
                        });
                    }
                }
                worker.task = Some(tokio::spawn(async move {
                    for c in inits {
                        if !container::run(
                            k2.clone(),
                            pod2.clone(),
                            c,
                            Vec::new(),
                            stop.clone(),
                            container::Role::Init,
                        )
                        .await
                        {
                            return;
                        }
                    }
                    let running: Vec<_> = mains
                        .into_iter()
                        .map(|(c, ports)| {
                            tokio::spawn(container::run(
                                k2.clone(),
                                pod2.clone(),
                                c,
                                ports,
                                stop.clone(),
                                container::Role::Main,
                            ))
                        })
                        .collect();
                    for container in running {
                        let _ = container.await;
                    }
                }));
            }
            workers.retain(|uid, w| {
                let alive = pods.iter().any(|p| p["metadata"]["uid"] == uid.as_str());
                if !alive {
                    let _ = w.stop.send(true);
                    if let Ok(mut nets) = k.pod_nets.lock() {
                        nets.remove(uid);
                    }
                    k.logs.forget(&w.ns, &w.name);
                    // Only kubesim's own files: volume data of claims lives elsewhere, and
                    // container mounts exist only in the containers' namespaces.
                    let _ = std::fs::remove_dir_all(k.pod_dir(uid));
                }
                alive
            });
            match rx.recv().await {
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
            while rx.try_recv().is_ok() {}
        }
        for w in workers.values() {
            let _ = w.stop.send(true);
        }
    })
}
