//! `/api/auth/*` endpoints in the shape of Better Auth's email provider.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::session::{self, AuthUser, COOKIE_NAME, MaybeAuthUser, SESSION_TTL_MS};
use super::{password, rate_limit};
use crate::db::now_ms;
use crate::error::ApiError;
use crate::state::AppState;

/// The auth routes, mounted under `/api/auth`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-up/email", post(sign_up))
        .route("/sign-in/email", post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/get-session", get(get_session))
}

#[derive(Debug, Deserialize)]
struct SignUp {
    email: String,
    password: String,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SignIn {
    email: String,
    password: String,
}

const MIN_PASSWORD: usize = 8;
const MAX_PASSWORD: usize = 128;

fn normalise_email(email: &str) -> Result<String, ApiError> {
    let email = email.trim().to_ascii_lowercase();
    // One `@`; a local part of visible characters; a domain of dot-separated labels of
    // letters, digits and hyphens (no space anywhere, no empty label, a dot at least once).
    let label_ok = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let valid = email.len() <= 254
        && email.matches('@').count() == 1
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && local.len() <= 64
                && local.chars().all(|c| c.is_ascii_graphic() || !c.is_ascii())
                && !local.chars().any(char::is_whitespace)
                && domain.contains('.')
                && domain.split('.').all(label_ok)
        });
    if !valid {
        return Err(ApiError::Unprocessable(format!(
            "email {email:?} is not a valid address"
        )));
    }
    Ok(email)
}

fn user_json(id: i64, email: &str, name: &str) -> Value {
    json!({"id": id.to_string(), "email": email, "name": name, "emailVerified": false})
}

fn with_session_cookie(state: &AppState, body: Value, token: &str) -> Response {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let cookie = format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        SESSION_TTL_MS / 1000
    );
    let mut resp = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

async fn sign_up(
    State(state): State<AppState>,
    Json(req): Json<SignUp>,
) -> Result<Response, ApiError> {
    let email = normalise_email(&req.email)?;
    let len = req.password.chars().count();
    if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&len) {
        return Err(ApiError::Unprocessable(format!(
            "password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long"
        )));
    }
    // Spaces inside a passphrase are fine; a password of nothing but spaces is none.
    if req.password.trim().is_empty() {
        return Err(ApiError::Unprocessable(
            "password must contain more than spaces".into(),
        ));
    }
    let name = req
        .name
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_string());
    if name.chars().count() > 100 {
        return Err(ApiError::Unprocessable(
            "name must be at most 100 characters".into(),
        ));
    }
    let hash = password::hash(req.password).await?;
    let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO users (email, name, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(&email)
    .bind(&name)
    .bind(&hash)
    .bind(now_ms())
    .fetch_one(&state.db)
    .await;
    let id = match inserted {
        Ok(id) => id,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(ApiError::Conflict(format!(
                "an account for {email} already exists; sign in instead"
            )));
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!(user_id = id, "user signed up");
    let (token, _) = session::create(&state.db, &state.auth_secret, id).await?;
    Ok(with_session_cookie(
        &state,
        json!({"token": token, "user": user_json(id, &email, &name)}),
        &token,
    ))
}

/// Who is signing in: the address our frontend proxy saw (the last `X-Forwarded-For` hop),
/// else the connection's peer. A forged header only moves a guesser between per-client
/// counts; the per-account count still bounds them.
fn client_of(headers: &HeaderMap, peer: Option<std::net::SocketAddr>) -> String {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|h| !h.is_empty())
        .map(str::to_string)
        .or_else(|| peer.map(|p| p.ip().to_string()))
        .unwrap_or_default()
}

async fn sign_in(
    State(state): State<AppState>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    Json(req): Json<SignIn>,
) -> Result<Response, ApiError> {
    let email = normalise_email(&req.email)?;
    let client = client_of(&headers, peer.map(|p| p.0.0));
    let attempt = rate_limit::begin(&state.db, &email, &client).await?;
    let row: Option<(i64, String, String)> =
        sqlx::query_as("SELECT id, name, password_hash FROM users WHERE email = $1")
            .bind(&email)
            .fetch_optional(&state.db)
            .await?;
    let user = match row {
        Some((id, name, hash)) => password::verify(req.password, hash)
            .await?
            .then_some((id, name)),
        None => {
            password::verify_nobody(req.password).await?;
            None
        }
    };
    if user.is_some() {
        rate_limit::succeeded(&state.db, attempt).await?;
    }
    let Some((id, name)) = user else {
        return Err(ApiError::Unauthorized("invalid email or password".into()));
    };
    let (token, _) = session::create(&state.db, &state.auth_secret, id).await?;
    Ok(with_session_cookie(
        &state,
        json!({"redirect": false, "token": token, "user": user_json(id, &email, &name)}),
        &token,
    ))
}

async fn sign_out(State(state): State<AppState>, user: AuthUser) -> Result<Response, ApiError> {
    // Cross-site forms are refused for every route in one place (`csrf::guard`).
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(&user.token_hash)
        .execute(&state.db)
        .await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "better-auth.session_token=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
        ),
    );
    Ok((headers, Json(json!({"success": true}))).into_response())
}

async fn get_session(MaybeAuthUser(user): MaybeAuthUser) -> Json<Value> {
    Json(match user {
        None => Value::Null,
        Some(u) => json!({
            "session": {"userId": u.id.to_string(), "expiresAt": u.expires_at},
            "user": user_json(u.id, &u.email, &u.name),
        }),
    })
}
