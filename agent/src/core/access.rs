//! What a change names and which permissions it needs, read from the call alone (no IO):
//! the objects whose versions the audit log records, and the access reviews the gate asks
//! the API server for before a person is asked.

use serde::Deserialize;
use serde_json::Value;
use todo_ops_tools::access::AccessRequest;
use todo_ops_tools::object_versions::{HELM_RELEASE, ObjectRef};

use crate::core::policy::{Call, Verb};

/// The objects a call names: the one its arguments name, or each document of a manifest
/// (read once, into [`Call::objects`]).
pub fn named_objects(facts: &Call, args: &Value) -> Vec<ObjectRef> {
    if let (Some(kind), Some(name)) = (&facts.kind, &facts.name) {
        return vec![ObjectRef {
            kind: kind.clone(),
            namespace: facts.namespace.clone(),
            name: name.clone(),
        }];
    }
    let Some(manifest) = args["manifest"].as_str() else {
        return Vec::new();
    };
    serde_norway::Deserializer::from_str(manifest)
        .filter_map(|d| Value::deserialize(d).ok())
        .filter_map(|doc| {
            Some(ObjectRef {
                kind: doc["kind"].as_str()?.to_ascii_lowercase(),
                namespace: doc["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or(&facts.namespace)
                    .to_string(),
                name: doc["metadata"]["name"].as_str()?.to_string(),
            })
        })
        .collect()
}

/// The permissions a change needs, one per object it names. The verbs are the ones the
/// tools send: changes are patches (server-side apply included), `scale` goes through the
/// scale subresource, `exec` creates `pods/exec`, and a Helm release writes its record as a
/// Secret in its namespace.
pub fn access_requests(facts: &Call) -> Vec<AccessRequest> {
    let verb = match facts.verb {
        Verb::Read => return Vec::new(),
        Verb::Delete => "delete",
        Verb::Exec => "create",
        Verb::Create | Verb::Update => "patch",
    };
    // A patch that re-creates its object deletes it, then creates it again.
    let recreates = facts.verb == Verb::Delete && facts.tool == "patch";
    let requests: Vec<AccessRequest> = facts
        .objects
        .iter()
        .map(|o| {
            if o.kind == HELM_RELEASE {
                return AccessRequest {
                    verb: "create".into(),
                    kind: "secrets".into(),
                    subresource: None,
                    namespace: o.namespace.clone(),
                    name: None,
                };
            }
            let subresource = match (facts.verb, facts.tool.as_str()) {
                (Verb::Exec, _) => Some("exec".to_string()),
                (_, "scale") => Some("scale".to_string()),
                _ => None,
            };
            AccessRequest {
                verb: verb.into(),
                kind: o.kind.clone(),
                subresource,
                namespace: o.namespace.clone(),
                name: Some(o.name.clone()),
            }
        })
        .collect();
    if !recreates {
        return requests;
    }
    requests
        .into_iter()
        .flat_map(|r| {
            let create = AccessRequest {
                verb: "create".into(),
                name: None,
                ..r.clone()
            };
            [r, create]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::policy::call_of;
    use serde_json::json;
    use todo_ops_tools::tools::find;

    fn requests(tool: &str, args: Value) -> Vec<AccessRequest> {
        let t = find(tool);
        let facts = call_of(tool, t.as_deref(), &args, "shop");
        access_requests(&facts)
    }

    #[test]
    fn a_re_create_asks_to_delete_and_to_create() {
        let r = requests(
            "patch",
            json!({"object": "persistentvolumeclaim/data", "patch": {}, "recreate": true}),
        );
        let asked: Vec<(&str, &str)> = r
            .iter()
            .map(|a| (a.verb.as_str(), a.kind.as_str()))
            .collect();
        assert_eq!(
            asked,
            [
                ("delete", "persistentvolumeclaim"),
                ("create", "persistentvolumeclaim")
            ]
        );
    }

    #[test]
    fn each_change_asks_for_the_permission_its_request_needs() {
        let scale = &requests("scale", json!({"deployment": "web", "replicas": 2}))[0];
        assert_eq!(
            (
                scale.verb.as_str(),
                scale.kind.as_str(),
                scale.subresource.as_deref()
            ),
            ("patch", "deployment", Some("scale"))
        );
        assert_eq!(scale.namespace, "shop");
        let exec = &requests(
            "exec",
            json!({"pod": "p", "command": ["ls"], "namespace": "x"}),
        )[0];
        assert_eq!(
            (
                exec.verb.as_str(),
                exec.kind.as_str(),
                exec.subresource.as_deref()
            ),
            ("create", "pod", Some("exec"))
        );
        assert_eq!(exec.namespace, "x");
        let del = &requests("delete", json!({"object": "configmap/c"}))[0];
        assert_eq!(
            (del.verb.as_str(), del.name.as_deref()),
            ("delete", Some("c"))
        );
        let helm = &requests("helm_upgrade", json!({"release": "r", "patch": {}}))[0];
        assert_eq!(
            (helm.verb.as_str(), helm.kind.as_str()),
            ("create", "secrets")
        );
        let manifest = "kind: ConfigMap\nmetadata:\n  name: a\n---\nkind: Service\nmetadata:\n  name: b\n  namespace: other\n";
        let applied = requests("apply", json!({"manifest": manifest}));
        let names: Vec<(&str, &str)> = applied
            .iter()
            .map(|r| (r.kind.as_str(), r.namespace.as_str()))
            .collect();
        assert_eq!(names, [("configmap", "shop"), ("service", "other")]);
        assert!(requests("list_pods", json!({})).is_empty());
    }
}
