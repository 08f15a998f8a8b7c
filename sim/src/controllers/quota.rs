//! The ResourceQuota controller: keeps each quota's `status.hard` and `status.used` current,
//! as `kubectl describe quota` shows them.

use crate::admission::quota;
use crate::resources::{NAMESPACE, RESOURCE_QUOTA};
use crate::store::{Store, UpdateScope};

/// One pass over every quota.
pub fn reconcile(store: &Store) {
    for ns in store.all_shared(&NAMESPACE) {
        let ns = ns["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        for q in crate::admission::View::list(store, &RESOURCE_QUOTA, &ns) {
            let status = quota::status(store, &q);
            if q["status"] == status {
                continue;
            }
            let name = q["metadata"]["name"].as_str().unwrap_or_default();
            let mut next = q.clone();
            next["status"] = status;
            let _ = store.update(&RESOURCE_QUOTA, &ns, name, next, UpdateScope::Status);
        }
    }
}
