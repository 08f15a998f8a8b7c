//! Session tokens: random, given to the client once, stored only as a keyed hash.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::{Db, now_ms};
use crate::error::ApiError;
use crate::state::AppState;

/// The cookie Better Auth uses for the session token.
pub const COOKIE_NAME: &str = "better-auth.session_token";
/// Session lifetime (7 days), as Better Auth's default.
pub const SESSION_TTL_MS: i64 = 7 * 24 * 3600 * 1000;

/// A signed-in user, extracted from a cookie or `Authorization: Bearer`.
#[derive(Debug, Clone, Serialize)]
pub struct AuthUser {
    /// User id.
    pub id: i64,
    /// Email address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Milliseconds since epoch when the session expires.
    #[serde(skip)]
    pub expires_at: i64,
    /// Hash of the presented token (to sign out this session).
    #[serde(skip)]
    pub token_hash: String,
}

/// A new random session token.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a token: SHA-256 keyed with the auth secret.
pub fn token_hash(secret: &str, token: &str) -> String {
    let mut h = Sha256::new();
    h.update(secret.as_bytes());
    h.update(b":");
    h.update(token.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Creates a session row and returns the token for the client.
pub async fn create(db: &Db, secret: &str, user_id: i64) -> Result<(String, i64), ApiError> {
    let token = new_token();
    let expires_at = now_ms() + SESSION_TTL_MS;
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash(secret, &token))
    .bind(user_id)
    .bind(expires_at)
    .bind(now_ms())
    .execute(db)
    .await?;
    Ok((token, expires_at))
}

/// The token a request presents: bearer header first, then the session cookie.
pub fn presented_token(parts: &Parts) -> Option<String> {
    if let Some(v) = parts.headers.get(header::AUTHORIZATION)
        && let Ok(v) = v.to_str()
        && let Some(t) = v
            .strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
    {
        return Some(t.trim().to_string());
    }
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE_NAME)
        .map(|(_, v)| v.split('.').next().unwrap_or(v).to_string())
}

/// Looks up the user of a token; `None` when unknown or expired.
pub async fn lookup(db: &Db, secret: &str, token: &str) -> Result<Option<AuthUser>, ApiError> {
    let hash = token_hash(secret, token);
    let row: Option<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT u.id, u.email, u.name, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(&hash)
    .bind(now_ms())
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(id, email, name, expires_at)| AuthUser {
        id,
        email,
        name,
        expires_at,
        token_hash: hash,
    }))
}

/// Optional variant: handlers that work signed out (get-session) use this.
pub struct MaybeAuthUser(pub Option<AuthUser>);

impl FromRequestParts<AppState> for MaybeAuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(user) = parts.extensions.get::<AuthUser>() {
            return Ok(Self(Some(user.clone())));
        }
        match presented_token(parts) {
            None => Ok(Self(None)),
            Some(token) => Ok(Self(lookup(&state.db, &state.auth_secret, &token).await?)),
        }
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        MaybeAuthUser::from_request_parts(parts, state)
            .await?
            .0
            .ok_or_else(|| {
                ApiError::Unauthorized(
                    "not signed in: send the session cookie or `Authorization: Bearer <token>` from /api/auth/sign-in/email".into(),
                )
            })
    }
}
