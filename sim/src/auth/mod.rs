//! Who is calling and what they may do: bearer tokens, impersonation, and RBAC evaluated
//! from the Roles, ClusterRoles and bindings in the store, with the API server's messages.

pub mod bootstrap;
pub mod rbac;
pub mod tokens;

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::status::ApiError;

/// An authenticated user, as `auth whoami` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    /// The user name (`system:serviceaccount:NS:NAME` for a service account).
    pub name: String,
    /// The groups.
    pub groups: Vec<String>,
    /// Extra attributes (impersonated with `Impersonate-Extra-*`).
    pub extra: BTreeMap<String, Vec<String>>,
}

impl UserInfo {
    /// A user with the groups every authenticated user has added.
    pub fn new(name: &str, groups: &[&str]) -> Self {
        let mut groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        if let Some((ns, _)) = name
            .strip_prefix("system:serviceaccount:")
            .and_then(|rest| rest.split_once(':'))
        {
            for g in [
                "system:serviceaccounts".to_string(),
                format!("system:serviceaccounts:{ns}"),
            ] {
                if !groups.contains(&g) {
                    groups.push(g);
                }
            }
        }
        if !groups.iter().any(|g| g == "system:authenticated") {
            groups.push("system:authenticated".into());
        }
        Self {
            name: name.to_string(),
            groups,
            extra: BTreeMap::new(),
        }
    }

    /// `status.userInfo` of a SelfSubjectReview.
    pub fn to_json(&self) -> Value {
        let mut v = json!({"username": self.name, "groups": self.groups});
        if !self.extra.is_empty() {
            v["extra"] = json!(self.extra);
        }
        v
    }
}

/// What a request asks to do, as authorizers see it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    /// get, list, watch, create, update, patch, delete, deletecollection, impersonate, …
    pub verb: String,
    /// API group ("" for core).
    pub group: String,
    /// Plural resource (empty for a non-resource request).
    pub resource: String,
    /// Subresource, if any.
    pub subresource: String,
    /// Object name, if any.
    pub name: String,
    /// Namespace, if any.
    pub namespace: Option<String>,
    /// The path of a non-resource request (`/version`, `/healthz`).
    pub path: Option<String>,
}

impl Attributes {
    /// A resource request.
    pub fn resource(verb: &str, group: &str, resource: &str, namespace: Option<&str>) -> Self {
        Self {
            verb: verb.into(),
            group: group.into(),
            resource: resource.into(),
            namespace: namespace.map(str::to_string),
            ..Self::default()
        }
    }

    /// `pods` or `pods/log`.
    pub fn resource_path(&self) -> String {
        if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        }
    }
}

/// The 403 a real API server gives: `pods "web" is forbidden: User "alice" cannot get
/// resource "pods" in API group "" in the namespace "shop"`.
pub fn forbidden(user: &UserInfo, a: &Attributes) -> ApiError {
    if let Some(path) = &a.path {
        return ApiError::Forbidden(format!(
            "forbidden: User \"{}\" cannot {} path \"{path}\"",
            user.name, a.verb
        ));
    }
    let qualified = if a.group.is_empty() {
        a.resource.clone()
    } else {
        format!("{}.{}", a.resource, a.group)
    };
    let subject = if a.name.is_empty() {
        qualified
    } else {
        format!("{qualified} \"{}\"", a.name)
    };
    let scope = match &a.namespace {
        Some(ns) if !ns.is_empty() => format!("in the namespace \"{ns}\""),
        _ => "at the cluster scope".to_string(),
    };
    ApiError::Forbidden(format!(
        "{subject} is forbidden: User \"{}\" cannot {} resource \"{}\" in API group \"{}\" {scope}",
        user.name,
        a.verb,
        a.resource_path(),
        a.group
    ))
}
