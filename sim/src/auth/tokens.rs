//! Bearer-token authentication (an admin and a read-only viewer) and impersonation
//! (`--as`, `--as-group`): the caller must be allowed to impersonate, as on a real server.

use axum::http::HeaderMap;

use super::{Attributes, UserInfo, forbidden, rbac};
use crate::status::ApiError;
use crate::store::Store;

/// The admin's user name (in `system:masters`: may do anything).
pub const ADMIN_USER: &str = "kubesim-admin";
/// The viewer's user name (bound to the `kubesim-viewer` ClusterRole: get, list, watch).
pub const VIEWER_USER: &str = "kubesim-viewer";

/// The tokens of a running emulator: the admin's, the viewer's, and the service-account
/// tokens issued through `serviceaccounts/token` (`kubectl create token`).
#[derive(Debug, Clone)]
pub struct Tokens {
    /// Admin token.
    pub admin: String,
    /// Read-only token.
    pub viewer: String,
    /// Issued token → (service account user name, expiry in Unix seconds).
    issued: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, (String, i64)>>>,
}

impl Tokens {
    /// Fresh random tokens.
    pub fn generate() -> Self {
        Self {
            admin: format!("admin-{}", crate::meta::uid()),
            viewer: format!("viewer-{}", crate::meta::uid()),
            issued: Default::default(),
        }
    }

    /// A new token for the service account `ns/name`, valid until `expires` (Unix seconds).
    pub fn issue(&self, ns: &str, name: &str, expires: i64) -> String {
        let token = format!("kubesim-sa-{}", crate::meta::uid());
        let user = format!("system:serviceaccount:{ns}:{name}");
        if let Ok(mut issued) = self.issued.lock() {
            issued.insert(token.clone(), (user, expires));
        }
        token
    }

    fn issued_user(&self, token: &str) -> Option<String> {
        let now = crate::meta::parse_rfc3339(&crate::meta::now()).unwrap_or(0);
        let issued = self.issued.lock().ok()?;
        issued
            .get(token)
            .filter(|(_, expires)| *expires > now)
            .map(|(user, _)| user.clone())
    }

    /// The token's user, or 401.
    pub fn identify(&self, headers: &HeaderMap) -> Result<UserInfo, ApiError> {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        match token {
            Some(t) if t == self.admin => Ok(UserInfo::new(ADMIN_USER, &["system:masters"])),
            Some(t) if t == self.viewer => Ok(UserInfo::new(VIEWER_USER, &[])),
            Some(t) => self
                .issued_user(t)
                .map(|user| UserInfo::new(&user, &[]))
                .ok_or(ApiError::Unauthorized),
            None => Err(ApiError::Unauthorized),
        }
    }

    /// The user a request acts as: the token's user, or the one it impersonates when the
    /// token's user may impersonate it.
    pub fn authenticate(&self, store: &Store, headers: &HeaderMap) -> Result<UserInfo, ApiError> {
        let caller = self.identify(headers)?;
        impersonated(store, &caller, headers)
    }
}

fn header_values<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a str> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect()
}

/// Applies `Impersonate-User`, `Impersonate-Group` and `Impersonate-Extra-*`.
fn impersonated(
    store: &Store,
    caller: &UserInfo,
    headers: &HeaderMap,
) -> Result<UserInfo, ApiError> {
    let user = header_values(headers, "impersonate-user");
    let groups = header_values(headers, "impersonate-group");
    let extras: Vec<(String, &str)> = headers
        .iter()
        .filter_map(|(k, v)| {
            let key = k.as_str().strip_prefix("impersonate-extra-")?;
            Some((key.to_string(), v.to_str().ok()?))
        })
        .collect();
    let Some(name) = user.first().copied() else {
        if groups.is_empty() && extras.is_empty() {
            return Ok(caller.clone());
        }
        return Err(ApiError::BadRequest(
            "requested impersonation of groups or extras without a user: add --as USER".into(),
        ));
    };
    let may = |verb: &str, resource: &str, group: &str, object: &str, ns: Option<&str>| {
        let mut a = Attributes::resource(verb, group, resource, ns);
        a.name = object.to_string();
        if rbac::authorize(store, caller, &a).allowed {
            Ok(())
        } else {
            Err(forbidden(caller, &a))
        }
    };
    match name
        .strip_prefix("system:serviceaccount:")
        .and_then(|rest| rest.split_once(':'))
    {
        Some((ns, sa)) => may("impersonate", "serviceaccounts", "", sa, Some(ns))?,
        None => may("impersonate", "users", "", name, None)?,
    }
    for g in &groups {
        may("impersonate", "groups", "", g, None)?;
    }
    for (key, _) in &extras {
        let mut a =
            Attributes::resource("impersonate", "authentication.k8s.io", "userextras", None);
        a.subresource = key.clone();
        if !rbac::authorize(store, caller, &a).allowed {
            return Err(forbidden(caller, &a));
        }
    }
    let mut out = UserInfo::new(name, &groups);
    for (key, value) in extras {
        out.extra.entry(key).or_default().push(value.to_string());
    }
    Ok(out)
}
