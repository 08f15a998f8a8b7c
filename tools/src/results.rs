//! Tool results bigger than the model's share of its context: the model gets the head (or,
//! for logs and events, the tail) and a note saying what was cut, and the whole result —
//! already redacted — is kept for the session under an id (`r1`, `r2`, …) that
//! `search_result` greps or pages through. Nothing cut is lost to the model.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::tool::budget;

/// The share of the context a result gets when nobody set one: 200,000 characters / 10.
pub const DEFAULT_BUDGET: usize = 20_000;

/// The least a result is given, however small the model: below this a log line or a
/// finding no longer fits beside the note.
pub const MIN_BUDGET: usize = 1_500;

/// Whole results kept in memory when there is no session folder, oldest dropped first.
const MEMORY_CAP: usize = 64 * 1024 * 1024;

/// The whole results of one session.
#[derive(Debug)]
pub struct ResultStore {
    /// Where results are written (`None`: kept in memory, up to [`MEMORY_CAP`]).
    folder: Option<PathBuf>,
    budget: AtomicUsize,
    next: AtomicUsize,
    memory: Mutex<VecDeque<(String, Arc<str>)>>,
}

impl Default for ResultStore {
    fn default() -> Self {
        Self {
            folder: None,
            budget: AtomicUsize::new(DEFAULT_BUDGET),
            next: AtomicUsize::new(1),
            memory: Mutex::new(VecDeque::new()),
        }
    }
}

/// A result id that names nothing kept.
#[derive(Debug, thiserror::Error)]
#[error(
    "there is no kept result {id:?}; ids are given in the note under a cut result (r1, r2, …){known}"
)]
pub struct UnknownResult {
    /// The id asked for.
    pub id: String,
    /// The ids kept, for the message.
    known: String,
}

impl ResultStore {
    /// Results written as files under `folder` (made when the first one is kept).
    pub fn in_folder(folder: PathBuf) -> Self {
        Self {
            folder: Some(folder),
            ..Self::default()
        }
    }

    /// Sets the characters a result may take in the model's context (at least
    /// [`MIN_BUDGET`]).
    pub fn set_budget(&self, chars: usize) {
        self.budget.store(chars.max(MIN_BUDGET), Ordering::Relaxed);
    }

    /// The characters a result may take.
    pub fn budget(&self) -> usize {
        self.budget.load(Ordering::Relaxed)
    }

    /// `text` as the model gets it: whole when it fits, else cut (keeping the tail when
    /// `keep_tail`) with a note naming the id under which the whole text is kept.
    pub fn fit(&self, tool: &str, text: String, keep_tail: bool) -> String {
        let max = self.budget();
        let chars = text.chars().count();
        if chars <= max {
            return text;
        }
        let id = format!("r{}", self.next.fetch_add(1, Ordering::Relaxed));
        let lines = text.lines().count();
        let whole: Arc<str> = text.into();
        let kept = self.keep(&id, whole.clone());
        let note = format!(
            "[{tool} result {id} is {lines} lines ({chars} characters); {} shown. {} Search \
             the whole of it with search_result {{\"result\": \"{id}\", \"pattern\": \"…\"}}, \
             or read a part with {{\"result\": \"{id}\", \"from_line\": N}}]",
            if keep_tail {
                "the end is"
            } else {
                "the start is"
            },
            if kept {
                ""
            } else {
                "(It could not be kept: only what is shown exists.)"
            },
        );
        let room = max.saturating_sub(note.chars().count() + 1).max(200);
        let shown = budget(&whole, room, keep_tail);
        if keep_tail {
            format!("{note}\n{shown}")
        } else {
            format!("{shown}\n{note}")
        }
    }

    /// Keeps `text` under `id`; false when it could not be written.
    fn keep(&self, id: &str, text: Arc<str>) -> bool {
        if let Some(dir) = &self.folder {
            return std::fs::create_dir_all(dir)
                .and_then(|_| std::fs::write(dir.join(format!("{id}.txt")), text.as_bytes()))
                .is_ok();
        }
        let mut memory = self.memory.lock().unwrap_or_else(|p| p.into_inner());
        memory.push_back((id.to_string(), text));
        let mut total: usize = memory.iter().map(|(_, t)| t.len()).sum();
        while total > MEMORY_CAP && memory.len() > 1 {
            if let Some((_, t)) = memory.pop_front() {
                total -= t.len();
            }
        }
        true
    }

    /// The whole result `id`.
    pub fn get(&self, id: &str) -> Result<Arc<str>, UnknownResult> {
        let id = id.trim();
        let memory = self.memory.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, t)) = memory.iter().find(|(i, _)| i == id) {
            return Ok(t.clone());
        }
        let from_file = self
            .folder
            .as_ref()
            .filter(|_| is_id(id))
            .and_then(|d| std::fs::read_to_string(d.join(format!("{id}.txt"))).ok());
        if let Some(t) = from_file {
            return Ok(t.into());
        }
        let kept = self.next.load(Ordering::Relaxed) - 1;
        Err(UnknownResult {
            id: id.to_string(),
            known: match kept {
                0 => "; no result has been cut in this session".into(),
                n => format!("; this session has r1 to r{n}"),
            },
        })
    }
}

/// `r` and digits only (an id never names a path).
fn is_id(id: &str) -> bool {
    id.strip_prefix('r')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_big_result_is_cut_with_a_note_and_kept_whole() {
        let store = ResultStore::default();
        store.set_budget(10);
        assert_eq!(store.budget(), MIN_BUDGET, "a budget has a floor");
        let text: String = (0..2000).map(|i| format!("line {i}\n")).collect();
        let shown = store.fit("get_logs", text.clone(), true);
        assert!(shown.chars().count() <= MIN_BUDGET + 200, "{}", shown.len());
        assert!(
            shown.starts_with("[get_logs result r1 is 2000 lines"),
            "{shown}"
        );
        assert!(shown.ends_with("line 1999"), "the tail is kept: {shown}");
        assert_eq!(&*store.get("r1").unwrap(), text.as_str());
        let shown = store.fit("diagnose", text.clone(), false);
        assert!(
            shown.starts_with("line 0\n") && shown.contains("result r2"),
            "{shown}"
        );
        // Small results pass whole and take no id.
        assert_eq!(store.fit("x", "short".into(), false), "short");
        let err = store.get("r9").unwrap_err().to_string();
        assert!(err.contains("r1 to r2"), "{err}");
        assert!(store.get("../etc/passwd").is_err());
    }

    #[test]
    fn results_in_a_folder_survive_the_memory_and_ids_never_name_paths() {
        let dir = std::env::temp_dir().join(format!("todo-ops-results-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = ResultStore::in_folder(dir.clone());
        store.set_budget(MIN_BUDGET);
        let big = "x".repeat(MIN_BUDGET * 3);
        store.fit("a", big.clone(), false);
        store.fit("b", big.clone() + "y", false);
        assert_eq!(&*store.get("r1").unwrap(), big.as_str());
        assert!(dir.join("r2.txt").is_file());
        assert!(store.get("r1/../r2").is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
