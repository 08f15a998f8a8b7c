//! The ClusterRoles and bindings every cluster starts with: `cluster-admin`, the aggregated
//! `admin`/`edit`/`view` (built from the `system:aggregate-to-*` roles and any role a user
//! labels to join them), discovery and self-review for every authenticated user, and the
//! read-only role of kubesim's viewer token.

use serde_json::{Value, json};

use super::tokens::VIEWER_USER;
use crate::resources::{CLUSTER_ROLE, CLUSTER_ROLE_BINDING, RESOURCE_VERBS};
use crate::selector::LabelSelector;
use crate::store::{Store, UpdateScope};

const READ: [&str; 3] = ["get", "list", "watch"];
const WRITE: [&str; 5] = ["create", "delete", "deletecollection", "patch", "update"];

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> Value {
    json!({"apiGroups": groups, "resources": resources, "verbs": verbs})
}

/// What `view` may read: workloads and their status, not Secrets.
fn view_rules() -> Vec<Value> {
    vec![
        rule(
            &[""],
            &[
                "configmaps",
                "endpoints",
                "persistentvolumeclaims",
                "persistentvolumeclaims/status",
                "pods",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "serviceaccounts",
                "services",
                "services/status",
                "bindings",
                "events",
                "limitranges",
                "namespaces/status",
                "pods/log",
                "pods/status",
                "replicationcontrollers/status",
                "resourcequotas",
                "resourcequotas/status",
                "namespaces",
            ],
            &READ,
        ),
        rule(
            &["apps"],
            &[
                "controllerrevisions",
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/scale",
                "deployments/status",
                "replicasets",
                "replicasets/scale",
                "replicasets/status",
                "statefulsets",
                "statefulsets/scale",
                "statefulsets/status",
            ],
            &READ,
        ),
        rule(
            &["autoscaling"],
            &[
                "horizontalpodautoscalers",
                "horizontalpodautoscalers/status",
            ],
            &READ,
        ),
        rule(
            &["batch"],
            &["cronjobs", "cronjobs/status", "jobs", "jobs/status"],
            &READ,
        ),
        rule(
            &["policy"],
            &["poddisruptionbudgets", "poddisruptionbudgets/status"],
            &READ,
        ),
        rule(
            &["networking.k8s.io"],
            &["ingresses", "ingresses/status", "networkpolicies"],
            &READ,
        ),
        rule(&["discovery.k8s.io"], &["endpointslices"], &READ),
        rule(&["events.k8s.io"], &["events"], &READ),
    ]
}

/// What `edit` adds: changing workloads, Secrets, exec and port-forward.
fn edit_rules() -> Vec<Value> {
    vec![
        rule(
            &[""],
            &[
                "pods/attach",
                "pods/exec",
                "pods/portforward",
                "pods/proxy",
                "secrets",
                "services/proxy",
            ],
            &READ,
        ),
        rule(&[""], &["serviceaccounts"], &["impersonate"]),
        rule(
            &[""],
            &[
                "pods",
                "pods/attach",
                "pods/exec",
                "pods/portforward",
                "pods/proxy",
            ],
            &WRITE,
        ),
        rule(&[""], &["pods/eviction"], &["create"]),
        rule(
            &[""],
            &[
                "configmaps",
                "events",
                "persistentvolumeclaims",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "secrets",
                "serviceaccounts",
                "services",
                "services/proxy",
            ],
            &WRITE,
        ),
        rule(&[""], &["serviceaccounts/token"], &["create"]),
        rule(
            &["apps"],
            &[
                "daemonsets",
                "deployments",
                "deployments/rollback",
                "deployments/scale",
                "replicasets",
                "replicasets/scale",
                "statefulsets",
                "statefulsets/scale",
            ],
            &WRITE,
        ),
        rule(&["autoscaling"], &["horizontalpodautoscalers"], &WRITE),
        rule(&["batch"], &["cronjobs", "jobs"], &WRITE),
        rule(&["policy"], &["poddisruptionbudgets"], &WRITE),
        rule(
            &["networking.k8s.io"],
            &["ingresses", "networkpolicies"],
            &WRITE,
        ),
        rule(&["discovery.k8s.io"], &["endpointslices"], &WRITE),
    ]
}

/// What `admin` adds: roles and bindings in the namespace.
fn admin_rules() -> Vec<Value> {
    vec![
        rule(
            &["authorization.k8s.io"],
            &["localsubjectaccessreviews"],
            &["create"],
        ),
        rule(
            &["rbac.authorization.k8s.io"],
            &["rolebindings", "roles"],
            &RESOURCE_VERBS,
        ),
    ]
}

fn cluster_role(
    name: &str,
    labels: Value,
    rules: Vec<Value>,
    aggregate_from: Option<&str>,
) -> Value {
    let mut role = json!({
        "metadata": {"name": name, "labels": labels, "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}},
        "rules": rules,
    });
    if let Some(to) = aggregate_from {
        role["aggregationRule"] = json!({"clusterRoleSelectors": [{"matchLabels": {format!("rbac.authorization.k8s.io/aggregate-to-{to}"): "true"}}]});
    }
    role
}

fn binding(name: &str, role: &str, subject_kind: &str, subject: &str) -> Value {
    json!({
        "metadata": {"name": name, "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": subject_kind, "name": subject}],
    })
}

/// Creates the default roles and bindings.
pub fn install(store: &Store) {
    let defaults = json!({"kubernetes.io/bootstrapping": "rbac-defaults"});
    let joins = |to: &str| {
        let mut l = defaults.clone();
        l[format!("rbac.authorization.k8s.io/aggregate-to-{to}")] = json!("true");
        l
    };
    let roles = [
        cluster_role(
            "cluster-admin",
            defaults.clone(),
            vec![
                rule(&["*"], &["*"], &["*"]),
                json!({"nonResourceURLs": ["*"], "verbs": ["*"]}),
            ],
            None,
        ),
        cluster_role("admin", defaults.clone(), vec![], Some("admin")),
        cluster_role("edit", joins("admin"), vec![], Some("edit")),
        cluster_role("view", joins("edit"), vec![], Some("view")),
        cluster_role(
            "system:aggregate-to-admin",
            joins("admin"),
            admin_rules(),
            None,
        ),
        cluster_role(
            "system:aggregate-to-edit",
            joins("edit"),
            edit_rules(),
            None,
        ),
        cluster_role(
            "system:aggregate-to-view",
            joins("view"),
            view_rules(),
            None,
        ),
        cluster_role(
            "system:basic-user",
            defaults.clone(),
            vec![
                rule(
                    &["authorization.k8s.io"],
                    &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
                    &["create"],
                ),
                rule(
                    &["authentication.k8s.io"],
                    &["selfsubjectreviews"],
                    &["create"],
                ),
            ],
            None,
        ),
        cluster_role(
            "system:discovery",
            defaults.clone(),
            vec![json!({
                "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"],
                "verbs": ["get"],
            })],
            None,
        ),
        cluster_role(
            VIEWER_USER,
            defaults.clone(),
            vec![rule(&["*"], &["*"], &READ)],
            None,
        ),
    ];
    for r in roles {
        let _ = store.create(&CLUSTER_ROLE, "", r);
    }
    for b in [
        binding("cluster-admin", "cluster-admin", "Group", "system:masters"),
        binding(
            "system:basic-user",
            "system:basic-user",
            "Group",
            "system:authenticated",
        ),
        binding(
            "system:discovery",
            "system:discovery",
            "Group",
            "system:authenticated",
        ),
        binding(VIEWER_USER, VIEWER_USER, "User", VIEWER_USER),
    ] {
        let _ = store.create(&CLUSTER_ROLE_BINDING, "", b);
    }
    // Roles that aggregate roles that aggregate: a pass per level.
    for _ in 0..3 {
        aggregate(store);
    }
}

/// The ClusterRole aggregation controller's pass: a role with an `aggregationRule` holds
/// the rules of every ClusterRole its selectors match.
pub fn aggregate(store: &Store) {
    let roles = store.all_shared(&CLUSTER_ROLE);
    for role in roles.iter().filter(|r| r["aggregationRule"].is_object()) {
        let mut rules: Vec<Value> = Vec::new();
        for sel in role["aggregationRule"]["clusterRoleSelectors"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let selector = LabelSelector::from_object(sel);
            for member in roles
                .iter()
                .filter(|m| m["metadata"]["name"] != role["metadata"]["name"])
            {
                if selector.matches(member["metadata"]["labels"].as_object()) {
                    for r in member["rules"].as_array().into_iter().flatten() {
                        if !rules.contains(r) {
                            rules.push(r.clone());
                        }
                    }
                }
            }
        }
        if role["rules"].as_array() != Some(&rules) {
            let mut next = (**role).clone();
            next["rules"] = json!(rules);
            let name = role["metadata"]["name"].as_str().unwrap_or_default();
            let _ = store.update(&CLUSTER_ROLE, "", name, next, UpdateScope::Main);
        }
    }
}
