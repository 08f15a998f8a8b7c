//! A container's environment from literals, ConfigMaps and Secrets, with the kubelet's
//! CreateContainerConfigError messages when something is missing.

use base64::Engine;
use serde_json::Value;

use crate::resources::{CONFIG_MAP, SECRET};
use crate::store::Store;

fn decode_secret(v: &Value) -> String {
    let raw = v.as_str().unwrap_or_default();
    base64::engine::general_purpose::STANDARD
        .decode(raw)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

fn lookup(
    store: &Store,
    ns: &str,
    secret: bool,
    name: &str,
    key: &str,
    optional: bool,
) -> Result<Option<String>, String> {
    let (kind, rt) = if secret {
        ("secret", &SECRET)
    } else {
        ("configmap", &CONFIG_MAP)
    };
    let obj = match store.get(rt, ns, name) {
        Ok(o) => o,
        Err(_) if optional => return Ok(None),
        Err(_) => return Err(format!("{kind} \"{name}\" not found")),
    };
    let field = &obj["data"][key];
    if field.is_null() {
        if optional {
            return Ok(None);
        }
        let kind_title = if secret { "Secret" } else { "ConfigMap" };
        return Err(format!(
            "couldn't find key {key} in {kind_title} {ns}/{name}"
        ));
    }
    Ok(Some(if secret {
        decode_secret(field)
    } else {
        field.as_str().unwrap_or_default().to_string()
    }))
}

/// The environment of `container` in namespace `ns`, in order; later entries win.
pub fn resolve(
    store: &Store,
    ns: &str,
    container: &Value,
) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for from in container["envFrom"].as_array().into_iter().flatten() {
        let prefix = from["prefix"].as_str().unwrap_or_default();
        for (secret, key) in [(false, "configMapRef"), (true, "secretRef")] {
            let r = &from[key];
            let Some(name) = r["name"].as_str() else {
                continue;
            };
            let optional = r["optional"].as_bool().unwrap_or(false);
            let rt = if secret { &SECRET } else { &CONFIG_MAP };
            match store.get(rt, ns, name) {
                Ok(obj) => {
                    for (k, v) in obj["data"].as_object().into_iter().flatten() {
                        let value = if secret {
                            decode_secret(v)
                        } else {
                            v.as_str().unwrap_or_default().to_string()
                        };
                        out.push((format!("{prefix}{k}"), value));
                    }
                }
                Err(_) if optional => {}
                Err(_) => {
                    return Err(format!(
                        "{} \"{name}\" not found",
                        if secret { "secret" } else { "configmap" }
                    ));
                }
            }
        }
    }
    for e in container["env"].as_array().into_iter().flatten() {
        let Some(name) = e["name"].as_str() else {
            continue;
        };
        let value = if let Some(v) = e["value"].as_str() {
            Some(v.to_string())
        } else if let Some(r) = e["valueFrom"]["configMapKeyRef"].as_object() {
            lookup(
                store,
                ns,
                false,
                r.get("name").and_then(Value::as_str).unwrap_or_default(),
                r.get("key").and_then(Value::as_str).unwrap_or_default(),
                r.get("optional").and_then(Value::as_bool).unwrap_or(false),
            )?
        } else if let Some(r) = e["valueFrom"]["secretKeyRef"].as_object() {
            lookup(
                store,
                ns,
                true,
                r.get("name").and_then(Value::as_str).unwrap_or_default(),
                r.get("key").and_then(Value::as_str).unwrap_or_default(),
                r.get("optional").and_then(Value::as_bool).unwrap_or(false),
            )?
        } else {
            Some(String::new())
        };
        if let Some(v) = value {
            out.retain(|(k, _)| k != name);
            out.push((name.to_string(), v));
        }
    }
    Ok(out)
}
