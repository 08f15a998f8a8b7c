//! `POST /api/chat` (one message in, the reply out) and `GET /api/chat` (the latest
//! conversation, so a reloaded page shows it again).

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use super::ops::Action;
use super::store::{self, Role};
use super::{intent, undo};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

/// The longest chat message accepted, in characters.
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// A chat request.
#[derive(Debug, Deserialize)]
pub struct ChatRequest {
    /// Continue this conversation; a new one is started when absent.
    #[serde(default)]
    pub conversation_id: Option<i64>,
    /// The person's message.
    pub message: String,
    /// The person's today (YYYY-MM-DD), for "tomorrow" and "friday"; the server's UTC day
    /// when absent or more than a day away from it.
    #[serde(default)]
    pub today: Option<String>,
}

/// One message of a stored conversation.
#[derive(Debug, Serialize, Deserialize)]
pub struct ShownMessage {
    /// `user` or `assistant`.
    pub role: String,
    /// Text.
    pub content: String,
}

/// The latest conversation.
#[derive(Debug, Serialize, Deserialize)]
pub struct ConversationView {
    /// Its id (continue it with this), or null when the user has none.
    pub conversation_id: Option<i64>,
    /// Its latest messages, oldest first.
    pub messages: Vec<ShownMessage>,
}

/// A chat response.
#[derive(Debug, Serialize, Deserialize)]
pub struct ChatResponse {
    /// The conversation to continue with.
    pub conversation_id: i64,
    /// The assistant's reply.
    pub reply: String,
    /// Task operations performed while answering.
    pub actions: Vec<Action>,
}

/// Handles one chat message.
pub async fn chat(
    State(s): State<AppState>,
    user: AuthUser,
    Json(req): Json<ChatRequest>,
) -> Result<Json<ChatResponse>, ApiError> {
    let message = req.message.trim();
    if message.is_empty() {
        return Err(ApiError::Unprocessable("message must not be empty".into()));
    }
    let len = message.chars().count();
    if len > MAX_MESSAGE_CHARS {
        return Err(ApiError::Unprocessable(format!(
            "message is {len} characters; the limit is {MAX_MESSAGE_CHARS}"
        )));
    }
    let today = persons_today(req.today.as_deref());
    let conversation_id = store::open(&s.db, user.id, req.conversation_id).await?;
    let history = store::recent(&s.db, conversation_id, store::HISTORY_LIMIT).await?;
    let turn = store::append(&s.db, conversation_id, Role::User, message).await?;
    // Undo is decided here, before any engine: it is the same for the model and offline.
    let (reply, actions) = if intent::is_undo(message) {
        undo::undo_last(&s.db, user.id, conversation_id).await?
    } else {
        let answer = s
            .chat
            .respond(&s.db, user.id, &history, message, today)
            .await?;
        undo::record(&s.db, conversation_id, turn, &answer.1).await?;
        answer
    };
    store::append(&s.db, conversation_id, Role::Assistant, &reply).await?;
    Ok(Json(ChatResponse {
        conversation_id,
        reply,
        actions,
    }))
}

/// The person's day when it is plausible (time zones differ by at most a day), else UTC's.
fn persons_today(said: Option<&str>) -> NaiveDate {
    let utc = chrono::Utc::now().date_naive();
    said.and_then(|d| d.trim().parse::<NaiveDate>().ok())
        .filter(|d| (*d - utc).num_days().abs() <= 1)
        .unwrap_or(utc)
}

/// Returns the user's latest conversation with its last messages.
pub async fn latest(
    State(s): State<AppState>,
    user: AuthUser,
) -> Result<Json<ConversationView>, ApiError> {
    let Some(id) = store::latest(&s.db, user.id).await? else {
        return Ok(Json(ConversationView {
            conversation_id: None,
            messages: vec![],
        }));
    };
    let messages = store::recent(&s.db, id, store::SHOWN_LIMIT)
        .await?
        .into_iter()
        .map(|m| ShownMessage {
            role: m.role.as_str().to_string(),
            content: m.content,
        })
        .collect();
    Ok(Json(ConversationView {
        conversation_id: Some(id),
        messages,
    }))
}
