//! `POST /api/chat`.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::ops::Action;
use super::store::{self, Role};
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
    let conversation_id = store::open(&s.db, user.id, req.conversation_id).await?;
    let history = store::recent(&s.db, conversation_id).await?;
    store::append(&s.db, conversation_id, Role::User, message).await?;
    let (reply, actions) = s.chat.respond(&s.db, user.id, &history, message).await?;
    store::append(&s.db, conversation_id, Role::Assistant, &reply).await?;
    Ok(Json(ChatResponse {
        conversation_id,
        reply,
        actions,
    }))
}
