//! The controllers that make a cluster move: deployment → replicaset → pods, statefulsets,
//! daemonsets, cronjobs → jobs → pods, storage, the scheduler, the pod runtime, endpoints,
//! and the events they record. They only read and write
//! through the store, exactly as real controllers go through the API.

pub mod autoscaler;
pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod disruption;
pub mod endpoints;
pub mod job;
pub mod namespaces;
pub mod quota;
pub mod replicaset;
pub mod runtime;
pub mod scheduler;
pub mod serviceaccounts;
pub mod statefulset;
pub mod storage;
pub mod workload;

use std::sync::Arc;
use std::time::Duration;

use crate::store::Store;

/// How pods come to life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodRuntime {
    /// Scheduled pods become Running and Ready at once (as kwok does); no processes.
    Instant,
    /// The process kubelet runs each container as a local process.
    Processes,
}

/// Settings of the controllers.
#[derive(Debug, Clone)]
pub struct ControllerConfig {
    /// Divides every controller delay (back-offs, deadlines, resync).
    pub time_scale: f64,
    /// How pods run.
    pub runtime: PodRuntime,
    /// Where provisioned volumes are made (None: their paths are recorded, not created).
    pub volume_dir: Option<std::path::PathBuf>,
    /// The API server's CA (PEM), published in every namespace as `kube-root-ca.crt`
    /// (empty: not published).
    pub root_ca_pem: String,
    /// Where the autoscaler reads pods' usage (the kubelet's processes; None: no metrics).
    pub usage: Option<UsageSource>,
}

/// The pods' usage, as the autoscaler reads it.
#[derive(Clone)]
pub struct UsageSource(pub Arc<dyn crate::kubelet::usage::PodUsage>);

impl std::fmt::Debug for UsageSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UsageSource")
    }
}

impl Default for ControllerConfig {
    fn default() -> Self {
        Self {
            time_scale: 1.0,
            runtime: PodRuntime::Instant,
            volume_dir: None,
            root_ca_pem: String::new(),
            usage: None,
        }
    }
}

impl ControllerConfig {
    /// A real-cluster duration shortened by the time scale.
    pub fn scaled(&self, d: Duration) -> Duration {
        d.div_f64(self.time_scale.max(0.001))
    }
}

/// Runs every controller until the store stops changing, again on every change and on a
/// resync tick.
pub fn spawn(store: Arc<Store>, cfg: ControllerConfig) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut rx = store.subscribe();
        let mut state = deployment::DeploymentState::default();
        let mut recorder = crate::events::Recorder::default();
        let mut jobs = job::JobState::default();
        let mut crons = cronjob::CronState::default();
        let mut storage = storage::StorageState::new(cfg.volume_dir.clone());
        let mut autoscalers = autoscaler::AutoscalerState::default();
        let resync = cfg
            .scaled(Duration::from_secs(1))
            .max(Duration::from_millis(20));
        loop {
            // Passes until quiet: each controller's writes feed the next one.
            for _ in 0..50 {
                let before = store.resource_version();
                autoscaler::reconcile(
                    &store,
                    &mut recorder,
                    &mut autoscalers,
                    cfg.usage.as_ref().map(|u| u.0.as_ref()),
                    cfg.time_scale,
                );
                deployment::reconcile(&store, &cfg, &mut state, &mut recorder);
                replicaset::reconcile(&store, &mut recorder);
                statefulset::reconcile(&store, &mut recorder);
                daemonset::reconcile(&store, &mut recorder);
                cronjob::reconcile(&store, &cfg, &mut crons, &mut recorder);
                job::reconcile(&store, &cfg, &mut jobs, &mut recorder);
                storage::reconcile(&store, &mut storage, &mut recorder);
                disruption::reconcile(&store);
                scheduler::reconcile(&store, &mut recorder);
                runtime::reconcile(&store, &cfg, &mut recorder);
                endpoints::reconcile(&store);
                serviceaccounts::reconcile(&store, &cfg.root_ca_pem);
                quota::reconcile(&store);
                namespaces::reconcile(&store, &cfg);
                crate::auth::bootstrap::aggregate(&store);
                if store.resource_version() == before {
                    break;
                }
            }
            // Drain what our own writes queued, then wait for news or the tick.
            while rx.try_recv().is_ok() {}
            tokio::select! {
                r = rx.recv() => if let Err(tokio::sync::broadcast::error::RecvError::Closed) = r { return },
                _ = tokio::time::sleep(resync) => {}
            }
        }
    })
}
