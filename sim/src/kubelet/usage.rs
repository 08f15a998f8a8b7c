//! What each running container uses, read from its process: the source both of the
//! resource metrics API (`kubectl top`) and of the autoscaler, as metrics-server scrapes the
//! kubelets on a cluster.

use serde_json::Value;

use super::Kubelet;
use super::group_usage::group_usage;
use crate::meta;

/// One container's usage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerUsage {
    /// The container's name.
    pub container: String,
    /// CPU in millicores, over the time since the last reading (all its processes).
    pub cpu_milli: i64,
    /// Resident memory in bytes (all its processes).
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
                // The container's first process leads its process group.
                let (cpu_milli, memory_bytes) = group_usage(target.pid)?;
                Some(ContainerUsage {
                    container: container.to_string(),
                    cpu_milli,
                    memory_bytes,
                })
            })
            .collect();
        (!usage.is_empty()).then_some(usage)
    }
}
