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
    fn as_str(self) -> &'static str {
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

/// The latest messages of a conversation, oldest first.
pub async fn recent(db: &Db, conversation_id: i64) -> Result<Vec<StoredMessage>, ApiError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT role, content FROM (SELECT id, role, content FROM messages WHERE conversation_id = $1 \
         ORDER BY id DESC LIMIT $2) recent ORDER BY id",
    )
    .bind(conversation_id)
    .bind(HISTORY_LIMIT)
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

/// Appends a message.
pub async fn append(
    db: &Db,
    conversation_id: i64,
    role: Role,
    content: &str,
) -> Result<(), ApiError> {
    sqlx::query(
        "INSERT INTO messages (conversation_id, role, content, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(conversation_id)
    .bind(role.as_str())
    .bind(content)
    .bind(now_ms())
    .execute(db)
    .await?;
    Ok(())
}
