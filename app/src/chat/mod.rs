//! The chat: a message in, task operations and a reply out, with the conversation in the DB.

pub mod due;
pub mod intent;
pub mod llm;
pub mod offline;
pub mod ops;
pub mod routes;
pub mod store;
pub mod undo;

use crate::config::LlmConfig;
use crate::db::Db;
use crate::error::ApiError;
use ops::Action;
use store::StoredMessage;

/// Which engine answers chat messages.
pub enum ChatEngine {
    /// The offline intent engine (no API key).
    Offline,
    /// An OpenAI-compatible model.
    Model(Box<llm::ModelChat>),
}

impl ChatEngine {
    /// The model when configured, else the offline engine.
    pub fn from_config(llm: Option<&LlmConfig>) -> Result<Self, ApiError> {
        Ok(match llm {
            Some(cfg) => Self::Model(Box::new(llm::ModelChat::new(cfg)?)),
            None => Self::Offline,
        })
    }

    /// A short name for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Offline => "offline",
            Self::Model(_) => "openai",
        }
    }

    /// Answers one message.
    pub async fn respond(
        &self,
        db: &Db,
        user_id: i64,
        history: &[StoredMessage],
        message: &str,
        today: chrono::NaiveDate,
    ) -> Result<(String, Vec<Action>), ApiError> {
        match self {
            Self::Offline => {
                let r = offline::respond(db, user_id, message, today).await?;
                Ok((r.reply, r.actions))
            }
            Self::Model(m) => m.respond(db, user_id, history, message, today).await,
        }
    }
}
