//! A Role short of one verb: the Role bound to a ServiceAccount (through a RoleBinding of
//! its namespace) that has a rule naming the refused resource gets the refused verb in that
//! rule, nothing wider — no new resource, group, Role or ClusterRole.

use serde_json::{Value, json};

use super::{change, name};
use crate::repair::FieldChange;
use crate::snapshot::Snapshot;

/// The refused request: who, and what.
pub struct Refusal<'a> {
    /// The ServiceAccount (namespace, name).
    pub account: (&'a str, &'a str),
    /// The verb.
    pub verb: &'a str,
    /// The resource, with its subresource.
    pub resource: &'a str,
    /// The API group (empty for the core group).
    pub group: &'a str,
}

/// The change that adds the verb to the one rule that names the resource, in a Role bound
/// to the account; None when no bound Role names the resource (what to grant is then a
/// person's decision).
pub fn grant_missing_verb(snap: &Snapshot, r: &Refusal) -> Option<FieldChange> {
    let bound_roles: Vec<&str> = snap
        .kinds
        .role_bindings
        .iter()
        .filter(|b| b["roleRef"]["kind"] == "Role")
        .filter(|b| {
            b["subjects"].as_array().into_iter().flatten().any(|s| {
                s["kind"] == "ServiceAccount"
                    && s["name"] == r.account.1
                    && s["namespace"].as_str().unwrap_or(&snap.namespace) == r.account.0
            })
        })
        .filter_map(|b| b["roleRef"]["name"].as_str())
        .collect();
    let names = |rule: &Value, key: &str, want: &str| {
        rule[key]
            .as_array()
            .is_some_and(|l| l.iter().any(|v| v == want || v == "*"))
    };
    for role in snap
        .kinds
        .roles
        .iter()
        .filter(|ro| bound_roles.contains(&name(ro)))
    {
        let rules = role["rules"].as_array()?;
        let Some(i) = rules.iter().position(|rule| {
            names(rule, "resources", r.resource) && names(rule, "apiGroups", r.group)
        }) else {
            continue;
        };
        let mut proposed = rules.clone();
        let verbs = proposed[i]["verbs"].as_array_mut()?;
        if verbs.iter().any(|v| v == r.verb || v == "*") {
            return None;
        }
        verbs.push(json!(r.verb));
        let object = format!("role/{}", name(role));
        return Some(change(
            &object,
            "rules",
            Value::Array(rules.clone()),
            Value::Array(proposed),
            format!(
                "the API server refused {:?} on {:?}; only that verb is added to the rule of {object} that names {:?}",
                r.verb, r.resource, r.resource
            ),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(verbs: Value) -> Snapshot {
        let mut s = Snapshot {
            namespace: "audit".into(),
            ..Default::default()
        };
        s.kinds.roles = vec![json!({"metadata": {"name": "pod-reader"}, "rules": [
            {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]},
            {"apiGroups": [""], "resources": ["pods"], "verbs": verbs}]})];
        s.kinds.role_bindings = vec![json!({"metadata": {"name": "b"},
            "roleRef": {"kind": "Role", "name": "pod-reader"},
            "subjects": [{"kind": "ServiceAccount", "name": "watcher", "namespace": "audit"}]})];
        s
    }

    #[test]
    fn the_refused_verb_joins_the_rule_of_its_resource_only() {
        let r = Refusal {
            account: ("audit", "watcher"),
            verb: "list",
            resource: "pods",
            group: "",
        };
        let c = grant_missing_verb(&snap(json!(["get"])), &r).unwrap();
        assert_eq!(c.object, "role/pod-reader");
        let p = c.proposed.unwrap();
        assert_eq!(p[1]["verbs"], json!(["get", "list"]));
        assert_eq!(p[0]["verbs"], json!(["get"]), "the other rule is kept");
        // Already allowed, another account, or a resource no rule names: no change.
        assert!(grant_missing_verb(&snap(json!(["get", "list"])), &r).is_none());
        let other = Refusal {
            account: ("audit", "someone"),
            ..r
        };
        assert!(grant_missing_verb(&snap(json!(["get"])), &other).is_none());
        let secrets = Refusal {
            resource: "secrets",
            ..r
        };
        assert!(grant_missing_verb(&snap(json!(["get"])), &secrets).is_none());
    }
}
