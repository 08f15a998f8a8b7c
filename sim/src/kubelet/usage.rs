//! What each running container uses, read from its process: the source both of the
//! resource metrics API (`kubectl top`) and of the autoscaler, as metrics-server scrapes the
//! kubelets on a cluster.

use serde_json::Value;

use super::Kubelet;
use super::process::{cpu_millicores, rss_bytes};
use crate::meta;

/// One container's usage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerUsage {
    /// The container's name.
    pub container: String,
    /// CPU in millicores, averaged over the process's life.
    pub cpu_milli: i64,
    /// Resident memory in bytes.
    pub memory_bytes: i64,
}

/// Where the usage of a pod's containers comes from.
pub trait PodUsage: Send + Sync {
    /// The usage of the pod's running containers; None when none runs (no metrics yet).
    fn usage(&self, pod: &Value) -> Option<Vec<ContainerUsage>>;
}

impl PodUsage for Kubelet {
    fn usage(&self, pod: &Value) -> Option<Vec<ContainerUsage>> {
        let (name, ns, _) = meta::ident(pod);
        let usage: Vec<ContainerUsage> = pod["spec"]["containers"]
            .as_array()?
            .iter()
            .filter_map(|c| {
                let container = c["name"].as_str()?;
                let target = self.running.get(&ns, &name, container)?;
                Some(ContainerUsage {
                    container: container.to_string(),
                    cpu_milli: cpu_millicores(target.pid)?,
                    memory_bytes: rss_bytes(target.pid)?,
                })
            })
            .collect();
        (!usage.is_empty()).then_some(usage)
    }
}
