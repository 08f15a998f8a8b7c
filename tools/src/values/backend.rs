//! Values of `charts/todo-backend`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::*;
use super::quantity::Quantity;

/// Settings that go into the backend's ConfigMap (`app-config`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BackendConfig {
    /// `LOG_FORMAT`.
    pub log_format: LogFormat,
    /// `OPENAI_MODEL`.
    pub openai_model: String,
    /// `OPENAI_BASE_URL` (empty: the OpenAI API).
    #[schemars(regex(pattern = r"^(https?://.*)?$"))]
    pub openai_base_url: String,
    /// `BETTER_AUTH_URL` (empty: unset).
    #[schemars(regex(pattern = r"^(https?://.*)?$"))]
    pub better_auth_url: String,
    /// `DATABASE_CONNECT_ATTEMPTS`.
    #[schemars(range(min = 1, max = 1000))]
    pub database_connect_attempts: u32,
}

/// Values that go into the backend's Secret (`app-secrets`), unless `existingSecret` is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BackendSecrets {
    /// `DATABASE_URL` (postgres://…); computed when `postgres.enabled`.
    #[schemars(regex(pattern = r"^((postgres|postgresql)://.*|sqlite:.*)?$"))]
    pub database_url: String,
    /// `BETTER_AUTH_SECRET`, at least 32 characters; generated (and kept across upgrades) when empty.
    #[schemars(regex(pattern = r"^(.{32,})?$"))]
    pub better_auth_secret: String,
    /// `OPENAI_API_KEY` (empty: the offline chat engine).
    pub openai_api_key: String,
}

/// The optional in-cluster Postgres (for Minikube).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Postgres {
    /// Run Postgres as a StatefulSet in the release.
    pub enabled: bool,
    /// Postgres image.
    pub image: String,
    /// Database name.
    #[schemars(length(min = 1))]
    pub database: String,
    /// User name.
    #[schemars(length(min = 1))]
    pub user: String,
    /// Password (generated and kept across upgrades when empty).
    pub password: String,
    /// PersistentVolumeClaim size.
    pub storage_size: Quantity,
    /// StorageClass (empty: the cluster default).
    pub storage_class: String,
    /// Requests and limits.
    pub resources: Resources,
}

/// All values of the backend chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "todo-backend chart values")]
pub struct BackendValues {
    /// Pods (ignored while the HPA is enabled).
    pub replica_count: u32,
    /// Container image.
    pub image: Image,
    /// The Service.
    pub service: ServiceValues,
    /// Non-secret settings (ConfigMap).
    pub config: BackendConfig,
    /// Secret settings (Secret), unless `existingSecret` names one.
    pub secrets: BackendSecrets,
    /// Name of an existing Secret with keys DATABASE_URL, BETTER_AUTH_SECRET and OPENAI_API_KEY.
    pub existing_secret: String,
    /// Requests and limits of the backend container.
    pub resources: Resources,
    /// Probe timings (liveness on /health, readiness on /ready).
    pub probes: Probes,
    /// PodDisruptionBudget.
    pub pod_disruption_budget: DisruptionBudget,
    /// Traffic allowed: from the frontend in, to Postgres, DNS and the model endpoint out.
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
    /// A folder of the node mounted at the same path (hostPath), for a `sqlite://`
    /// DATABASE_URL whose file lives there (kubesim, a single-node cluster); empty for none.
    pub sqlite_host_path: String,
    /// Optional in-cluster Postgres.
    pub postgres: Postgres,
}

fn q(s: &str) -> Quantity {
    Quantity::literal(s)
}

impl Default for BackendValues {
    fn default() -> Self {
        Self {
            replica_count: 2,
            image: Image {
                repository: "todo-backend".into(),
                tag: "latest".into(),
                digest: String::new(),
                require_pinned: false,
                pull_policy: PullPolicy::IfNotPresent,
            },
            service: ServiceValues {
                kind: ServiceType::ClusterIP,
                port: 8000,
            },
            config: BackendConfig {
                log_format: LogFormat::Json,
                openai_model: "gpt-4o-mini".into(),
                openai_base_url: String::new(),
                better_auth_url: String::new(),
                database_connect_attempts: 6,
            },
            secrets: BackendSecrets {
                database_url: String::new(),
                better_auth_secret: String::new(),
                openai_api_key: String::new(),
            },
            existing_secret: String::new(),
            resources: Resources {
                requests: ResourceList {
                    cpu: q("100m"),
                    memory: q("64Mi"),
                },
                limits: ResourceList {
                    cpu: q("500m"),
                    memory: q("256Mi"),
                },
            },
            probes: Probes {
                liveness: ProbeTiming {
                    initial_delay_seconds: 5,
                    period_seconds: 10,
                    timeout_seconds: 2,
                    failure_threshold: 3,
                },
                readiness: ProbeTiming {
                    initial_delay_seconds: 2,
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
            sqlite_host_path: String::new(),
            postgres: Postgres {
                enabled: false,
                image: "postgres:16-alpine".into(),
                database: "todo".into(),
                user: "todo".into(),
                password: String::new(),
                storage_size: q("1Gi"),
                storage_class: String::new(),
                resources: Resources {
                    requests: ResourceList {
                        cpu: q("100m"),
                        memory: q("128Mi"),
                    },
                    limits: ResourceList {
                        cpu: q("500m"),
                        memory: q("512Mi"),
                    },
                },
            },
        }
    }
}
