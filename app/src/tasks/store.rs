//! Task persistence. Every query carries the owner's id, so another user's task is "not found".

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{Db, now_ms};
use crate::error::ApiError;

/// The longest task title accepted.
pub const MAX_TITLE: usize = 200;
/// The longest task description accepted.
pub const MAX_DESCRIPTION: usize = 2000;

/// A to-do item.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Task {
    /// Task id (global; the REST API's paths use it).
    pub id: i64,
    /// The task's number among its owner's tasks (1, 2, …; never reused), which people and
    /// the chat use.
    pub number: i64,
    /// Short title.
    pub title: String,
    /// Optional longer text.
    pub description: Option<String>,
    /// Whether it is done.
    pub completed: bool,
    /// The day it is due (`YYYY-MM-DD`), if any.
    #[serde(default)]
    pub due_date: Option<String>,
    /// Creation time, ms since epoch.
    pub created_at: i64,
    /// Last change, ms since epoch.
    pub updated_at: i64,
}

/// Which tasks to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TaskFilter {
    /// Every task.
    #[default]
    All,
    /// Tasks not yet completed.
    Pending,
    /// Completed tasks.
    Completed,
}

/// A partial update of a task.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TaskPatch {
    /// New title.
    pub title: Option<String>,
    /// New description (an empty string clears it).
    pub description: Option<String>,
    /// New completion state.
    pub completed: Option<bool>,
    /// New due day, `YYYY-MM-DD` (an empty string clears it).
    pub due_date: Option<String>,
}

fn from_row(row: &AnyRow) -> Result<Task, sqlx::Error> {
    Ok(Task {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        completed: row.try_get::<i64, _>("completed")? != 0,
        due_date: row.try_get("due_date")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// The selected columns, as a literal so queries stay static strings.
macro_rules! columns {
    () => {
        "id, number, title, description, completed, due_date, created_at, updated_at"
    };
}

/// Checks and trims a title.
pub fn valid_title(title: &str) -> Result<String, ApiError> {
    let t = title.trim();
    if t.is_empty() {
        return Err(ApiError::Unprocessable(
            "task title must not be empty".into(),
        ));
    }
    if t.chars().count() > MAX_TITLE {
        return Err(ApiError::Unprocessable(format!(
            "task title must be at most {MAX_TITLE} characters"
        )));
    }
    Ok(t.to_string())
}

fn valid_description(d: Option<String>) -> Result<Option<String>, ApiError> {
    match d.map(|d| d.trim().to_string()) {
        Some(d) if d.chars().count() > MAX_DESCRIPTION => Err(ApiError::Unprocessable(format!(
            "task description must be at most {MAX_DESCRIPTION} characters"
        ))),
        Some(d) if d.is_empty() => Ok(None),
        other => Ok(other),
    }
}

/// Checks a due day: `YYYY-MM-DD`, a real date; empty means none.
pub fn valid_due_date(due: Option<String>) -> Result<Option<String>, ApiError> {
    match due.map(|d| d.trim().to_string()) {
        None => Ok(None),
        Some(d) if d.is_empty() => Ok(None),
        // ISO 8601 is NaiveDate's own text form, both ways.
        Some(d) => match d.parse::<chrono::NaiveDate>() {
            Ok(date) => Ok(Some(date.to_string())),
            Err(_) => Err(ApiError::Unprocessable(format!(
                "due_date {d:?} is not a date: use YYYY-MM-DD, e.g. 2026-12-24"
            ))),
        },
    }
}

/// Creates a task for `user_id`.
pub async fn create(
    db: &Db,
    user_id: i64,
    title: &str,
    description: Option<String>,
    due_date: Option<String>,
) -> Result<Task, ApiError> {
    let title = valid_title(title)?;
    let description = valid_description(description)?;
    let due_date = valid_due_date(due_date)?;
    let now = now_ms();
    // The user's counter is bumped in one statement (a row lock on Postgres, a write lock
    // on SQLite), so parallel creations get distinct numbers and none is ever reused.
    let number: i64 = sqlx::query_scalar(
        "UPDATE users SET task_numbers = task_numbers + 1 WHERE id = $1 RETURNING task_numbers",
    )
    .bind(user_id)
    .fetch_one(db)
    .await?;
    let row = sqlx::query(concat!(
        "INSERT INTO tasks (user_id, number, title, description, completed, due_date, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $6, $6) RETURNING ",
        columns!()
    ))
    .bind(user_id)
    .bind(number)
    .bind(&title)
    .bind(&description)
    .bind(&due_date)
    .bind(now)
    .fetch_one(db)
    .await?;
    Ok(from_row(&row)?)
}

/// The user's task numbered `number`.
pub async fn by_number(db: &Db, user_id: i64, number: i64) -> Result<Task, ApiError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM tasks WHERE user_id = $1 AND number = $2"
    ))
    .bind(user_id)
    .bind(number)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(from_row).transpose()?.ok_or_else(|| {
        ApiError::NotFound(format!(
            "you have no task #{number}; \"what's on my list\" shows your tasks' numbers"
        ))
    })
}

/// Lists a user's tasks in the order of their numbers (a restored task keeps its place).
pub async fn list(db: &Db, user_id: i64, filter: TaskFilter) -> Result<Vec<Task>, ApiError> {
    let sql = match filter {
        TaskFilter::All => concat!(
            "SELECT ",
            columns!(),
            " FROM tasks WHERE user_id = $1 ORDER BY number"
        ),
        TaskFilter::Pending => concat!(
            "SELECT ",
            columns!(),
            " FROM tasks WHERE user_id = $1 AND completed = 0 ORDER BY number"
        ),
        TaskFilter::Completed => concat!(
            "SELECT ",
            columns!(),
            " FROM tasks WHERE user_id = $1 AND completed <> 0 ORDER BY number"
        ),
    };
    let rows = sqlx::query(sql).bind(user_id).fetch_all(db).await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

fn not_found(id: i64) -> ApiError {
    ApiError::NotFound(format!("task {id} not found"))
}

/// One task of the user.
pub async fn get(db: &Db, user_id: i64, id: i64) -> Result<Task, ApiError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM tasks WHERE user_id = $1 AND id = $2"
    ))
    .bind(user_id)
    .bind(id)
    .fetch_optional(db)
    .await?;
    row.as_ref()
        .map(from_row)
        .transpose()?
        .ok_or_else(|| not_found(id))
}

/// Applies a patch to a task of the user.
pub async fn update(db: &Db, user_id: i64, id: i64, patch: TaskPatch) -> Result<Task, ApiError> {
    let current = get(db, user_id, id).await?;
    let title = match patch.title {
        Some(t) => valid_title(&t)?,
        None => current.title,
    };
    let description = match patch.description {
        Some(d) => valid_description(Some(d))?,
        None => current.description,
    };
    let completed = patch.completed.unwrap_or(current.completed);
    let due_date = match patch.due_date {
        Some(d) => valid_due_date(Some(d))?,
        None => current.due_date,
    };
    let row = sqlx::query(concat!(
        "UPDATE tasks SET title = $1, description = $2, completed = $3, due_date = $7, updated_at = $4 \
         WHERE user_id = $5 AND id = $6 RETURNING ",
        columns!()
    ))
    .bind(&title)
    .bind(&description)
    .bind(i64::from(completed))
    .bind(now_ms())
    .bind(user_id)
    .bind(id)
    .bind(&due_date)
    .fetch_optional(db)
    .await?;
    row.as_ref()
        .map(from_row)
        .transpose()?
        .ok_or_else(|| not_found(id))
}

/// Puts a task back as `before` was, found by its number (a deleted and restored task has a
/// new id): its fields when it still exists, else a new row with its old number (numbers
/// are never handed out twice, so the number is still free).
pub async fn restore(db: &Db, user_id: i64, before: &Task) -> Result<Task, ApiError> {
    let row = sqlx::query(concat!(
        "UPDATE tasks SET title = $1, description = $2, completed = $3, due_date = $4, updated_at = $5 \
         WHERE user_id = $6 AND number = $7 RETURNING ",
        columns!()
    ))
    .bind(&before.title)
    .bind(&before.description)
    .bind(i64::from(before.completed))
    .bind(&before.due_date)
    .bind(now_ms())
    .bind(user_id)
    .bind(before.number)
    .fetch_optional(db)
    .await?;
    if let Some(row) = row {
        return Ok(from_row(&row)?);
    }
    let row = sqlx::query(concat!(
        "INSERT INTO tasks (user_id, number, title, description, completed, due_date, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ",
        columns!()
    ))
    .bind(user_id)
    .bind(before.number)
    .bind(&before.title)
    .bind(&before.description)
    .bind(i64::from(before.completed))
    .bind(&before.due_date)
    .bind(before.created_at)
    .bind(now_ms())
    .fetch_one(db)
    .await?;
    Ok(from_row(&row)?)
}

/// Deletes a task of the user, returning what was deleted.
pub async fn delete(db: &Db, user_id: i64, id: i64) -> Result<Task, ApiError> {
    let row = sqlx::query(concat!(
        "DELETE FROM tasks WHERE user_id = $1 AND id = $2 RETURNING ",
        columns!()
    ))
    .bind(user_id)
    .bind(id)
    .fetch_optional(db)
    .await?;
    row.as_ref()
        .map(from_row)
        .transpose()?
        .ok_or_else(|| not_found(id))
}
