//! One read of everything the analyzers look at in a namespace, with Secret values kept
//! only inside the redactor.

use base64::Engine;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, Event, LimitRange, Node, PersistentVolumeClaim, Pod, ResourceQuota,
    Secret, Service, ServiceAccount,
};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{Api, ListParams, LogParams};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::cluster::{Cluster, ClusterError};
use crate::redact::Redactor;
use crate::release_history::History;

/// The namespace's objects as JSON (Secrets: names and keys only).
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Namespace read.
    pub namespace: String,
    /// Pods.
    pub pods: Vec<Value>,
    /// Deployments.
    pub deployments: Vec<Value>,
    /// ReplicaSets.
    pub replicasets: Vec<Value>,
    /// Services.
    pub services: Vec<Value>,
    /// Endpoints.
    pub endpoints: Vec<Value>,
    /// Events.
    pub events: Vec<Value>,
    /// ConfigMaps.
    pub configmaps: Vec<Value>,
    /// Secrets with `data` replaced by the list of its keys.
    pub secrets: Vec<Value>,
    /// The Helm releases' revisions (from their storage Secrets).
    pub history: History,
    /// What each schedulable node has left for new pods.
    pub node_room: Vec<NodeRoom>,
    /// The nodes (read, like `node_room`, only when a pod waits to be scheduled).
    pub nodes: Vec<Value>,
    /// PersistentVolumeClaims.
    pub claims: Vec<Value>,
    /// The StorageClasses (read only when a claim is Pending; `None` when not allowed).
    pub storage_classes: Option<Vec<Value>>,
    /// Paths measured to answer on the ports of pods whose HTTP probes get client errors.
    pub answering: Vec<crate::measure::Answering>,
    /// When it was read, in Unix seconds (how long containers have run by then).
    pub read_at: i64,
    /// The other kinds the analyzers judge, each one list in the namespace (empty where
    /// listing it is not allowed).
    pub kinds: Kinds,
}

/// Workloads other than Deployments, and the objects that govern pods.
#[derive(Debug, Clone, Default)]
pub struct Kinds {
    /// StatefulSets.
    pub statefulsets: Vec<Value>,
    /// DaemonSets.
    pub daemonsets: Vec<Value>,
    /// Jobs.
    pub jobs: Vec<Value>,
    /// CronJobs.
    pub cronjobs: Vec<Value>,
    /// HorizontalPodAutoscalers (autoscaling/v2).
    pub hpas: Vec<Value>,
    /// PodDisruptionBudgets.
    pub pdbs: Vec<Value>,
    /// NetworkPolicies.
    pub network_policies: Vec<Value>,
    /// Ingresses.
    pub ingresses: Vec<Value>,
    /// Roles.
    pub roles: Vec<Value>,
    /// RoleBindings.
    pub role_bindings: Vec<Value>,
    /// ResourceQuotas.
    pub quotas: Vec<Value>,
    /// LimitRanges.
    pub limit_ranges: Vec<Value>,
    /// ServiceAccounts.
    pub service_accounts: Vec<Value>,
}

impl Kinds {
    /// One list of each kind, concurrently; a kind that cannot be listed reads as none.
    async fn read(c: &Cluster) -> Self {
        let ok = |r: Result<Vec<Value>, ClusterError>| r.unwrap_or_default();
        let (statefulsets, daemonsets, jobs, cronjobs, hpas, pdbs, network_policies) = futures::join!(
            list::<StatefulSet>(c),
            list::<DaemonSet>(c),
            list::<Job>(c),
            list::<CronJob>(c),
            list::<HorizontalPodAutoscaler>(c),
            list::<PodDisruptionBudget>(c),
            list::<NetworkPolicy>(c),
        );
        let (ingresses, roles, role_bindings, quotas, limit_ranges, service_accounts) = futures::join!(
            list::<Ingress>(c),
            list::<Role>(c),
            list::<RoleBinding>(c),
            list::<ResourceQuota>(c),
            list::<LimitRange>(c),
            list::<ServiceAccount>(c),
        );
        Self {
            statefulsets: ok(statefulsets),
            daemonsets: ok(daemonsets),
            jobs: ok(jobs),
            cronjobs: ok(cronjobs),
            hpas: ok(hpas),
            pdbs: ok(pdbs),
            network_policies: ok(network_policies),
            ingresses: ok(ingresses),
            roles: ok(roles),
            role_bindings: ok(role_bindings),
            quotas: ok(quotas),
            limit_ranges: ok(limit_ranges),
            service_accounts: ok(service_accounts),
        }
    }
}

/// A node's allocatable CPU and memory minus what the pods bound to it request.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeRoom {
    /// The node.
    pub node: String,
    /// Free CPU, millicores.
    pub cpu_milli: i128,
    /// Free memory, in thousandths of a byte (as [`quantity::milli`] counts).
    pub memory_milli: i128,
}

/// Whether the scheduler has said the pod does not fit anywhere yet.
pub fn unscheduled(pod: &Value) -> bool {
    pod["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "PodScheduled" && c["status"] == "False")
}

/// What a pod requests: (CPU, memory) in thousandths, summed over its containers.
pub fn pod_requests(pod: &Value) -> (i128, i128) {
    let containers = pod["spec"]["containers"].as_array().into_iter().flatten();
    containers.fold((0, 0), |(cpu, mem), c| {
        let r = &c["resources"]["requests"];
        let q = |v: &Value| v.as_str().and_then(quantity::milli).unwrap_or(0);
        (cpu + q(&r["cpu"]), mem + q(&r["memory"]))
    })
}

/// Room left on each schedulable node, given every pod that may be bound to one.
pub fn node_room(nodes: &[Value], pods: &[Value]) -> Vec<NodeRoom> {
    nodes
        .iter()
        .filter(|n| n["spec"]["unschedulable"] != true)
        .map(|n| {
            let name = n["metadata"]["name"].as_str().unwrap_or_default();
            let alloc = &n["status"]["allocatable"];
            let q = |v: &Value| v.as_str().and_then(quantity::milli).unwrap_or(0);
            let (used_cpu, used_mem) = pods
                .iter()
                .filter(|p| p["spec"]["nodeName"] == name)
                .filter(|p| !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
                .map(pod_requests)
                .fold((0, 0), |(a, b), (c, d)| (a + c, b + d));
            NodeRoom {
                node: name.to_string(),
                cpu_milli: q(&alloc["cpu"]) - used_cpu,
                memory_milli: q(&alloc["memory"]) - used_mem,
            }
        })
        .collect()
}

async fn list<K>(c: &Cluster) -> Result<Vec<Value>, ClusterError>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + DeserializeOwned
        + std::fmt::Debug
        + serde::Serialize,
    K::DynamicType: Default,
{
    values_of(c, Api::<K>::namespaced(c.client.clone(), &c.namespace)).await
}

async fn list_all<K>(c: &Cluster) -> Result<Vec<Value>, ClusterError>
where
    K: kube::Resource + Clone + DeserializeOwned + std::fmt::Debug + serde::Serialize,
    K::DynamicType: Default,
{
    values_of(c, Api::<K>::all(c.client.clone())).await
}

/// One list call's items as JSON.
async fn values_of<K>(c: &Cluster, api: Api<K>) -> Result<Vec<Value>, ClusterError>
where
    K: kube::Resource + Clone + DeserializeOwned + std::fmt::Debug + serde::Serialize,
{
    let items = api
        .list(&ListParams::default())
        .await
        .map_err(|e| c.error(e))?;
    Ok(items
        .items
        .iter()
        .filter_map(|i| serde_json::to_value(i).ok())
        .collect())
}

/// Teaches `redactor` the values of one Secret (JSON as the API serves it, base64 data).
fn learn_values(redactor: &mut Redactor, secret: &Value) {
    for v in secret["data"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
    {
        if let Some(decoded) = v
            .as_str()
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        {
            redactor.learn(&String::from_utf8_lossy(&decoded));
        }
    }
}

/// Teaches `redactor` the values of a Secret as a chart rendered it (`data` base64,
/// `stringData` plain).
fn learn_rendered_secret(redactor: &mut Redactor, obj: &Value) {
    if obj["kind"] != "Secret" {
        return;
    }
    learn_values(redactor, obj);
    for v in obj["stringData"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(Value::as_str)
    {
        redactor.learn(v);
    }
}

/// A redactor that knows every Secret value of the namespace (one list call); a chat
/// refreshes it each turn so Secrets created meanwhile are masked too.
pub async fn secret_redactor(c: &Cluster) -> Result<Redactor, ClusterError> {
    let secrets = list::<Secret>(c).await?;
    Ok(redactor_for(&secrets, &History::from_secrets(&secrets)))
}

/// A redactor that knows every value of `secrets` and of the Secrets every release
/// revision rendered (so a revert never shows an old password).
fn redactor_for(secrets: &[Value], history: &History) -> Redactor {
    let mut redactor = Redactor::with_public_names(
        secrets
            .iter()
            .filter_map(|s| s["metadata"]["name"].as_str()),
    );
    for s in secrets {
        learn_values(&mut redactor, s);
    }
    for rendered in history.0.iter().flat_map(|r| &r.objects) {
        learn_rendered_secret(&mut redactor, rendered);
    }
    redactor
}

/// Now, in Unix seconds.
fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Snapshot {
    /// Only the namespace's pods and events: enough to tell whether its pods have been
    /// judged yet (see `settle`), without the whole read and its measurements.
    pub async fn read_pods_and_events(c: &Cluster) -> Result<Self, ClusterError> {
        Ok(Self {
            namespace: c.namespace.clone(),
            pods: list::<Pod>(c).await?,
            events: list::<Event>(c).await?,
            read_at: now_seconds(),
            ..Default::default()
        })
    }

    /// Reads the namespace; the redactor learns every Secret value on the way.
    pub async fn read(c: &Cluster) -> Result<(Self, Redactor), ClusterError> {
        let raw_secrets = list::<Secret>(c).await?;
        let history = History::from_secrets(&raw_secrets);
        let redactor = redactor_for(&raw_secrets, &history);
        let secrets = raw_secrets
            .into_iter()
            .map(|mut s| {
                let keys: Vec<String> = s["data"]
                    .as_object()
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default();
                s["data"] = serde_json::json!(keys);
                if let Some(m) = s.as_object_mut() {
                    m.remove("stringData");
                }
                s
            })
            .collect();
        let pods = list::<Pod>(c).await?;
        // Room on the nodes is read only when a pod waits for it (two cluster-wide lists
        // are not paid on every diagnosis); it needs every namespace's pods, and where
        // listing them (or the nodes) is not allowed, what is known is used.
        let (node_room, nodes) = if pods.iter().any(unscheduled) {
            let nodes = list_all::<Node>(c).await.unwrap_or_default();
            let room = match list_all::<Pod>(c).await {
                Ok(all) => node_room(&nodes, &all),
                Err(_) => node_room(&nodes, &pods),
            };
            (room, nodes)
        } else {
            (Vec::new(), Vec::new())
        };
        // A cluster where claims cannot be listed still gets every other analyzer.
        let claims = list::<PersistentVolumeClaim>(c).await.unwrap_or_default();
        let storage_classes = if claims.iter().any(|p| p["status"]["phase"] == "Pending") {
            list_all::<StorageClass>(c).await.ok()
        } else {
            None
        };
        let events = list::<Event>(c).await?;
        let answering = crate::measure::probe_roots(c, &pods, &events).await;
        let kinds = Kinds::read(c).await;
        let read_at = now_seconds();
        Ok((
            Self {
                kinds,
                read_at,
                answering,
                claims,
                storage_classes,
                namespace: c.namespace.clone(),
                pods,
                deployments: list::<Deployment>(c).await?,
                replicasets: list::<ReplicaSet>(c).await?,
                services: list::<Service>(c).await?,
                endpoints: list::<Endpoints>(c).await?,
                events,
                configmaps: list::<ConfigMap>(c).await?,
                secrets,
                history,
                node_room,
                nodes,
            },
            redactor,
        ))
    }

    /// The last `lines` log lines of a pod's container (previous instance when asked), redacted.
    pub async fn logs(
        c: &Cluster,
        redactor: &Redactor,
        pod: &str,
        container: &str,
        previous: bool,
        lines: i64,
        since_seconds: Option<i64>,
    ) -> Option<String> {
        let api: Api<Pod> = Api::namespaced(c.client.clone(), &c.namespace);
        let p = LogParams {
            container: Some(container.to_string()),
            previous,
            tail_lines: Some(lines),
            since_seconds,
            // A log line can be megabytes; what the analyzers read stays small.
            limit_bytes: Some(32 * 1024),
            ..Default::default()
        };
        api.logs(pod, &p).await.ok().map(|t| redactor.redact(&t))
    }
}
