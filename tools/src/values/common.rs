//! Value types both charts share.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::quantity::Quantity;

/// Container image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
// Where an image must be pinned, `latest` is refused unless a digest pins it: nodes could run
// different builds under one tag, and `helm rollback` could not roll the code back.
#[schemars(extend(
    "if" = {"properties": {"requirePinned": {"const": true}}, "required": ["requirePinned"]},
    "then" = {"anyOf": [
        {"properties": {"digest": {"pattern": "^sha256:[0-9a-f]{64}$"}}, "required": ["digest"]},
        {"properties": {"tag": {"not": {"const": "latest"}}}}
    ]}
))]
pub struct Image {
    /// Image repository, e.g. `todo-backend`.
    #[schemars(length(min = 1))]
    pub repository: String,
    /// Image tag (must not be `latest` when `requirePinned`, unless `digest` is set).
    #[schemars(length(min = 1))]
    pub tag: String,
    /// A digest (`sha256:…`) that pins the image: the pods run `repository@digest`.
    #[serde(default)]
    #[schemars(regex(pattern = r"^(sha256:[0-9a-f]{64})?$"))]
    pub digest: String,
    /// Refuse a mutable tag (`latest`) unless `digest` pins the image (production).
    #[serde(default)]
    pub require_pinned: bool,
    /// When the kubelet pulls the image (`Never` for images built into Minikube).
    pub pull_policy: PullPolicy,
}

/// `imagePullPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum PullPolicy {
    /// Always pull.
    Always,
    /// Pull when missing.
    IfNotPresent,
    /// Never pull.
    Never,
}

/// The Service in front of the pods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceValues {
    /// Service type.
    #[serde(rename = "type")]
    pub kind: ServiceType,
    /// Service port (also the container port and the app's PORT).
    #[schemars(range(min = 1, max = 65535))]
    pub port: u16,
}

/// Service types the charts support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ServiceType {
    /// In-cluster only (reach it with `kubectl port-forward`).
    ClusterIP,
    /// A port on every node.
    NodePort,
    /// An external load balancer (`minikube tunnel`).
    LoadBalancer,
}

/// CPU and memory amounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceList {
    /// CPU, e.g. `100m`.
    pub cpu: Quantity,
    /// Memory, e.g. `128Mi`.
    pub memory: Quantity,
}

/// Requests and limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Resources {
    /// What the scheduler reserves.
    pub requests: ResourceList,
    /// The most the container may use (memory over it is OOMKilled).
    pub limits: ResourceList,
}

/// Timing of one HTTP probe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProbeTiming {
    /// Seconds before the first probe.
    pub initial_delay_seconds: u32,
    /// Seconds between probes.
    #[schemars(range(min = 1))]
    pub period_seconds: u32,
    /// Seconds before a probe times out.
    #[schemars(range(min = 1))]
    pub timeout_seconds: u32,
    /// Consecutive failures before acting.
    #[schemars(range(min = 1))]
    pub failure_threshold: u32,
}

/// Liveness and readiness probe timings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Probes {
    /// Restarts the container when failing.
    pub liveness: ProbeTiming,
    /// Takes the pod out of the Service when failing.
    pub readiness: ProbeTiming,
}

/// PodDisruptionBudget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DisruptionBudget {
    /// Create the PodDisruptionBudget.
    pub enabled: bool,
    /// Pods that must stay available during voluntary disruptions.
    pub min_available: u32,
}

/// NetworkPolicy: who may reach the pods and whom they may reach.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NetworkPolicyValues {
    /// Create the NetworkPolicy (it takes effect where the cluster's network plugin enforces
    /// NetworkPolicies).
    pub enabled: bool,
}

/// How pods stop without losing requests: the kubelet waits `preStopSleepSeconds` (the
/// native `sleep` action) before SIGTERM, then the app serves for `drainSeconds` with
/// `/ready` failing. Both, plus the app's 15 s in-flight limit, fit the 30 s grace period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Shutdown {
    /// Seconds the kubelet waits before SIGTERM (0: no preStop hook).
    #[schemars(range(max = 5))]
    pub pre_stop_sleep_seconds: u32,
    /// Seconds the app keeps serving after SIGTERM (SHUTDOWN_DRAIN_SECONDS).
    #[schemars(range(max = 10))]
    pub drain_seconds: u32,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self {
            pre_stop_sleep_seconds: 5,
            drain_seconds: 5,
        }
    }
}

/// HorizontalPodAutoscaler (autoscaling/v2, CPU utilisation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Autoscaling {
    /// Create the HPA (it then owns the replica count).
    pub enabled: bool,
    /// Lower bound.
    #[schemars(range(min = 1))]
    pub min_replicas: u32,
    /// Upper bound.
    #[schemars(range(min = 1))]
    pub max_replicas: u32,
    /// Target average CPU utilisation, percent of requests.
    #[schemars(range(min = 1, max = 100))]
    pub target_cpu_utilization_percentage: u32,
}

/// Numeric identity the containers run as.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunAs {
    /// UID (not root).
    #[schemars(range(min = 1))]
    pub run_as_user: u32,
    /// GID.
    #[schemars(range(min = 1))]
    pub run_as_group: u32,
}

/// Pod spreading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AntiAffinity {
    /// Prefer different nodes for replicas.
    Soft,
    /// No preference.
    None,
}

/// Log line format of the apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// JSON lines.
    Json,
    /// Plain text.
    Text,
}
