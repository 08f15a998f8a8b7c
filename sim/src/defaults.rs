//! Defaulting on create, as the API server's defaulters do for the types kubesim runs.

use serde_json::{Value, json};

use crate::resources::ResourceType;

fn default(obj: &mut Value, key: &str, v: Value) {
    if obj.get(key).is_none_or(Value::is_null) {
        obj[key] = v;
    }
}

fn pod_spec(spec: &mut Value) {
    default(spec, "restartPolicy", json!("Always"));
    default(spec, "terminationGracePeriodSeconds", json!(30));
    default(spec, "dnsPolicy", json!("ClusterFirst"));
    default(spec, "schedulerName", json!("default-scheduler"));
    default(spec, "securityContext", json!({}));
    for list in ["initContainers", "containers"] {
        for c in spec
            .get_mut(list)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let image = c["image"].as_str().unwrap_or_default().to_string();
            let latest = !image.rsplit('/').next().unwrap_or_default().contains(':')
                || image.ends_with(":latest");
            default(
                c,
                "imagePullPolicy",
                json!(if latest { "Always" } else { "IfNotPresent" }),
            );
            default(c, "terminationMessagePath", json!("/dev/termination-log"));
            default(c, "terminationMessagePolicy", json!("File"));
            for p in c
                .get_mut("ports")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                default(p, "protocol", json!("TCP"));
            }
        }
    }
}

/// Fills the defaults of a new object.
pub fn on_create(rt: &ResourceType, obj: &mut Value, service_ip: impl FnOnce() -> String) {
    match (rt.group, rt.kind) {
        ("", "Namespace") => {
            obj["status"] = json!({"phase": "Active"});
            let name = obj["metadata"]["name"].clone();
            obj["metadata"]["labels"]["kubernetes.io/metadata.name"] = name;
        }
        ("", "Pod") => {
            pod_spec(&mut obj["spec"]);
            obj["status"] = json!({"phase": "Pending", "qosClass": "Burstable"});
        }
        ("apps", "Deployment") | ("apps", "ReplicaSet") | ("apps", "StatefulSet") => {
            let spec = &mut obj["spec"];
            default(spec, "replicas", json!(1));
            if rt.kind == "Deployment" {
                default(
                    spec,
                    "strategy",
                    json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}),
                );
                if spec["strategy"]["type"] == "RollingUpdate" {
                    default(
                        &mut spec["strategy"],
                        "rollingUpdate",
                        json!({"maxSurge": "25%", "maxUnavailable": "25%"}),
                    );
                }
                default(spec, "revisionHistoryLimit", json!(10));
                default(spec, "progressDeadlineSeconds", json!(600));
            }
            if spec["template"]["spec"].is_object() {
                pod_spec(&mut spec["template"]["spec"]);
            }
            obj["status"] = json!({});
        }
        ("", "Service") => {
            let spec = &mut obj["spec"];
            default(spec, "type", json!("ClusterIP"));
            default(spec, "sessionAffinity", json!("None"));
            if spec.get("clusterIP").is_none_or(Value::is_null) {
                let ip = service_ip();
                spec["clusterIP"] = json!(ip);
                spec["clusterIPs"] = json!([ip]);
            }
            default(spec, "ipFamilies", json!(["IPv4"]));
            for p in spec
                .get_mut("ports")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                default(p, "protocol", json!("TCP"));
                let port = p["port"].clone();
                default(p, "targetPort", port);
            }
            obj["status"] = json!({"loadBalancer": {}});
        }
        _ => {}
    }
}

/// What the API server does on every write, not only on create: a Secret's `stringData` is
/// write-only, merged into `data` (base64) and never stored.
pub fn on_write(rt: &ResourceType, obj: &mut Value) {
    if (rt.group, rt.kind) != ("", "Secret") {
        return;
    }
    use base64::Engine;
    let Some(string_data) = obj.as_object_mut().and_then(|o| o.remove("stringData")) else {
        return;
    };
    if !obj["data"].is_object() {
        obj["data"] = json!({});
    }
    for (k, v) in string_data.as_object().into_iter().flatten() {
        let text = v.as_str().unwrap_or_default();
        obj["data"][k] = json!(base64::engine::general_purpose::STANDARD.encode(text));
    }
}
