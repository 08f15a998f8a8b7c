//! The ServiceAccount controller: every active namespace has a `default` ServiceAccount,
//! as on a real cluster (pods that name no account run as it), and the `kube-root-ca.crt`
//! ConfigMap with the API server's CA, which in-cluster clients verify it with.

use serde_json::json;

use crate::resources::{CONFIG_MAP, NAMESPACE, SERVICE_ACCOUNT};
use crate::status::ApiError;
use crate::store::Store;

/// The ConfigMap every namespace gets with the cluster's CA.
pub const ROOT_CA_CONFIG_MAP: &str = "kube-root-ca.crt";

/// One pass: creates a missing `default` ServiceAccount and root CA ConfigMap in each active
/// namespace.
pub fn reconcile(store: &Store, root_ca_pem: &str) {
    for ns in store.all_shared(&NAMESPACE) {
        let Some(name) = ns["metadata"]["name"].as_str() else {
            continue;
        };
        if ns["metadata"]["deletionTimestamp"].is_string() {
            continue;
        }
        if let Err(ApiError::NotFound { .. }) = store.get(&SERVICE_ACCOUNT, name, "default") {
            let _ = store.create(
                &SERVICE_ACCOUNT,
                name,
                json!({"metadata": {"name": "default"}}),
            );
        }
        if !root_ca_pem.is_empty()
            && let Err(ApiError::NotFound { .. }) = store.get(&CONFIG_MAP, name, ROOT_CA_CONFIG_MAP)
        {
            let _ = store.create(
                &CONFIG_MAP,
                name,
                json!({"metadata": {"name": ROOT_CA_CONFIG_MAP}, "data": {"ca.crt": root_ca_pem}}),
            );
        }
    }
}
