//! The backend: routes, state and the process lifecycle.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use serde_json::json;

use crate::chat::{ChatEngine, routes::chat};
use crate::config::{BackendConfig, redact_database_url};
use crate::db::{self, RetryPolicy};
use crate::metrics::{self, Metrics};
use crate::state::AppState;
use crate::{auth, error, mcp, shutdown, tasks};

/// Largest request body accepted (64 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Builds the whole backend router.
pub fn router(state: AppState) -> Router {
    let mcp = Router::new()
        .nest_service("/mcp", mcp::service(state.db.clone()))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            mcp::require_user,
        ));
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics_text))
        .nest("/api/auth", auth::routes::router())
        .nest("/api/tasks", tasks::routes::router())
        .route("/api/chat", post(chat).get(crate::chat::routes::latest))
        .with_state(state.clone())
        .merge(mcp)
        .layer(middleware::from_fn_with_state(
            state.draining.clone(),
            shutdown::close_connections_while_draining,
        ))
        .layer(middleware::from_fn(crate::input::reject_control_characters))
        .layer(middleware::from_fn(crate::csrf::guard))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(error::json_errors))
        .layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track,
        ))
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

async fn ready(State(s): State<AppState>) -> impl IntoResponse {
    if s.draining.is_draining() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "not ready", "reason": "shutting down: draining connections"})),
        );
    }
    match db::is_ready(&s.db).await {
        Ok(()) => (StatusCode::OK, Json(json!({"status": "ready"}))),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "not ready", "reason": reason})),
        ),
    }
}

async fn metrics_text(State(s): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.render(),
    )
}

/// Runs the backend until SIGTERM; the error is the one log line explaining why it stopped.
pub async fn run(cfg: BackendConfig) -> Result<(), String> {
    tracing::info!(
        port = cfg.port,
        database = %redact_database_url(&cfg.database_url),
        chat = if cfg.llm.is_some() { "openai" } else { "offline" },
        "starting todo-backend"
    );
    let pool = db::connect_and_migrate(
        &cfg.database_url,
        RetryPolicy {
            attempts: cfg.db_connect_attempts,
            ..RetryPolicy::default()
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    let chat = ChatEngine::from_config(cfg.llm.as_ref()).map_err(|e| e.to_string())?;
    let state = AppState {
        db: pool.clone(),
        auth_secret: Arc::from(cfg.auth_secret.as_str()),
        secure_cookies: cfg
            .auth_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://")),
        chat: Arc::new(chat),
        metrics: Arc::new(Metrics::default()),
        draining: shutdown::Draining::default(),
    };
    let listener = shutdown::bind(cfg.port).await?;
    tracing::info!(
        port = cfg.port,
        chat = state.chat.kind(),
        "todo-backend listening"
    );
    let draining = state.draining.clone();
    shutdown::serve(listener, router(state), cfg.drain, draining)
        .await
        .map_err(|e| format!("server error: {e}"))?;
    pool.close().await;
    tracing::info!("todo-backend stopped cleanly");
    Ok(())
}
