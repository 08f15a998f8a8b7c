//! Values of `charts/todo-frontend`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::*;
use super::quantity::Quantity;

/// Settings that go into the frontend's ConfigMap (`frontend-config`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FrontendConfig {
    /// `BACKEND_URL`: where `/api` is proxied (the backend Service).
    #[schemars(regex(pattern = r"^https?://.+$"))]
    pub backend_url: String,
    /// `LOG_FORMAT`.
    pub log_format: LogFormat,
    /// `NEXT_PUBLIC_OPENAI_DOMAIN_KEY` (ChatKit domain key; optional).
    pub openai_domain_key: String,
}

/// All values of the frontend chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "todo-frontend chart values")]
pub struct FrontendValues {
    /// Pods (ignored while the HPA is enabled).
    pub replica_count: u32,
    /// Container image.
    pub image: Image,
    /// The Service.
    pub service: ServiceValues,
    /// Non-secret settings (ConfigMap).
    pub config: FrontendConfig,
    /// Requests and limits.
    pub resources: Resources,
    /// Probe timings (liveness on /health, readiness on /ready).
    pub probes: Probes,
    /// PodDisruptionBudget.
    pub pod_disruption_budget: DisruptionBudget,
    /// Traffic allowed: from anywhere to the UI port in, to the backend and DNS out.
    pub network_policy: NetworkPolicyValues,
    /// preStop sleep and drain on stop.
    pub shutdown: Shutdown,
    /// HorizontalPodAutoscaler.
    pub autoscaling: Autoscaling,
    /// Numeric user and group.
    pub security_context: RunAs,
    /// Spread replicas over nodes.
    pub anti_affinity: AntiAffinity,
    /// Node labels the pods require.
    pub node_selector: BTreeMap<String, String>,
    /// Tolerations, as in a pod spec.
    pub tolerations: Vec<serde_json::Value>,
    /// Extra pod annotations.
    pub pod_annotations: BTreeMap<String, String>,
}

fn q(s: &str) -> Quantity {
    Quantity::literal(s)
}

impl Default for FrontendValues {
    fn default() -> Self {
        Self {
            replica_count: 2,
            image: Image {
                repository: "todo-frontend".into(),
                tag: "latest".into(),
                digest: String::new(),
                require_pinned: false,
                pull_policy: PullPolicy::IfNotPresent,
            },
            service: ServiceValues {
                kind: ServiceType::ClusterIP,
                port: 3000,
            },
            config: FrontendConfig {
                backend_url: "http://todo-backend:8000".into(),
                log_format: LogFormat::Json,
                openai_domain_key: String::new(),
            },
            resources: Resources {
                requests: ResourceList {
                    cpu: q("50m"),
                    memory: q("32Mi"),
                },
                limits: ResourceList {
                    cpu: q("250m"),
                    memory: q("128Mi"),
                },
            },
            probes: Probes {
                liveness: ProbeTiming {
                    initial_delay_seconds: 3,
                    period_seconds: 10,
                    timeout_seconds: 2,
                    failure_threshold: 3,
                },
                readiness: ProbeTiming {
                    initial_delay_seconds: 1,
                    period_seconds: 5,
                    timeout_seconds: 2,
                    failure_threshold: 3,
                },
            },
            pod_disruption_budget: DisruptionBudget {
                enabled: true,
                min_available: 1,
            },
            network_policy: NetworkPolicyValues { enabled: true },
            shutdown: Shutdown::default(),
            autoscaling: Autoscaling {
                enabled: false,
                min_replicas: 2,
                max_replicas: 5,
                target_cpu_utilization_percentage: 70,
            },
            security_context: RunAs {
                run_as_user: 65532,
                run_as_group: 65532,
            },
            anti_affinity: AntiAffinity::Soft,
            node_selector: BTreeMap::new(),
            tolerations: Vec::new(),
            pod_annotations: BTreeMap::new(),
        }
    }
}
