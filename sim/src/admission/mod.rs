//! Admission, as the API server runs it on every create, whoever sends it (a person, Helm,
//! or a controller creating pods): the default StorageClass, a pod's ServiceAccount and its
//! API credentials, LimitRange defaults and bounds, then ResourceQuota; on updates, a
//! claim's resize.
//! Failures are 403 Forbidden with the real plugins' messages, because agents read them.

pub mod limit_range;
pub mod pvc_resize;
pub mod quota;
pub mod service_account;
pub mod storage_class;

use serde_json::Value;

use crate::resources::ResourceType;
use crate::status::ApiError;

/// What admission may read: the objects of a type in a namespace.
pub trait View {
    /// Every object of `rt` in `ns`.
    fn list(&self, rt: &'static ResourceType, ns: &str) -> Vec<Value>;
}

/// Runs the admission plugins on a new object; may change it (defaults).
pub fn admit_create(
    view: &dyn View,
    rt: &'static ResourceType,
    ns: &str,
    name: &str,
    obj: &mut Value,
) -> Result<(), ApiError> {
    let forbidden = |why: String| {
        ApiError::Forbidden(format!("{} \"{name}\" is forbidden: {why}", rt.qualified()))
    };
    storage_class::admit(view, rt, obj);
    service_account::admit(view, rt, ns, obj).map_err(forbidden)?;
    limit_range::admit(view, rt, ns, obj).map_err(forbidden)?;
    quota::admit(view, rt, ns, obj).map_err(forbidden)
}

/// Runs the admission plugins that judge an update of `before` into `next`.
pub fn admit_update(
    view: &dyn View,
    rt: &'static ResourceType,
    name: &str,
    before: &Value,
    next: &Value,
) -> Result<(), ApiError> {
    pvc_resize::admit(view, rt, before, next).map_err(|why| {
        ApiError::Forbidden(format!("{} \"{name}\" is forbidden: {why}", rt.qualified()))
    })
}
