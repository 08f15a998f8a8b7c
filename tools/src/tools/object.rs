//! Any object named `KIND/NAME`: its kind found by the API server's discovery, its API in the
//! session's namespace (or cluster-wide for cluster-scoped kinds), and what a change did to it
//! as a diff without the fields the server bumps on every write. Shared by the tools that
//! change arbitrary objects.

use kube::api::{Api, DynamicObject};
use kube::discovery::ApiResource;
use serde_json::Value;

use super::diff_values::json_diff;
use crate::served_kinds::ServedKinds;
use crate::tool::{ToolContext, ToolError};

/// An object to change: its API and name.
pub(crate) struct Target {
    /// The API of its kind, in the session's namespace when the kind is namespaced.
    pub api: Api<DynamicObject>,
    /// Its name.
    pub name: String,
}

/// The API for `resource`, namespaced in the session's namespace when it is.
pub(crate) fn api_for(
    ctx: &ToolContext,
    resource: &ApiResource,
    namespaced: bool,
) -> Api<DynamicObject> {
    if namespaced {
        Api::namespaced_with(ctx.cluster.client.clone(), &ctx.cluster.namespace, resource)
    } else {
        Api::all_with(ctx.cluster.client.clone(), resource)
    }
}

/// `KIND/NAME` resolved: the kind by kind, plural, singular or short name, any case.
pub(crate) async fn target(ctx: &ToolContext, object: &str) -> Result<Target, ToolError> {
    let Some((kind, name)) = object
        .split_once('/')
        .filter(|(k, n)| !k.is_empty() && !n.is_empty())
    else {
        return Err(ToolError::Retry(format!(
            "{object:?} is not KIND/NAME, e.g. deployment/web"
        )));
    };
    match ServedKinds::read(ctx).await?.find(kind) {
        Some((resource, namespaced)) => Ok(Target {
            api: api_for(ctx, resource, *namespaced),
            name: name.to_string(),
        }),
        None => Err(ToolError::Retry(format!(
            "the cluster serves no kind called {kind:?}; use a kind such as deployment, service, configmap"
        ))),
    }
}

/// An object as a person reads it: without managed fields and write counters, redacted, a
/// Secret's data masked (a new Secret's values are unknown to the redactor).
fn shown(ctx: &ToolContext, o: &DynamicObject) -> Value {
    let mut v = serde_json::to_value(o).unwrap_or_default();
    crate::redact::mask_secret_data(&mut v);
    if let Some(m) = v["metadata"].as_object_mut() {
        for k in ["managedFields", "resourceVersion", "generation"] {
            m.remove(k);
        }
    }
    ctx.redactor.redact_json(v)
}

/// The unified diff from `before` to `after` (either absent: created or deleted); empty when
/// nothing a person reads changed.
pub(crate) fn object_diff(
    ctx: &ToolContext,
    before: Option<&DynamicObject>,
    after: Option<&DynamicObject>,
    labels: (&str, &str),
) -> String {
    let b = before.map_or(Value::Null, |o| shown(ctx, o));
    let mut a = after.map_or(Value::Null, |o| shown(ctx, o));
    if let (Some(before), Some(after)) = (before, after) {
        mark_changed_secret_values(before, after, &mut a);
    }
    if a == b {
        String::new()
    } else {
        json_diff(&b, &a, labels)
    }
}

/// A Secret value that changed shows as changed, though both sides are masked.
fn mark_changed_secret_values(before: &DynamicObject, after: &DynamicObject, shown: &mut Value) {
    if shown["kind"] != "Secret" {
        return;
    }
    for key in ["data", "stringData"] {
        let (Some(old), Some(new)) = (before.data[key].as_object(), after.data[key].as_object())
        else {
            continue;
        };
        for (k, v) in new {
            if old.get(k).is_some_and(|o| o != v) {
                shown[key][k] = Value::String(format!("{} (changed)", crate::redact::MASK));
            }
        }
    }
}
