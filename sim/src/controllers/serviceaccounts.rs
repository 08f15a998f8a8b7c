//! The ServiceAccount controller: every active namespace has a `default` ServiceAccount,
//! as on a real cluster (pods that name no account run as it).

use serde_json::json;

use crate::resources::{NAMESPACE, SERVICE_ACCOUNT};
use crate::status::ApiError;
use crate::store::Store;

/// One pass: creates a missing `default` ServiceAccount in each active namespace.
pub fn reconcile(store: &Store) {
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
    }
}
