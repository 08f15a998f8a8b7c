//! Whether the acting identity may make a change, asked of the API server itself (a
//! SelfSubjectAccessReview) before anyone is asked to approve it: what RBAC would refuse is
//! never put to a person.

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};
use serde::{Deserialize, Serialize};

use crate::served_kinds::ServedKinds;
use crate::tool::ToolContext;

/// One permission a change needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequest {
    /// The API verb (`create`, `patch`, `delete`).
    pub verb: String,
    /// The kind as a call names it (kind, plural or singular).
    pub kind: String,
    /// A subresource (`scale`, `exec`).
    pub subresource: Option<String>,
    /// The namespace.
    pub namespace: String,
    /// The object's name, when the change names one.
    pub name: Option<String>,
}

impl AccessRequest {
    /// The permission in kubectl's words: `patch deployments/scale "web" in namespace "shop"`.
    fn describe(&self, resource: &str) -> String {
        let mut s = format!("{} {resource}", self.verb);
        if let Some(sub) = &self.subresource {
            s.push_str(&format!("/{sub}"));
        }
        if let Some(n) = &self.name {
            s.push_str(&format!(" {n:?}"));
        }
        format!("{s} in namespace {:?}", self.namespace)
    }
}

/// Asks the API server whether the session's identity may do `request`: `None` when it may
/// (or when the kind is not served or the review cannot be made: then the change itself is
/// the test), `Some(why)` when RBAC refuses, in words for the model.
pub async fn review(
    ctx: &ToolContext,
    served: &ServedKinds,
    request: &AccessRequest,
) -> Option<String> {
    let (resource, namespaced) = served.find(&request.kind)?;
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                group: Some(resource.group.clone()),
                resource: Some(resource.plural.clone()),
                subresource: request.subresource.clone(),
                verb: Some(request.verb.clone()),
                namespace: namespaced.then(|| request.namespace.clone()),
                name: request.name.clone(),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let api: Api<SelfSubjectAccessReview> = Api::all(ctx.cluster.client.clone());
    let answer = api.create(&PostParams::default(), &review).await.ok()?;
    let status = answer.status.filter(|s| !s.allowed)?;
    let reason = status
        .reason
        .filter(|r| !r.is_empty())
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    Some(format!(
        "{} may not {}: the API server's access review refuses it{reason}. Do not retry it or \
         work around it; tell the person which permission is missing (a Role granting it, bound \
         to this identity), or what a person with that permission should run",
        ctx.cluster.user,
        request.describe(&resource.plural),
    ))
}
