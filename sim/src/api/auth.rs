//! Bearer-token authentication with two identities: an admin, and a viewer that may only read.

use axum::http::{HeaderMap, Method};

use crate::status::ApiError;

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// May do anything.
    Admin,
    /// May get, list and watch.
    Viewer,
}

/// The user names the two identities report.
pub const ADMIN_USER: &str = "kubesim-admin";
/// The viewer's user name.
pub const VIEWER_USER: &str = "kubesim-viewer";

/// The two tokens of a running emulator.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// Admin token.
    pub admin: String,
    /// Read-only token.
    pub viewer: String,
}

impl Tokens {
    /// Fresh random tokens.
    pub fn generate() -> Self {
        Self {
            admin: format!("admin-{}", crate::meta::uid()),
            viewer: format!("viewer-{}", crate::meta::uid()),
        }
    }

    /// The caller's identity, or 401.
    pub fn identify(&self, headers: &HeaderMap) -> Result<Identity, ApiError> {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        match token {
            Some(t) if t == self.admin => Ok(Identity::Admin),
            Some(t) if t == self.viewer => Ok(Identity::Viewer),
            _ => Err(ApiError::Unauthorized),
        }
    }
}

/// The Kubernetes verb of a request.
pub fn verb(method: &Method, has_name: bool, watch: bool) -> &'static str {
    match *method {
        Method::GET if watch => "watch",
        Method::GET if has_name => "get",
        Method::GET => "list",
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE if has_name => "delete",
        Method::DELETE => "deletecollection",
        _ => "get",
    }
}

/// Whether the identity may perform the verb.
pub fn allowed(who: Identity, verb: &str) -> bool {
    who == Identity::Admin || matches!(verb, "get" | "list" | "watch")
}

/// The 403 a real API server gives.
pub fn forbidden(verb: &str, resource: &str, group: &str, namespace: Option<&str>) -> ApiError {
    let scope = match namespace {
        Some(ns) => format!("in the namespace \"{ns}\""),
        None => "at the cluster scope".to_string(),
    };
    ApiError::Forbidden(format!(
        "{res} is forbidden: User \"{VIEWER_USER}\" cannot {verb} resource \"{resource}\" in API group \"{group}\" {scope}",
        res = if group.is_empty() {
            resource.to_string()
        } else {
            format!("{resource}.{group}")
        }
    ))
}
