//! Merge metadata of the built-in types: which lists merge item by item and by which key, as
//! the `patchStrategy`/`patchMergeKey` and `listType`/`listMapKey` tags of the Kubernetes Go
//! types say, and which structs are atomic (`structType=atomic`). Lists not named here are
//! atomic: a patch or an apply replaces them whole.

/// One list field that merges instead of being replaced.
#[derive(Debug, Clone, Copy)]
pub struct ListMerge {
    /// The OpenAPI definition holding the field.
    pub definition: &'static str,
    /// The field.
    pub field: &'static str,
    /// `merge`, or `merge,retainKeys`.
    pub strategy: &'static str,
    /// The key that identifies an item (None for lists of scalars).
    pub merge_key: Option<&'static str>,
    /// A second key server-side apply identifies items by, with the default the API server
    /// fills in (ports are keyed by port and protocol).
    pub apply_key: Option<(&'static str, &'static str)>,
}

impl ListMerge {
    /// Adds the second key server-side apply uses.
    const fn and_key(mut self, field: &'static str, default: &'static str) -> Self {
        self.apply_key = Some((field, default));
        self
    }
}

const fn m(
    definition: &'static str,
    field: &'static str,
    strategy: &'static str,
    merge_key: Option<&'static str>,
) -> ListMerge {
    ListMerge {
        definition,
        field,
        strategy,
        merge_key,
        apply_key: None,
    }
}

const POD_SPEC: &str = "io.k8s.api.core.v1.PodSpec";
const CONTAINER: &str = "io.k8s.api.core.v1.Container";
const EPHEMERAL: &str = "io.k8s.api.core.v1.EphemeralContainer";
const META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// Every merging list of the served kinds.
pub static LIST_MERGE: &[ListMerge] = &[
    m(META, "ownerReferences", "merge", Some("uid")),
    m(META, "finalizers", "merge", None),
    m(POD_SPEC, "containers", "merge", Some("name")),
    m(POD_SPEC, "initContainers", "merge", Some("name")),
    m(POD_SPEC, "ephemeralContainers", "merge", Some("name")),
    m(POD_SPEC, "volumes", "merge,retainKeys", Some("name")),
    m(POD_SPEC, "imagePullSecrets", "merge", Some("name")),
    m(POD_SPEC, "hostAliases", "merge", Some("ip")),
    m(
        POD_SPEC,
        "topologySpreadConstraints",
        "merge",
        Some("topologyKey"),
    ),
    m(POD_SPEC, "resourceClaims", "merge,retainKeys", Some("name")),
    m(POD_SPEC, "schedulingGates", "merge", Some("name")),
    m(CONTAINER, "ports", "merge", Some("containerPort")).and_key("protocol", "TCP"),
    m(CONTAINER, "env", "merge", Some("name")),
    m(CONTAINER, "volumeMounts", "merge", Some("mountPath")),
    m(CONTAINER, "volumeDevices", "merge", Some("devicePath")),
    m(EPHEMERAL, "ports", "merge", Some("containerPort")).and_key("protocol", "TCP"),
    m(EPHEMERAL, "env", "merge", Some("name")),
    m(EPHEMERAL, "volumeMounts", "merge", Some("mountPath")),
    m(EPHEMERAL, "volumeDevices", "merge", Some("devicePath")),
    m(
        "io.k8s.api.core.v1.ServiceSpec",
        "ports",
        "merge",
        Some("port"),
    )
    .and_key("protocol", "TCP"),
    m(
        "io.k8s.api.core.v1.PodStatus",
        "conditions",
        "merge",
        Some("type"),
    ),
    m(
        "io.k8s.api.apps.v1.DeploymentStatus",
        "conditions",
        "merge",
        Some("type"),
    ),
    m(
        "io.k8s.api.apps.v1.ReplicaSetStatus",
        "conditions",
        "merge",
        Some("type"),
    ),
    m(
        "io.k8s.api.apps.v1.StatefulSetStatus",
        "conditions",
        "merge",
        Some("type"),
    ),
    m(
        "io.k8s.api.apps.v1.DaemonSetStatus",
        "conditions",
        "merge",
        Some("type"),
    ),
    m(
        "io.k8s.api.core.v1.NodeStatus",
        "conditions",
        "merge",
        Some("type"),
    ),
    m(
        "io.k8s.api.core.v1.NodeStatus",
        "addresses",
        "merge",
        Some("type"),
    ),
    m("io.k8s.api.core.v1.NodeSpec", "podCIDRs", "merge", None),
];

/// Structs that are one value to patches and to field ownership (`+structType=atomic`):
/// a change anywhere inside replaces the whole struct.
pub static ATOMIC_STRUCTS: &[&str] = &[
    "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
    "io.k8s.api.core.v1.LocalObjectReference",
    "io.k8s.api.core.v1.ObjectReference",
    "io.k8s.api.core.v1.TypedLocalObjectReference",
    "io.k8s.api.core.v1.NodeSelector",
    "io.k8s.api.core.v1.ConfigMapKeySelector",
    "io.k8s.api.core.v1.SecretKeySelector",
    "io.k8s.api.core.v1.ObjectFieldSelector",
    "io.k8s.api.core.v1.ResourceFieldSelector",
];
