//! Conversations and their messages, in the database so any replica can continue any of them.

use crate::db::{Db, now_ms};
use crate::error::ApiError;

/// Who wrote a stored message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The person.
    User,
    /// The assistant.
    Assistant,
}

impl Role {
    /// The name stored and sent to clients.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Assistant => "assistant",
        }
    }
}

/// One stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    /// Author.
    pub role: Role,
    /// Text.
    pub content: String,
}

/// How many earlier messages the model sees.
pub const HISTORY_LIMIT: i64 = 20;

/// Returns the conversation id to use: the given one if it belongs to the user, else a new one.
pub async fn open(db: &Db, user_id: i64, id: Option<i64>) -> Result<i64, ApiError> {
    if let Some(id) = id {
        let owner: Option<i64> =
            sqlx::query_scalar("SELECT user_id FROM conversations WHERE id = $1")
                .bind(id)
                .fetch_optional(db)
                .await?;
        return match owner {
            Some(o) if o == user_id => Ok(id),
            _ => Err(ApiError::NotFound(format!(
                "conversation {id} not found; omit conversation_id to start a new one"
            ))),
        };
    }
    Ok(sqlx::query_scalar(
        "INSERT INTO conversations (user_id, created_at) VALUES ($1, $2) RETURNING id",
    )
    .bind(user_id)
    .bind(now_ms())
    .fetch_one(db)
    .await?)
}

/// How many messages a reloaded page shows again.
pub const SHOWN_LIMIT: i64 = 100;

/// The user's most recently started conversation, if any.
pub async fn latest(db: &Db, user_id: i64) -> Result<Option<i64>, ApiError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM conversations WHERE user_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await?)
}

/// The latest `limit` messages of a conversation, oldest first.
pub async fn recent(
    db: &Db,
    conversation_id: i64,
    limit: i64,
) -> Result<Vec<StoredMessage>, ApiError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT role, content FROM (SELECT id, role, content FROM messages WHERE conversation_id = $1 \
         ORDER BY id DESC LIMIT $2) recent ORDER BY id",
    )
    .bind(conversation_id)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(role, content)| StoredMessage {
            role: if role == "user" {
                Role::User
            } else {
                Role::Assistant
            },
            content,
        })
        .collect())
}

/// Appends a message; its id.
pub async fn append(
    db: &Db,
    conversation_id: i64,
    role: Role,
    content: &str,
) -> Result<i64, ApiError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO messages (conversation_id, role, content, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(conversation_id)
    .bind(role.as_str())
    .bind(content)
    .bind(now_ms())
    .fetch_one(db)
    .await?)
}
