//! The namespace controller: a deleted namespace stays `Terminating` for a moment (new
//! content is refused), then its contents and the namespace itself are removed.

use std::time::Duration;

use super::ControllerConfig;
use crate::meta::{now, parse_rfc3339};
use crate::resources::NAMESPACE;
use crate::store::Store;

/// How long a real namespace controller typically takes to empty a namespace.
const TERMINATION: Duration = Duration::from_secs(2);

/// One pass: removes the namespaces whose termination time has passed.
pub fn reconcile(store: &Store, cfg: &ControllerConfig) {
    let now = parse_rfc3339(&now()).unwrap_or(0);
    let wait = cfg.scaled(TERMINATION).as_secs() as i64;
    for ns in store.all_shared(&NAMESPACE) {
        let Some(since) = ns["metadata"]["deletionTimestamp"]
            .as_str()
            .and_then(parse_rfc3339)
        else {
            continue;
        };
        if now - since >= wait {
            let name = ns["metadata"]["name"].as_str().unwrap_or_default();
            let _ = store.delete(&NAMESPACE, "", name);
        }
    }
}
