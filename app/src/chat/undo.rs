//! "Undo": every chat turn's task changes are recorded with the task as it was before, so
//! the latest turn's changes can be put back, whichever engine made them.

use serde_json::json;

use super::ops::Action;
use crate::db::{Db, now_ms};
use crate::error::ApiError;
use crate::tasks::store::{self, Task};

/// How one change is put back.
#[derive(Debug, Clone, PartialEq)]
pub enum Reversal {
    /// The turn created this task: delete it.
    Remove(Task),
    /// The task as it was before the turn changed or deleted it.
    Restore(Task),
}

/// Records the reversible changes among `actions`, as turn `turn` of the conversation.
pub async fn record(
    db: &Db,
    conversation_id: i64,
    turn: i64,
    actions: &[Action],
) -> Result<(), ApiError> {
    for a in actions.iter().filter(|a| a.ok) {
        // By number: the one name of a task that survives its deletion and restoration.
        let (number, before) = match &a.reversal {
            Some(Reversal::Remove(t)) => (t.number, None),
            Some(Reversal::Restore(t)) => (t.number, Some(json!(t).to_string())),
            None => continue,
        };
        sqlx::query(
            "INSERT INTO chat_changes (conversation_id, turn, task_number, before_state, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(conversation_id)
        .bind(turn)
        .bind(number)
        .bind(before)
        .bind(now_ms())
        .execute(db)
        .await?;
    }
    Ok(())
}

/// Puts back the latest turn of the conversation that changed tasks; the reply and what
/// was done. Changes already undone are forgotten, so a second "undo" goes one turn further.
pub async fn undo_last(
    db: &Db,
    user_id: i64,
    conversation_id: i64,
) -> Result<(String, Vec<Action>), ApiError> {
    let turn: Option<i64> = sqlx::query_scalar(
        "SELECT turn FROM chat_changes WHERE conversation_id = $1 ORDER BY turn DESC LIMIT 1",
    )
    .bind(conversation_id)
    .fetch_optional(db)
    .await?;
    let Some(turn) = turn else {
        return Ok((
            "There is nothing to undo in this conversation.".into(),
            vec![],
        ));
    };
    let rows: Vec<(i64, Option<String>)> = sqlx::query_as(
        "SELECT task_number, before_state FROM chat_changes \
         WHERE conversation_id = $1 AND turn = $2 ORDER BY id DESC",
    )
    .bind(conversation_id)
    .bind(turn)
    .fetch_all(db)
    .await?;
    let mut said = Vec::new();
    let mut actions = Vec::new();
    for (number, before) in rows {
        let (outcome, text) = match before.and_then(|b| serde_json::from_str::<Task>(&b).ok()) {
            None => match delete_numbered(db, user_id, number).await {
                Ok(t) => (
                    Ok(t.clone()),
                    format!("removed #{} \"{}\"", t.number, t.title),
                ),
                Err(ApiError::NotFound(m)) => (Err(m), String::new()),
                Err(e) => return Err(e),
            },
            Some(before) => {
                let t = store::restore(db, user_id, &before).await?;
                let text = format!("put back #{} \"{}\" as it was", t.number, t.title);
                (Ok(t), text)
            }
        };
        if !text.is_empty() {
            said.push(text);
        }
        actions.push(Action {
            tool: "undo".into(),
            arguments: json!({ "number": number }),
            ok: outcome.is_ok(),
            result: match outcome {
                Ok(t) => json!(t),
                Err(m) => json!({ "error": m }),
            },
            reversal: None,
        });
    }
    sqlx::query("DELETE FROM chat_changes WHERE conversation_id = $1 AND turn = $2")
        .bind(conversation_id)
        .bind(turn)
        .execute(db)
        .await?;
    let reply = if said.is_empty() {
        "Those tasks were already changed elsewhere; there was nothing left to undo.".into()
    } else {
        format!("Undone: {}.", said.join("; "))
    };
    Ok((reply, actions))
}

/// Deletes the user's task numbered `number`.
async fn delete_numbered(db: &Db, user_id: i64, number: i64) -> Result<Task, ApiError> {
    let task = store::by_number(db, user_id, number).await?;
    store::delete(db, user_id, task.id).await
}
