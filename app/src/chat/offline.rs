//! Carries out a parsed [`Intent`] with the task operations and words the reply.

use chrono::NaiveDate;

use super::due;
use super::intent::{Intent, TaskRef, parse};
use super::ops::{
    self, Action, AddTaskArgs, ListTasksArgs, OpResult, TaskIdArgs, TaskOp, UpdateTaskArgs,
};
use crate::db::Db;
use crate::error::ApiError;
use crate::tasks::TaskFilter;
use crate::tasks::store::{self, Task};

/// The reply of the offline engine and the operations it ran.
pub struct OfflineReply {
    /// Text for the person.
    pub reply: String,
    /// Operations performed.
    pub actions: Vec<Action>,
}

/// What the offline engine can do, shown when a message is not understood.
pub const HELP_TEXT: &str = "I can manage your to-do list. Try: \"add buy milk\", \"remind me to call mom\", \
\"what's on my list\", \"show completed tasks\", \"mark 2 as done\", \"rename task 3 to pay rent\", \
\"delete the milk task\", \"what's due tomorrow\", \"clear completed tasks\" or \"undo\".";

/// " (due 2026-12-06)", or nothing for a task without a due day.
fn due_note(t: &Task) -> String {
    t.due_date
        .as_deref()
        .map(|d| format!(" (due {d})"))
        .unwrap_or_default()
}

fn line(t: &Task) -> String {
    format!(
        "#{} [{}] {}{}",
        t.number,
        if t.completed { "x" } else { " " },
        t.title,
        due_note(t)
    )
}

/// Adding a task said in words: a day phrase in the title becomes its due day.
fn add_op(title: &str, today: NaiveDate) -> TaskOp {
    let (title, due) = due::split_title(title, today);
    TaskOp::Add(AddTaskArgs {
        title,
        description: None,
        due_date: due.map(|d| d.to_string()),
    })
}

/// "tomorrow (Sunday 2026-12-06)": the phrase with the day it resolved to.
fn day_words(phrase: &str, span: &due::DueSpan) -> String {
    match (span.from, span.to) {
        (Some(a), Some(b)) if a == b => format!("{phrase} ({})", a.format("%A %Y-%m-%d")),
        (Some(a), Some(b)) => format!("{phrase} ({} to {})", a, b),
        _ => phrase.to_string(),
    }
}

/// Lists the pending tasks due in the span a question named.
async fn due_in(
    db: &Db,
    user_id: i64,
    phrase: &str,
    today: NaiveDate,
) -> Result<OfflineReply, ApiError> {
    let Some(span) = due::span(phrase, today) else {
        return Ok(OfflineReply {
            reply: format!(
                "I don't know which day \"{phrase}\" is. Try \"tomorrow\", \"friday\", \"this week\", \"overdue\" or a date like {}.",
                today
            ),
            actions: vec![],
        });
    };
    let iso = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    let op = TaskOp::List(ListTasksArgs {
        status: TaskFilter::Pending,
        due_from: iso(span.from),
        due_to: iso(span.to),
    });
    let (action, outcome) = ops::execute_as_action(db, user_id, &op).await?;
    let when = day_words(phrase, &span);
    let reply = match outcome {
        Ok(OpResult::Tasks(ts)) if ts.is_empty() => {
            if span.pending_only {
                "Nothing is overdue.".to_string()
            } else {
                format!("Nothing is due {when}.")
            }
        }
        Ok(OpResult::Tasks(ts)) => {
            let lines: Vec<String> = ts.iter().map(line).collect();
            let head = if span.pending_only {
                "Overdue".to_string()
            } else {
                format!("Due {when}")
            };
            format!("{head}:\n{}", lines.join("\n"))
        }
        Ok(other) => other.to_json().to_string(),
        Err(msg) => format!("I couldn't do that: {msg}."),
    };
    Ok(OfflineReply {
        reply,
        actions: vec![action],
    })
}

fn render_list(tasks: &[Task], filter: TaskFilter) -> String {
    let what = match filter {
        TaskFilter::All => "tasks",
        TaskFilter::Pending => "pending tasks",
        TaskFilter::Completed => "completed tasks",
    };
    if tasks.is_empty() {
        return match filter {
            TaskFilter::All => "Your list is empty. Add one with \"add buy milk\".".to_string(),
            _ => format!("You have no {what}."),
        };
    }
    let lines: Vec<String> = tasks.iter().map(line).collect();
    format!(
        "You have {} {}:\n{}",
        tasks.len(),
        if tasks.len() == 1 {
            what.trim_end_matches('s')
        } else {
            what
        },
        lines.join("\n")
    )
}

/// Words that point at no particular task: a reference made only of these is a request
/// about many tasks or about "it", which the chat never guesses at.
const NOT_A_TITLE: [&str; 16] = [
    "all",
    "every",
    "each",
    "everything",
    "it",
    "them",
    "that",
    "this",
    "these",
    "those",
    "one",
    "ones",
    "task",
    "tasks",
    "the",
    "my",
];

/// The lower-case words of a text (letters and digits).
fn title_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The tasks whose titles hold every word of `text` as a whole word ("all" is not in
/// "call mom"), or why `text` names no task.
fn matching<'a>(tasks: &'a [Task], text: &str) -> Result<Vec<&'a Task>, String> {
    let said: Vec<String> = title_words(text)
        .into_iter()
        .filter(|w| !NOT_A_TITLE.contains(&w.as_str()))
        .collect();
    if said.is_empty() {
        return Err(format!(
            "\"{text}\" doesn't name one task. I change one task at a time: say its number or words of its title, e.g. \"delete 3\" or \"delete the milk task\""
        ));
    }
    Ok(tasks
        .iter()
        .filter(|t| {
            let title = title_words(&t.title);
            said.iter().all(|w| title.contains(w))
        })
        .collect())
}

/// Resolves a reference to one task's number, or explains why it cannot.
async fn resolve(
    db: &Db,
    user_id: i64,
    r: &TaskRef,
    prefer_pending: bool,
) -> Result<Result<i64, String>, ApiError> {
    let text = match r {
        TaskRef::Number(n) => return Ok(Ok(*n)),
        TaskRef::Text(t) => t.to_lowercase(),
    };
    let all = store::list(db, user_id, TaskFilter::All).await?;
    let mut matches = match matching(&all, &text) {
        Ok(m) => m,
        Err(why) => return Ok(Err(why)),
    };
    if prefer_pending && matches.len() > 1 {
        let pending: Vec<&Task> = matches.iter().copied().filter(|t| !t.completed).collect();
        if !pending.is_empty() {
            matches = pending;
        }
    }
    Ok(match matches.as_slice() {
        [one] => Ok(one.number),
        [] => Err(format!(
            "I couldn't find a task matching \"{text}\". Say \"what's on my list\" to see your tasks."
        )),
        many => {
            let options: Vec<String> = many.iter().map(|t| line(t)).collect();
            Err(format!(
                "Several tasks match \"{text}\":\n{}\nWhich one? Use its number, e.g. \"complete {}\".",
                options.join("\n"),
                many[0].number
            ))
        }
    })
}

/// Answers one message; relative days count from `today` (the person's).
pub async fn respond(
    db: &Db,
    user_id: i64,
    message: &str,
    today: NaiveDate,
) -> Result<OfflineReply, ApiError> {
    let intent = parse(message);
    let guessed = matches!(intent, Intent::AddGuessed(_));
    let target = match &intent {
        Intent::Complete(r) | Intent::Delete(r) | Intent::Rename(r, _) => {
            match resolve(db, user_id, r, true).await? {
                Ok(id) => id,
                Err(reply) => {
                    return Ok(OfflineReply {
                        reply,
                        actions: vec![],
                    });
                }
            }
        }
        _ => 0,
    };
    let op = match intent {
        Intent::Thanks => {
            return Ok(OfflineReply {
                reply: "You're welcome! Say \"what's on my list\" any time.".into(),
                actions: vec![],
            });
        }
        Intent::ClearCompleted => return clear_completed(db, user_id).await,
        Intent::CompleteAll => return complete_all(db, user_id).await,
        Intent::DeleteAll { confirmed } => return delete_all(db, user_id, confirmed).await,
        Intent::AddMany(titles) => return add_many(db, user_id, titles, today).await,
        Intent::Due(phrase) => return due_in(db, user_id, &phrase, today).await,
        Intent::Undo => {
            // The chat route undoes before any engine runs; this is only reached without one.
            return Ok(OfflineReply {
                reply: "There is nothing to undo here.".into(),
                actions: vec![],
            });
        }
        Intent::Help => {
            return Ok(OfflineReply {
                reply: HELP_TEXT.into(),
                actions: vec![],
            });
        }
        Intent::Unknown => {
            return Ok(OfflineReply {
                reply: format!(
                    "Sorry, I didn't understand \"{}\". {HELP_TEXT}",
                    message.trim()
                ),
                actions: vec![],
            });
        }
        Intent::Add(title) | Intent::AddGuessed(title) => add_op(&title, today),
        Intent::List(status) => TaskOp::List(ListTasksArgs {
            status,
            ..ListTasksArgs::default()
        }),
        Intent::Complete(_) => TaskOp::Complete(TaskIdArgs { number: target }),
        Intent::Delete(_) => TaskOp::Delete(TaskIdArgs { number: target }),
        Intent::Rename(_, title) => TaskOp::Update(UpdateTaskArgs {
            number: target,
            title: Some(title),
            description: None,
            due_date: None,
        }),
    };
    let (action, outcome) = ops::execute_as_action(db, user_id, &op).await?;
    let reply = match (&op, outcome) {
        (_, Err(msg)) => format!("I couldn't do that: {msg}."),
        (TaskOp::Add(_), Ok(OpResult::Task(t))) => format!(
            "Added task #{}: {}{}.{}",
            t.number,
            t.title,
            due_note(&t),
            if guessed {
                " (Say \"undo\" if that wasn't meant as a task.)"
            } else {
                ""
            }
        ),
        (TaskOp::List(a), Ok(OpResult::Tasks(ts))) => render_list(&ts, a.status),
        (TaskOp::Complete(_), Ok(OpResult::Task(t))) => {
            format!("Marked #{} \"{}\" as done.", t.number, t.title)
        }
        (TaskOp::Update(_), Ok(OpResult::Task(t))) => {
            format!("Renamed task #{} to \"{}\".", t.number, t.title)
        }
        (TaskOp::Delete(_), Ok(OpResult::Task(t))) => {
            format!("Deleted task #{} \"{}\".", t.number, t.title)
        }
        (_, Ok(other)) => other.to_json().to_string(),
    };
    Ok(OfflineReply {
        reply,
        actions: vec![action],
    })
}

/// Runs one operation per task, in order; the actions and the tasks it changed.
async fn each(
    db: &Db,
    user_id: i64,
    ops: Vec<TaskOp>,
) -> Result<(Vec<Action>, Vec<String>), ApiError> {
    let mut actions = Vec::new();
    let mut done = Vec::new();
    for op in ops {
        let (action, outcome) = ops::execute_as_action(db, user_id, &op).await?;
        if let Ok(OpResult::Task(t)) = outcome {
            done.push(format!("#{} {}", t.number, t.title));
        }
        actions.push(action);
    }
    Ok((actions, done))
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Marks every pending task done; says which, and that "undo" takes it back.
async fn complete_all(db: &Db, user_id: i64) -> Result<OfflineReply, ApiError> {
    let pending = store::list(db, user_id, TaskFilter::Pending).await?;
    if pending.is_empty() {
        return Ok(OfflineReply {
            reply: "Everything is already done.".into(),
            actions: vec![],
        });
    }
    let ops = pending
        .iter()
        .map(|t| TaskOp::Complete(TaskIdArgs { number: t.number }))
        .collect();
    let (actions, done) = each(db, user_id, ops).await?;
    Ok(OfflineReply {
        reply: format!(
            "Marked {} as done: {}. (Say \"undo\" to take it back.)",
            plural(done.len(), "task"),
            done.join(", ")
        ),
        actions,
    })
}

/// Deletes every task once confirmed; before that, says what would go and how to confirm.
async fn delete_all(db: &Db, user_id: i64, confirmed: bool) -> Result<OfflineReply, ApiError> {
    let all = store::list(db, user_id, TaskFilter::All).await?;
    if all.is_empty() {
        return Ok(OfflineReply {
            reply: "Your list is already empty.".into(),
            actions: vec![],
        });
    }
    if !confirmed {
        let names: Vec<String> = all
            .iter()
            .map(|t| format!("#{} {}", t.number, t.title))
            .collect();
        return Ok(OfflineReply {
            reply: format!(
                "That would delete all {} of your tasks: {}. If you mean it, say \"yes, delete all my tasks\". To delete only the finished ones, say \"clear completed tasks\".",
                all.len(),
                names.join(", ")
            ),
            actions: vec![],
        });
    }
    let ops = all
        .iter()
        .map(|t| TaskOp::Delete(TaskIdArgs { number: t.number }))
        .collect();
    let (actions, gone) = each(db, user_id, ops).await?;
    Ok(OfflineReply {
        reply: format!(
            "Deleted {}: {}. (Say \"undo\" to bring them back.)",
            plural(gone.len(), "task"),
            gone.join(", ")
        ),
        actions,
    })
}

/// Adds several tasks named at once, each with its own due day if it says one.
async fn add_many(
    db: &Db,
    user_id: i64,
    titles: Vec<String>,
    today: NaiveDate,
) -> Result<OfflineReply, ApiError> {
    let ops = titles.iter().map(|title| add_op(title, today)).collect();
    let (actions, added) = each(db, user_id, ops).await?;
    let failed: Vec<String> = actions
        .iter()
        .filter(|a| !a.ok)
        .map(|a| a.result["error"].as_str().unwrap_or_default().to_string())
        .collect();
    let mut reply = format!(
        "Added {}: {}.",
        plural(added.len(), "task"),
        added.join(", ")
    );
    if !failed.is_empty() {
        reply.push_str(&format!(" Not added: {}.", failed.join("; ")));
    }
    Ok(OfflineReply { reply, actions })
}

/// Deletes every completed task, one action each; says which went.
async fn clear_completed(db: &Db, user_id: i64) -> Result<OfflineReply, ApiError> {
    let done = store::list(db, user_id, TaskFilter::Completed).await?;
    if done.is_empty() {
        return Ok(OfflineReply {
            reply: "You have no completed tasks to clear.".into(),
            actions: vec![],
        });
    }
    let ops = done
        .iter()
        .map(|t| TaskOp::Delete(TaskIdArgs { number: t.number }))
        .collect();
    let (actions, cleared) = each(db, user_id, ops).await?;
    Ok(OfflineReply {
        reply: format!(
            "Cleared {} completed task{}: {}.",
            cleared.len(),
            if cleared.len() == 1 { "" } else { "s" },
            cleared.join(", ")
        ),
        actions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: i64, title: &str) -> Task {
        Task {
            id,
            number: id,
            title: title.into(),
            description: None,
            completed: false,
            due_date: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    /// Regression: titles were matched by substring, so "delete all" deleted "call mom" and
    /// "delete it" deleted "submit the tax form".
    #[test]
    fn only_whole_words_of_a_title_name_a_task() {
        let tasks = [
            task(1, "call mom"),
            task(2, "submit the tax form"),
            task(3, "buy milk"),
        ];
        for vague in ["all", "it", "them", "all tasks", "everything", "that one"] {
            let why = matching(&tasks, vague).unwrap_err();
            assert!(why.contains("one task at a time"), "{vague}: {why}");
        }
        let ids = |text: &str| -> Vec<i64> {
            matching(&tasks, text)
                .unwrap()
                .iter()
                .map(|t| t.id)
                .collect()
        };
        assert_eq!(ids("mom"), [1]);
        assert_eq!(ids("the tax form"), [2]);
        assert_eq!(ids("milk"), [3]);
        assert!(ids("mil").is_empty(), "a part of a word is no match");
        assert!(ids("tax milk").is_empty());
    }
}
