//! Fields the API server refuses to change on update, with its messages (clients and the
//! agent's analyzers read them): a PersistentVolumeClaim's spec past its size and binding,
//! and a workload's selector.

use serde_json::Value;

use crate::resources::{DAEMON_SET, DEPLOYMENT, PVC, REPLICA_SET, ResourceType, STATEFUL_SET};
use crate::status::{ApiError, Cause};

/// Whether `next` may replace `before`; the 422 the API server gives when not.
pub fn check(rt: &'static ResourceType, before: &Value, next: &Value) -> Result<(), ApiError> {
    let name = before["metadata"]["name"].as_str().unwrap_or_default();
    let cause = |field: &str, message: String| ApiError::Invalid {
        kind: crate::store::qualified_kind(rt),
        name: name.to_string(),
        causes: vec![Cause {
            reason: if message.starts_with("Forbidden") {
                "FieldValueForbidden"
            } else {
                "FieldValueInvalid"
            },
            field: field.to_string(),
            message,
        }],
    };
    if std::ptr::eq(rt, &PVC) && !claim_spec_change_allowed(&before["spec"], &next["spec"]) {
        return Err(cause(
            "spec",
            "Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims".into(),
        ));
    }
    let workloads: [&ResourceType; 4] = [&DEPLOYMENT, &REPLICA_SET, &STATEFUL_SET, &DAEMON_SET];
    if workloads.iter().any(|w| std::ptr::eq(rt, *w))
        && before["spec"]["selector"].is_object()
        && next["spec"]["selector"] != before["spec"]["selector"]
    {
        return Err(cause(
            "spec.selector",
            format!(
                "Invalid value: {}: field is immutable",
                next["spec"]["selector"]
            ),
        ));
    }
    Ok(())
}

/// A claim's spec may only grow its request, change its attributes class, be bound to a
/// volume, or get a class it never had (the default class, assigned retroactively).
fn claim_spec_change_allowed(before: &Value, next: &Value) -> bool {
    let mut a = before.clone();
    let mut b = next.clone();
    for spec in [&mut a, &mut b] {
        if let Some(m) = spec.as_object_mut() {
            m.remove("resources");
            m.remove("volumeAttributesClassName");
        }
    }
    if before["volumeName"].as_str().unwrap_or_default().is_empty()
        && let Some(m) = b.as_object_mut()
    {
        m.remove("volumeName");
        if let Some(m) = a.as_object_mut() {
            m.remove("volumeName");
        }
    }
    if before["storageClassName"].is_null() {
        for spec in [&mut a, &mut b] {
            if let Some(m) = spec.as_object_mut() {
                m.remove("storageClassName");
            }
        }
    }
    a == b
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_claim_keeps_its_class_and_modes_but_may_grow_and_bind() {
        let before = json!({"metadata": {"name": "data"}, "spec": {
            "accessModes": ["ReadWriteOnce"], "storageClassName": "fast",
            "resources": {"requests": {"storage": "1Gi"}}}});
        let mut grown = before.clone();
        grown["spec"]["resources"]["requests"]["storage"] = json!("2Gi");
        grown["spec"]["volumeName"] = json!("pvc-1");
        assert!(check(&PVC, &before, &grown).is_ok());
        let mut other_class = before.clone();
        other_class["spec"]["storageClassName"] = json!("standard");
        let e = check(&PVC, &before, &other_class).unwrap_err().to_string();
        assert_eq!(
            e,
            "PersistentVolumeClaim \"data\" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"
        );
        let unclassed =
            json!({"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}});
        let mut classed = unclassed.clone();
        classed["spec"]["storageClassName"] = json!("standard");
        assert!(
            check(&PVC, &unclassed, &classed).is_ok(),
            "retroactive default class"
        );
    }

    #[test]
    fn a_deployment_keeps_its_selector() {
        let before = json!({"metadata": {"name": "web"}, "spec": {"selector": {"matchLabels": {"app": "web"}}, "replicas": 1}});
        let mut scaled = before.clone();
        scaled["spec"]["replicas"] = json!(3);
        assert!(check(&DEPLOYMENT, &before, &scaled).is_ok());
        let mut moved = before.clone();
        moved["spec"]["selector"]["matchLabels"]["app"] = json!("api");
        let e = check(&DEPLOYMENT, &before, &moved).unwrap_err().to_string();
        assert!(
            e.starts_with("Deployment.apps \"web\" is invalid: spec.selector: Invalid value:")
                && e.ends_with("field is immutable"),
            "{e}"
        );
    }
}
