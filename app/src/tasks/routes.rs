//! `/api/tasks` CRUD over HTTP.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::store::{self, Task, TaskFilter, TaskPatch};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

/// The task routes, mounted under `/api/tasks`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(list).post(create))
        .route("/{id}", get(one).patch(update).put(update).delete(remove))
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(default)]
    status: TaskFilter,
}

#[derive(Debug, Deserialize)]
struct NewTask {
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    due_date: Option<String>,
}

async fn list(
    State(s): State<AppState>,
    user: AuthUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Task>>, ApiError> {
    Ok(Json(store::list(&s.db, user.id, q.status).await?))
}

async fn create(
    State(s): State<AppState>,
    user: AuthUser,
    Json(t): Json<NewTask>,
) -> Result<(StatusCode, Json<Task>), ApiError> {
    let task = store::create(&s.db, user.id, &t.title, t.description, t.due_date).await?;
    Ok((StatusCode::CREATED, Json(task)))
}

async fn one(
    State(s): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
) -> Result<Json<Task>, ApiError> {
    Ok(Json(store::get(&s.db, user.id, id).await?))
}

async fn update(
    State(s): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    Json(p): Json<TaskPatch>,
) -> Result<Json<Task>, ApiError> {
    Ok(Json(store::update(&s.db, user.id, id, p).await?))
}

async fn remove(
    State(s): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    store::delete(&s.db, user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
