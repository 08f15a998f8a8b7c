//! The resource types kubesim serves: one table that drives routing, discovery, OpenAPI,
//! field validation and storage. Group, version, kind, plural and scope come from the
//! k8s-openapi types, so an entry cannot disagree with the real API.

use k8s_openapi::api::{
    apps::v1 as apps, autoscaling::v1 as autoscaling_v1, autoscaling::v2 as autoscaling,
    batch::v1 as batch, coordination::v1 as coordination, core::v1 as core,
    discovery::v1 as discovery, events::v1 as events, networking::v1 as networking,
    policy::v1 as policy, rbac::v1 as rbac, scheduling::v1 as scheduling, storage::v1 as storage,
};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1 as apiextensions;
use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope, Resource};

use crate::model::Model;
use crate::proto::{Msg, schema as pb};

/// The verbs of a served resource, as discovery lists them and RBAC grants them.
pub const RESOURCE_VERBS: [&str; 8] = [
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

/// One served resource type.
#[derive(Debug)]
pub struct ResourceType {
    /// API group ("" for core).
    pub group: &'static str,
    /// Version.
    pub version: &'static str,
    /// Kind.
    pub kind: &'static str,
    /// Plural resource name in URLs.
    pub plural: &'static str,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// kubectl short names.
    pub short_names: &'static [&'static str],
    /// Subresources (`status`, `scale`, `log`, …).
    pub subresources: &'static [&'static str],
    /// Whether writes to the main resource leave `.status` alone.
    pub has_status: bool,
    /// Discovery categories (`all`), as a real API server lists them.
    pub categories: &'static [&'static str],
    /// The typed model: schema and strict decoding.
    pub model: Model,
    /// The protobuf layout typed clients send it in, if kubesim decodes one.
    pub proto: Option<&'static Msg>,
}

impl PartialEq for ResourceType {
    fn eq(&self, other: &Self) -> bool {
        (self.group, self.version, self.plural) == (other.group, other.version, other.plural)
    }
}

impl Eq for ResourceType {}

impl ResourceType {
    /// `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `pods` or `deployments.apps`, as messages name it.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// The singular name discovery reports (the lower-cased kind, as on a real server).
    pub fn singular(&self) -> String {
        self.kind.to_ascii_lowercase()
    }
}

/// Namespaced or not, as a constant of the k8s-openapi scope type.
pub trait ScopeFlag {
    /// True for namespaced resources.
    const NAMESPACED: bool;
}

impl ScopeFlag for NamespaceResourceScope {
    const NAMESPACED: bool = true;
}

impl ScopeFlag for ClusterResourceScope {
    const NAMESPACED: bool = false;
}

macro_rules! served {
    ($(#[$doc:meta])* $name:ident: $ty:ty, short $short:expr, sub $sub:expr, status $status:expr, categories $cat:expr, proto $proto:expr) => {
        $(#[$doc])*
        pub static $name: ResourceType = ResourceType {
            group: <$ty as Resource>::GROUP,
            version: <$ty as Resource>::VERSION,
            kind: <$ty as Resource>::KIND,
            plural: <$ty as Resource>::URL_PATH_SEGMENT,
            namespaced: <<$ty as Resource>::Scope as ScopeFlag>::NAMESPACED,
            short_names: $short,
            subresources: $sub,
            has_status: $status,
            categories: $cat,
            model: Model::of::<$ty>(),
            proto: $proto,
        };
    };
}

const ALL: &[&str] = &["all"];
const NONE: &[&str] = &[];
const STATUS: &[&str] = &["status"];

served!(/** Namespaces. */ NAMESPACE: core::Namespace, short &["ns"], sub STATUS, status true, categories NONE, proto Some(&pb::CORE_NAMESPACE));
served!(/** Nodes. */ NODE: core::Node, short &["no"], sub STATUS, status true, categories NONE, proto None);
served!(/** Pods. */ POD: core::Pod, short &["po"], sub &["status", "log", "portforward", "exec", "eviction"], status true, categories ALL, proto Some(&pb::CORE_POD));
served!(/** Services. */ SERVICE: core::Service, short &["svc"], sub STATUS, status true, categories ALL, proto Some(&pb::CORE_SERVICE));
served!(/** Endpoints. */ ENDPOINTS: core::Endpoints, short &["ep"], sub NONE, status false, categories NONE, proto Some(&pb::CORE_ENDPOINTS));
served!(/** ConfigMaps. */ CONFIG_MAP: core::ConfigMap, short &["cm"], sub NONE, status false, categories NONE, proto Some(&pb::CORE_CONFIG_MAP));
served!(/** Secrets. */ SECRET: core::Secret, short NONE, sub NONE, status false, categories NONE, proto Some(&pb::CORE_SECRET));
served!(/** ServiceAccounts. */ SERVICE_ACCOUNT: core::ServiceAccount, short &["sa"], sub &["token"], status false, categories NONE, proto Some(&pb::CORE_SERVICE_ACCOUNT));
served!(/** Core v1 Events. */ EVENT: core::Event, short &["ev"], sub NONE, status false, categories NONE, proto Some(&pb::CORE_EVENT));
served!(/** PersistentVolumeClaims. */ PVC: core::PersistentVolumeClaim, short &["pvc"], sub STATUS, status true, categories NONE, proto Some(&pb::CORE_PERSISTENT_VOLUME_CLAIM));
served!(/** PersistentVolumes. */ PV: core::PersistentVolume, short &["pv"], sub STATUS, status true, categories NONE, proto Some(&pb::CORE_PERSISTENT_VOLUME));
served!(/** ResourceQuotas. */ RESOURCE_QUOTA: core::ResourceQuota, short &["quota"], sub STATUS, status true, categories NONE, proto Some(&pb::CORE_RESOURCE_QUOTA));
served!(/** LimitRanges. */ LIMIT_RANGE: core::LimitRange, short &["limits"], sub NONE, status false, categories NONE, proto Some(&pb::CORE_LIMIT_RANGE));
served!(/** Deployments. */ DEPLOYMENT: apps::Deployment, short &["deploy"], sub &["status", "scale"], status true, categories ALL, proto Some(&pb::APPS_DEPLOYMENT));
served!(/** ReplicaSets. */ REPLICA_SET: apps::ReplicaSet, short &["rs"], sub &["status", "scale"], status true, categories ALL, proto Some(&pb::APPS_REPLICA_SET));
served!(/** StatefulSets. */ STATEFUL_SET: apps::StatefulSet, short &["sts"], sub &["status", "scale"], status true, categories ALL, proto Some(&pb::APPS_STATEFUL_SET));
served!(/** DaemonSets. */ DAEMON_SET: apps::DaemonSet, short &["ds"], sub STATUS, status true, categories ALL, proto Some(&pb::APPS_DAEMON_SET));
served!(/** ControllerRevisions. */ CONTROLLER_REVISION: apps::ControllerRevision, short NONE, sub NONE, status false, categories NONE, proto Some(&pb::APPS_CONTROLLER_REVISION));
served!(/** Jobs. */ JOB: batch::Job, short NONE, sub STATUS, status true, categories ALL, proto Some(&pb::BATCH_JOB));
served!(/** CronJobs. */ CRON_JOB: batch::CronJob, short &["cj"], sub STATUS, status true, categories ALL, proto Some(&pb::BATCH_CRON_JOB));
served!(/** events.k8s.io/v1 Events. */ EVENTS_V1_EVENT: events::Event, short &["ev"], sub NONE, status false, categories NONE, proto Some(&pb::EVENTS_EVENT));
served!(/** EndpointSlices. */ ENDPOINT_SLICE: discovery::EndpointSlice, short NONE, sub NONE, status false, categories NONE, proto Some(&pb::DISCOVERY_ENDPOINT_SLICE));
served!(/** PodDisruptionBudgets. */ PDB: policy::PodDisruptionBudget, short &["pdb"], sub STATUS, status true, categories NONE, proto Some(&pb::POLICY_POD_DISRUPTION_BUDGET));
served!(/** HorizontalPodAutoscalers (autoscaling/v2). */ HPA: autoscaling::HorizontalPodAutoscaler, short &["hpa"], sub STATUS, status true, categories ALL, proto Some(&pb::AUTOSCALING_HORIZONTAL_POD_AUTOSCALER));
served!(/** HorizontalPodAutoscalers (autoscaling/v1, a view of the v2 objects). */ HPA_V1: autoscaling_v1::HorizontalPodAutoscaler, short &["hpa"], sub STATUS, status true, categories NONE, proto Some(&pb::AUTOSCALING_V1_HORIZONTAL_POD_AUTOSCALER));
served!(/** Roles. */ ROLE: rbac::Role, short NONE, sub NONE, status false, categories NONE, proto Some(&pb::RBAC_ROLE));
served!(/** RoleBindings. */ ROLE_BINDING: rbac::RoleBinding, short NONE, sub NONE, status false, categories NONE, proto Some(&pb::RBAC_ROLE_BINDING));
served!(/** ClusterRoles. */ CLUSTER_ROLE: rbac::ClusterRole, short NONE, sub NONE, status false, categories NONE, proto Some(&pb::RBAC_CLUSTER_ROLE));
served!(/** ClusterRoleBindings. */ CLUSTER_ROLE_BINDING: rbac::ClusterRoleBinding, short NONE, sub NONE, status false, categories NONE, proto Some(&pb::RBAC_CLUSTER_ROLE_BINDING));
served!(/** NetworkPolicies. */ NETWORK_POLICY: networking::NetworkPolicy, short &["netpol"], sub NONE, status false, categories NONE, proto Some(&pb::NETWORKING_NETWORK_POLICY));
served!(/** Ingresses. */ INGRESS: networking::Ingress, short &["ing"], sub STATUS, status true, categories NONE, proto Some(&pb::NETWORKING_INGRESS));
served!(/** IngressClasses. */ INGRESS_CLASS: networking::IngressClass, short NONE, sub NONE, status false, categories NONE, proto Some(&pb::NETWORKING_INGRESS_CLASS));
served!(/** StorageClasses. */ STORAGE_CLASS: storage::StorageClass, short &["sc"], sub NONE, status false, categories NONE, proto Some(&pb::STORAGE_STORAGE_CLASS));
served!(/** PriorityClasses. */ PRIORITY_CLASS: scheduling::PriorityClass, short &["pc"], sub NONE, status false, categories NONE, proto Some(&pb::SCHEDULING_PRIORITY_CLASS));
served!(/** Leases. */ LEASE: coordination::Lease, short NONE, sub NONE, status false, categories NONE, proto Some(&pb::COORDINATION_LEASE));
served!(/** CustomResourceDefinitions (stored; custom resources are not served). */ CRD: apiextensions::CustomResourceDefinition, short &["crd", "crds"], sub STATUS, status true, categories NONE, proto None);

/// Every served type, in discovery order.
pub static RESOURCES: &[&ResourceType] = &[
    &NAMESPACE,
    &NODE,
    &POD,
    &SERVICE,
    &ENDPOINTS,
    &CONFIG_MAP,
    &SECRET,
    &SERVICE_ACCOUNT,
    &EVENT,
    &PVC,
    &PV,
    &RESOURCE_QUOTA,
    &LIMIT_RANGE,
    &DEPLOYMENT,
    &REPLICA_SET,
    &STATEFUL_SET,
    &DAEMON_SET,
    &CONTROLLER_REVISION,
    &JOB,
    &CRON_JOB,
    &EVENTS_V1_EVENT,
    &ENDPOINT_SLICE,
    &PDB,
    &HPA,
    &HPA_V1,
    &ROLE,
    &ROLE_BINDING,
    &CLUSTER_ROLE,
    &CLUSTER_ROLE_BINDING,
    &NETWORK_POLICY,
    &INGRESS,
    &INGRESS_CLASS,
    &STORAGE_CLASS,
    &PRIORITY_CLASS,
    &LEASE,
    &CRD,
];

/// The groups in discovery order, with their versions.
pub fn groups() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for r in RESOURCES.iter().filter(|r| !r.group.is_empty()) {
        if !out.contains(&(r.group, r.version)) {
            out.push((r.group, r.version));
        }
    }
    out
}

/// Looks up a type by URL parts.
pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static ResourceType> {
    RESOURCES
        .iter()
        .copied()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

/// Looks up a type by apiVersion and kind.
pub fn by_kind(api_version: &str, kind: &str) -> Option<&'static ResourceType> {
    RESOURCES
        .iter()
        .copied()
        .find(|r| r.api_version() == api_version && r.kind == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_unique_and_found_by_its_url_and_kind() {
        for rt in RESOURCES {
            assert_eq!(find(rt.group, rt.version, rt.plural), Some(*rt));
            assert_eq!(by_kind(&rt.api_version(), rt.kind), Some(*rt));
        }
        assert!(POD.namespaced && !NODE.namespaced && !CLUSTER_ROLE.namespaced);
        assert_eq!(
            (DEPLOYMENT.group, DEPLOYMENT.plural),
            ("apps", "deployments")
        );
    }
}
