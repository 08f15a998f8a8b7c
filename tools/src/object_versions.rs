//! The version of an object a change names, read before and after the change for the audit
//! log: its `resourceVersion`, or for a Helm release its latest revision (from the release
//! records Helm keeps as Secrets, read by label only).

use kube::api::{Api, ListParams};
use serde::{Deserialize, Serialize};

use crate::served_kinds::ServedKinds;
use crate::tool::ToolContext;

/// The kind `call_of` gives a Helm release.
pub const HELM_RELEASE: &str = "helmrelease";

/// One object a call names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectRef {
    /// Its kind as the call says it (`deployment`, `svc`, `helmrelease`, …).
    pub kind: String,
    /// Its namespace (ignored for cluster-scoped kinds).
    pub namespace: String,
    /// Its name.
    pub name: String,
}

/// The object's version now: `Some("rv 1234")`, `Some("revision 3")`, or `None` when it does
/// not exist (or cannot be read: the audit records what it can and never fails a call).
pub async fn version(
    ctx: &ToolContext,
    served: &ServedKinds,
    object: &ObjectRef,
) -> Option<String> {
    if object.kind == HELM_RELEASE {
        return release_revision(ctx, object).await;
    }
    let (resource, namespaced) = served.find(&object.kind)?;
    let api: Api<kube::api::DynamicObject> = if *namespaced {
        Api::namespaced_with(ctx.cluster.client.clone(), &object.namespace, resource)
    } else {
        Api::all_with(ctx.cluster.client.clone(), resource)
    };
    let found = api.get_opt(&object.name).await.ok()??;
    found
        .metadata
        .resource_version
        .map(|rv| format!("resourceVersion {rv}"))
}

/// The highest revision among the release's records (labels `owner=helm,name=NAME`).
async fn release_revision(ctx: &ToolContext, object: &ObjectRef) -> Option<String> {
    let api: Api<k8s_openapi::api::core::v1::Secret> =
        Api::namespaced(ctx.cluster.client.clone(), &object.namespace);
    let selector = format!("owner=helm,name={}", object.name);
    let list = api
        .list_metadata(&ListParams::default().labels(&selector))
        .await
        .ok()?;
    list.items
        .iter()
        .filter_map(|m| {
            m.metadata
                .labels
                .as_ref()?
                .get("version")?
                .parse::<u64>()
                .ok()
        })
        .max()
        .map(|v| format!("revision {v}"))
}
