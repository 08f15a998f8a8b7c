//! The five task operations the chat can perform, shared by the model loop, the offline
//! engine and MCP. Each args struct's doc comments become the tool's JSON Schema.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::undo::Reversal;
use crate::db::Db;
use crate::error::ApiError;
use crate::tasks::store::{self, Task, TaskFilter, TaskPatch};

/// Arguments of `add_task`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddTaskArgs {
    /// Short title of the new task, e.g. "buy milk".
    pub title: String,
    /// Optional longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The day it is due, YYYY-MM-DD, when the person said one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
}

/// Arguments of `list_tasks`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListTasksArgs {
    /// Which tasks to list: all (default), pending or completed.
    #[serde(default)]
    pub status: TaskFilter,
    /// Only tasks due on or after this day (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_from: Option<String>,
    /// Only tasks due on or before this day (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_to: Option<String>,
}

/// Arguments of `complete_task` and `delete_task`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskIdArgs {
    /// The task's number (#N), as list_tasks shows it.
    pub number: i64,
}

/// Arguments of `update_task`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTaskArgs {
    /// The task's number (#N), as list_tasks shows it.
    pub number: i64,
    /// The new title, if it changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The new description, if it changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The new due day, YYYY-MM-DD ("" removes it), if it changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
}

/// One task operation with its arguments.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskOp {
    /// Create a task.
    Add(AddTaskArgs),
    /// List tasks.
    List(ListTasksArgs),
    /// Mark a task completed.
    Complete(TaskIdArgs),
    /// Change a task's title or description.
    Update(UpdateTaskArgs),
    /// Delete a task.
    Delete(TaskIdArgs),
}

/// Name, description and argument schema of one tool.
pub struct ToolSpec {
    /// Tool name as the model calls it.
    pub name: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// JSON Schema of the arguments.
    pub parameters: Value,
}

fn schema<T: JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap_or(Value::Null)
}

/// The five tools, in a stable order.
pub fn tool_specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec {
            name: "add_task",
            description: "Add a new task to the user's to-do list.",
            parameters: schema::<AddTaskArgs>(),
        },
        ToolSpec {
            name: "list_tasks",
            description: "List the user's tasks: all, pending or completed, optionally only those due in a span of days.",
            parameters: schema::<ListTasksArgs>(),
        },
        ToolSpec {
            name: "complete_task",
            description: "Mark one of the user's tasks as completed.",
            parameters: schema::<TaskIdArgs>(),
        },
        ToolSpec {
            name: "update_task",
            description: "Change the title, description or due day of one of the user's tasks.",
            parameters: schema::<UpdateTaskArgs>(),
        },
        ToolSpec {
            name: "delete_task",
            description: "Delete one of the user's tasks.",
            parameters: schema::<TaskIdArgs>(),
        },
    ]
}

/// A tool call that was made while answering, as reported to the client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// Tool name.
    pub tool: String,
    /// Arguments as sent.
    pub arguments: Value,
    /// Whether it succeeded.
    pub ok: bool,
    /// The result (task or list) or the error message.
    pub result: Value,
    /// How to put the change back ("undo"); never sent.
    #[serde(skip)]
    pub reversal: Option<Reversal>,
}

impl TaskOp {
    /// Parses a call by tool name and JSON arguments; the error is for the model to correct.
    pub fn from_call(name: &str, arguments: &str) -> Result<Self, String> {
        let args = if arguments.trim().is_empty() {
            "{}"
        } else {
            arguments
        };
        let bad = |e: serde_json::Error| format!("invalid arguments for {name}: {e}");
        Ok(match name {
            "add_task" => Self::Add(serde_json::from_str(args).map_err(bad)?),
            "list_tasks" => Self::List(serde_json::from_str(args).map_err(bad)?),
            "complete_task" => Self::Complete(serde_json::from_str(args).map_err(bad)?),
            "update_task" => Self::Update(serde_json::from_str(args).map_err(bad)?),
            "delete_task" => Self::Delete(serde_json::from_str(args).map_err(bad)?),
            other => {
                return Err(format!(
                    "unknown tool {other:?}; available: add_task, list_tasks, complete_task, update_task, delete_task"
                ));
            }
        })
    }

    /// The tool name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Add(_) => "add_task",
            Self::List(_) => "list_tasks",
            Self::Complete(_) => "complete_task",
            Self::Update(_) => "update_task",
            Self::Delete(_) => "delete_task",
        }
    }

    fn arguments(&self) -> Value {
        match self {
            Self::Add(a) => json!(a),
            Self::List(a) => json!(a),
            Self::Complete(a) | Self::Delete(a) => json!(a),
            Self::Update(a) => json!(a),
        }
    }
}

/// What an operation produced.
#[derive(Debug, Clone, PartialEq)]
pub enum OpResult {
    /// One task created, changed or deleted.
    Task(Task),
    /// A list of tasks.
    Tasks(Vec<Task>),
}

impl OpResult {
    /// JSON form, as sent to the model and the client.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Task(t) => json!(t),
            Self::Tasks(ts) => json!(ts),
        }
    }
}

/// Runs an operation for `user_id`.
pub async fn execute(db: &Db, user_id: i64, op: &TaskOp) -> Result<OpResult, ApiError> {
    Ok(match op {
        TaskOp::Add(a) => OpResult::Task(
            store::create(
                db,
                user_id,
                &a.title,
                a.description.clone(),
                a.due_date.clone(),
            )
            .await?,
        ),
        TaskOp::List(a) => {
            let from = store::valid_due_date(a.due_from.clone())?;
            let to = store::valid_due_date(a.due_to.clone())?;
            let mut tasks = store::list(db, user_id, a.status).await?;
            if from.is_some() || to.is_some() {
                // ISO days compare as text.
                tasks.retain(|t| {
                    t.due_date.as_deref().is_some_and(|d| {
                        from.as_deref().is_none_or(|f| d >= f)
                            && to.as_deref().is_none_or(|e| d <= e)
                    })
                });
                tasks.sort_by(|x, y| x.due_date.cmp(&y.due_date));
            }
            OpResult::Tasks(tasks)
        }
        TaskOp::Complete(a) => OpResult::Task(
            store::update(
                db,
                user_id,
                store::by_number(db, user_id, a.number).await?.id,
                TaskPatch {
                    completed: Some(true),
                    ..TaskPatch::default()
                },
            )
            .await?,
        ),
        TaskOp::Update(a) => {
            if a.title.is_none() && a.description.is_none() && a.due_date.is_none() {
                return Err(ApiError::Unprocessable(
                    "update_task needs a new title, description or due_date".into(),
                ));
            }
            OpResult::Task(
                store::update(
                    db,
                    user_id,
                    store::by_number(db, user_id, a.number).await?.id,
                    TaskPatch {
                        title: a.title.clone(),
                        description: a.description.clone(),
                        completed: None,
                        due_date: a.due_date.clone(),
                    },
                )
                .await?,
            )
        }
        TaskOp::Delete(a) => OpResult::Task(
            store::delete(
                db,
                user_id,
                store::by_number(db, user_id, a.number).await?.id,
            )
            .await?,
        ),
    })
}

/// Runs an operation and records it as an [`Action`]; user-facing errors stay in the action.
pub async fn execute_as_action(
    db: &Db,
    user_id: i64,
    op: &TaskOp,
) -> Result<(Action, Result<OpResult, String>), ApiError> {
    // The task as it was, for "undo" (a missing one makes execute say so below).
    let before = match op {
        TaskOp::Complete(a) | TaskOp::Delete(a) => {
            store::by_number(db, user_id, a.number).await.ok()
        }
        TaskOp::Update(a) => store::by_number(db, user_id, a.number).await.ok(),
        TaskOp::Add(_) | TaskOp::List(_) => None,
    };
    let outcome = match execute(db, user_id, op).await {
        Ok(r) => Ok(r),
        Err(e @ (ApiError::NotFound(_) | ApiError::Unprocessable(_))) => Err(e.to_string()),
        Err(e) => return Err(e),
    };
    let action = Action {
        tool: op.name().to_string(),
        arguments: op.arguments(),
        ok: outcome.is_ok(),
        result: match &outcome {
            Ok(r) => r.to_json(),
            Err(msg) => json!({ "error": msg }),
        },
        reversal: match (op, &outcome) {
            (TaskOp::Add(_), Ok(OpResult::Task(created))) => {
                Some(Reversal::Remove(created.clone()))
            }
            (TaskOp::List(_), _) | (_, Err(_)) => None,
            _ => before.map(Reversal::Restore),
        },
    };
    Ok((action, outcome))
}
