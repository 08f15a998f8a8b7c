//! The ServiceAccount admission plugin: a pod must name an account that exists (the
//! `default` one is made by a controller and may lag a new namespace, so it is not
//! required), and unless the pod or its account opts out it gets the account's API
//! credentials: a projected `kube-api-access-…` volume (a token, the cluster CA, the
//! namespace) mounted read-only in every container where in-cluster clients look.

use serde_json::{Value, json};

use super::View;
use crate::resources::{POD, ResourceType, SERVICE_ACCOUNT};

/// Where in-cluster clients read the token, `ca.crt` and `namespace`.
pub const CREDENTIALS_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The token's lifetime as the API server sets it (an hour plus the clock skew allowance).
const TOKEN_SECONDS: i64 = 3607;

/// Checks and completes a new pod; the reason it is refused.
pub fn admit(
    view: &dyn View,
    rt: &'static ResourceType,
    ns: &str,
    pod: &mut Value,
) -> Result<(), String> {
    if !std::ptr::eq(rt, &POD) {
        return Ok(());
    }
    let account = pod["spec"]["serviceAccountName"]
        .as_str()
        .or(pod["spec"]["serviceAccount"].as_str())
        .filter(|a| !a.is_empty())
        .unwrap_or("default")
        .to_string();
    let found = view
        .list(&SERVICE_ACCOUNT, ns)
        .into_iter()
        .find(|a| a["metadata"]["name"] == account.as_str());
    if found.is_none() && account != "default" {
        return Err(format!(
            "error looking up service account {ns}/{account}: serviceaccount \"{account}\" not found"
        ));
    }
    let automount = pod["spec"]["automountServiceAccountToken"]
        .as_bool()
        .or_else(|| found.as_ref()?["automountServiceAccountToken"].as_bool())
        .unwrap_or(true);
    let containers = || {
        ["containers", "initContainers"]
            .into_iter()
            .flat_map(|k| pod["spec"][k].as_array().into_iter().flatten())
    };
    let mounted = containers().any(|c| {
        c["volumeMounts"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|m| m["mountPath"] == CREDENTIALS_PATH)
    });
    if !automount || mounted {
        return Ok(());
    }
    let volume = format!("kube-api-access-{}", crate::meta::suffix(5));
    let spec = &mut pod["spec"];
    if !spec["volumes"].is_array() {
        spec["volumes"] = json!([]);
    }
    if let Some(v) = spec["volumes"].as_array_mut() {
        v.push(
            json!({"name": volume, "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"expirationSeconds": TOKEN_SECONDS, "path": "token"}},
                {"configMap": {"name": crate::controllers::serviceaccounts::ROOT_CA_CONFIG_MAP,
                               "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace",
                    "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
            ]}}),
        );
    }
    for k in ["containers", "initContainers"] {
        for c in spec[k].as_array_mut().into_iter().flatten() {
            if !c["volumeMounts"].is_array() {
                c["volumeMounts"] = json!([]);
            }
            if let Some(m) = c["volumeMounts"].as_array_mut() {
                m.push(json!({"name": volume, "mountPath": CREDENTIALS_PATH, "readOnly": true}));
            }
        }
    }
    Ok(())
}
