//! RBAC as the API server evaluates it: a request is allowed when a rule of a role bound
//! to the user, one of its groups or its service account matches it — ClusterRoleBindings
//! everywhere, RoleBindings in their namespace. `system:masters` may do anything.

use serde_json::{Value, json};

use super::{Attributes, UserInfo};
use crate::resources::{CLUSTER_ROLE, CLUSTER_ROLE_BINDING, ROLE, ROLE_BINDING};
use crate::store::Store;

/// The answer, with the reason a SelfSubjectAccessReview reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Allowed or not.
    pub allowed: bool,
    /// `RBAC: allowed by RoleBinding "x/ns" of Role "y" to User "alice"`, or empty.
    pub reason: String,
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// Whether a binding subject is this user (directly, by group or as a service account).
fn subject_matches(subject: &Value, user: &UserInfo, binding_ns: &str) -> bool {
    let name = subject["name"].as_str().unwrap_or_default();
    match subject["kind"].as_str() {
        Some("User") => name == user.name,
        Some("Group") => user.groups.iter().any(|g| g == name),
        Some("ServiceAccount") => {
            let ns = subject["namespace"]
                .as_str()
                .filter(|n| !n.is_empty())
                .unwrap_or(binding_ns);
            user.name == format!("system:serviceaccount:{ns}:{name}")
        }
        _ => false,
    }
}

fn describe_subject(subject: &Value, binding_ns: &str) -> String {
    let name = subject["name"].as_str().unwrap_or_default();
    match subject["kind"].as_str() {
        Some("ServiceAccount") => {
            let ns = subject["namespace"]
                .as_str()
                .filter(|n| !n.is_empty())
                .unwrap_or(binding_ns);
            format!("ServiceAccount \"{name}/{ns}\"")
        }
        Some(kind) => format!("{kind} \"{name}\""),
        None => format!("\"{name}\""),
    }
}

/// Whether one PolicyRule allows the request.
pub fn rule_allows(rule: &Value, a: &Attributes) -> bool {
    let verbs = strings(&rule["verbs"]);
    if !verbs.iter().any(|v| *v == "*" || *v == a.verb) {
        return false;
    }
    if let Some(path) = &a.path {
        return strings(&rule["nonResourceURLs"]).iter().any(|u| {
            *u == "*"
                || u == path
                || u.strip_suffix('*')
                    .is_some_and(|prefix| path.starts_with(prefix))
        });
    }
    if !strings(&rule["apiGroups"])
        .iter()
        .any(|g| *g == "*" || *g == a.group)
    {
        return false;
    }
    let wanted = a.resource_path();
    let resource_ok = strings(&rule["resources"]).iter().any(|r| {
        *r == "*"
            || *r == wanted
            || (!a.subresource.is_empty() && *r == format!("*/{}", a.subresource))
    });
    if !resource_ok {
        return false;
    }
    let names = strings(&rule["resourceNames"]);
    names.is_empty() || (!a.name.is_empty() && names.contains(&a.name.as_str()))
}

/// A binding whose subjects include the user, with the rules of the role it names.
pub struct Grant {
    /// `ClusterRoleBinding "x"` or `RoleBinding "x/ns"`.
    pub binding: String,
    /// `ClusterRole "y"` or `Role "y"`.
    pub role: String,
    /// The subject that matched.
    pub subject: String,
    /// The namespace it applies in (None: everywhere).
    pub namespace: Option<String>,
    /// The role's rules.
    pub rules: Vec<Value>,
}

fn role_rules(store: &Store, role_ref: &Value, ns: &str) -> Option<(String, Vec<Value>)> {
    let name = role_ref["name"].as_str()?;
    let (kind, obj) = match role_ref["kind"].as_str()? {
        "ClusterRole" => ("ClusterRole", store.get(&CLUSTER_ROLE, "", name).ok()?),
        "Role" => ("Role", store.get(&ROLE, ns, name).ok()?),
        _ => return None,
    };
    let rules = obj["rules"].as_array().cloned().unwrap_or_default();
    Some((format!("{kind} \"{name}\""), rules))
}

/// Every grant the user holds that can apply in `namespace` (None: cluster-wide only).
pub fn grants(store: &Store, user: &UserInfo, namespace: Option<&str>) -> Vec<Grant> {
    let mut out = Vec::new();
    let mut consider = |binding: &Value, kind: &str, ns: &str| {
        let name = binding["metadata"]["name"].as_str().unwrap_or_default();
        let Some(subject) = binding["subjects"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| subject_matches(s, user, ns))
        else {
            return;
        };
        let Some((role, rules)) = role_rules(store, &binding["roleRef"], ns) else {
            return;
        };
        out.push(Grant {
            binding: if ns.is_empty() {
                format!("{kind} \"{name}\"")
            } else {
                format!("{kind} \"{name}/{ns}\"")
            },
            role,
            subject: describe_subject(subject, ns),
            namespace: (!ns.is_empty()).then(|| ns.to_string()),
            rules,
        });
    };
    for b in store.all_shared(&CLUSTER_ROLE_BINDING) {
        consider(&b, "ClusterRoleBinding", "");
    }
    if let Some(ns) = namespace.filter(|n| !n.is_empty()) {
        for b in crate::admission::View::list(store, &ROLE_BINDING, ns) {
            consider(&b, "RoleBinding", ns);
        }
    }
    out
}

/// Decides a request.
pub fn authorize(store: &Store, user: &UserInfo, a: &Attributes) -> Decision {
    if user.groups.iter().any(|g| g == "system:masters") {
        return Decision {
            allowed: true,
            reason: String::new(),
        };
    }
    for g in grants(store, user, a.namespace.as_deref()) {
        if g.rules.iter().any(|r| rule_allows(r, a)) {
            return Decision {
                allowed: true,
                reason: format!(
                    "RBAC: allowed by {} of {} to {}",
                    g.binding, g.role, g.subject
                ),
            };
        }
    }
    Decision {
        allowed: false,
        reason: String::new(),
    }
}

/// `status` of a SelfSubjectRulesReview: the rules that apply in `namespace`.
pub fn rules_review(store: &Store, user: &UserInfo, namespace: &str) -> Value {
    let (mut resource_rules, mut non_resource_rules) = (Vec::new(), Vec::new());
    if user.groups.iter().any(|g| g == "system:masters") {
        resource_rules.push(json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}));
        non_resource_rules.push(json!({"verbs": ["*"], "nonResourceURLs": ["*"]}));
    }
    for g in grants(store, user, Some(namespace)) {
        for r in g.rules {
            if r["nonResourceURLs"].is_array() {
                non_resource_rules
                    .push(json!({"verbs": r["verbs"], "nonResourceURLs": r["nonResourceURLs"]}));
            } else {
                let mut rule = json!({"verbs": r["verbs"], "apiGroups": r["apiGroups"], "resources": r["resources"]});
                if r["resourceNames"].is_array() {
                    rule["resourceNames"] = r["resourceNames"].clone();
                }
                resource_rules.push(rule);
            }
        }
    }
    json!({"resourceRules": resource_rules, "nonResourceRules": non_resource_rules, "incomplete": false})
}
