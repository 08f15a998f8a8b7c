//! API errors as Kubernetes `Status` objects: the reason, code and details real clients match on.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// One field-level cause of a 422.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// `FieldValueInvalid`, `FieldValueRequired`, …
    pub reason: &'static str,
    /// The field path, e.g. `metadata.name`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// An API error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 404.
    #[error("{kind} \"{name}\" not found")]
    NotFound {
        /// Resource, e.g. `pods` or `deployments.apps`.
        kind: String,
        /// Object name.
        name: String,
    },
    /// 409 on create.
    #[error("{kind} \"{name}\" already exists")]
    AlreadyExists {
        /// Resource.
        kind: String,
        /// Object name.
        name: String,
    },
    /// 409 on a stale resourceVersion.
    #[error(
        "Operation cannot be fulfilled on {kind} \"{name}\": the object has been modified; please apply your changes to the latest version and try again"
    )]
    Conflict {
        /// Resource.
        kind: String,
        /// Object name.
        name: String,
    },
    /// 409 from server-side apply: fields another manager owns with other values.
    #[error("{}", crate::ownership::conflict_message(.0))]
    ApplyConflict(Vec<crate::ownership::Conflict>),
    /// 422.
    #[error("{kind} \"{name}\" is invalid: {}", causes.iter().map(|c| format!("{}: {}", c.field, c.message)).collect::<Vec<_>>().join(", "))]
    Invalid {
        /// Kind (e.g. `Deployment.apps`).
        kind: String,
        /// Object name.
        name: String,
        /// Field causes.
        causes: Vec<Cause>,
    },
    /// 400.
    #[error("{0}")]
    BadRequest(String),
    /// 401.
    #[error("Unauthorized")]
    Unauthorized,
    /// 403.
    #[error("{0}")]
    Forbidden(String),
    /// 405.
    #[error("the server does not allow this method on the requested resource")]
    MethodNotAllowed,
    /// 410 on a watch from a compacted resourceVersion.
    #[error("too old resource version: {requested} ({oldest})")]
    Gone {
        /// The version asked for.
        requested: u64,
        /// The oldest still known.
        oldest: u64,
    },
    /// 415.
    #[error("the body of the request was in an unknown format - accepted media types include: {0}")]
    UnsupportedMediaType(String),
    /// 500.
    #[error("{0}")]
    Internal(String),
    /// 429: an eviction the pod's disruption budget does not allow now.
    #[error("Cannot evict pod as it would violate the pod's disruption budget.")]
    DisruptionBudget {
        /// The budget.
        budget: String,
        /// Healthy pods it needs.
        desired: i64,
        /// Healthy pods there are.
        current: i64,
    },
}

impl ApiError {
    fn parts(&self) -> (u16, &'static str) {
        match self {
            Self::NotFound { .. } => (404, "NotFound"),
            Self::AlreadyExists { .. } => (409, "AlreadyExists"),
            Self::Conflict { .. } | Self::ApplyConflict(_) => (409, "Conflict"),
            Self::Invalid { .. } => (422, "Invalid"),
            Self::BadRequest(_) => (400, "BadRequest"),
            Self::Unauthorized => (401, "Unauthorized"),
            Self::Forbidden(_) => (403, "Forbidden"),
            Self::MethodNotAllowed => (405, "MethodNotAllowed"),
            Self::Gone { .. } => (410, "Expired"),
            Self::UnsupportedMediaType(_) => (415, "UnsupportedMediaType"),
            Self::Internal(_) => (500, "InternalError"),
            Self::DisruptionBudget { .. } => (429, "TooManyRequests"),
        }
    }

    /// HTTP status code.
    pub fn code(&self) -> u16 {
        self.parts().0
    }

    /// The `Status` object.
    pub fn to_status(&self) -> Value {
        let (code, reason) = self.parts();
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.to_string(),
            "reason": reason,
            "code": code,
        });
        let details = match self {
            Self::NotFound { kind, name }
            | Self::AlreadyExists { kind, name }
            | Self::Conflict { kind, name } => {
                let (k, g) = kind.split_once('.').unwrap_or((kind, ""));
                Some(json!({"name": name, "group": g, "kind": k}))
            }
            Self::Invalid { kind, name, causes } => {
                let (k, g) = kind.split_once('.').unwrap_or((kind, ""));
                Some(json!({
                    "name": name, "group": g, "kind": k,
                    "causes": causes.iter().map(|c| json!({"reason": c.reason, "message": c.message, "field": c.field})).collect::<Vec<_>>(),
                }))
            }
            Self::DisruptionBudget {
                budget,
                desired,
                current,
            } => Some(json!({
                "causes": [{
                    "reason": "DisruptionBudget",
                    "message": format!("The disruption budget {budget} needs {desired} healthy pods and has {current} currently"),
                }],
            })),
            Self::ApplyConflict(conflicts) => Some(json!({
                "causes": conflicts.iter().map(|c| json!({
                    "reason": "FieldManagerConflict",
                    "message": format!("conflict with {}", c.manager),
                    "field": c.field,
                })).collect::<Vec<_>>(),
            })),
            _ => None,
        };
        if let Some(d) = details {
            status["details"] = d;
        }
        status
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = StatusCode::from_u16(self.code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (code, Json(self.to_status())).into_response()
    }
}
