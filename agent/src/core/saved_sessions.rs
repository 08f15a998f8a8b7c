//! Saved chat sessions: every chat is written, redacted, under the state folder
//! (`$XDG_STATE_HOME/todo-ops/sessions/ID.jsonl`, the transcript format), so it can be
//! listed and resumed. Approvals ("always") are never saved: a resumed session asks again.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use k8s_openapi::jiff::Timestamp;

use crate::core::transcript::{TranscriptError, read};
use crate::protocol::Event;

/// Where sessions are saved.
pub fn dir() -> PathBuf {
    todo_ops_tools::user_dirs::UserDir::State
        .path()
        .join("sessions")
}

/// A new session id: UTC time to the second, then the process id.
pub fn new_id() -> String {
    format!(
        "{}-{}",
        Timestamp::now().strftime("%Y%m%d-%H%M%S"),
        std::process::id()
    )
}

/// One saved session.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedSession {
    /// Its id (the file name without `.jsonl`).
    pub id: String,
    /// Its file.
    pub path: PathBuf,
    /// Seconds since it was last written.
    pub idle_secs: i64,
    /// The first prompt, as saved (redacted).
    pub first_prompt: String,
    /// How many prompts it holds.
    pub prompts: usize,
}

/// A session that cannot be found or read.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// No session of that id.
    #[error("no saved session {id:?} in {dir}; `todo-ops chat --list-sessions` lists them")]
    Unknown {
        /// The id asked for.
        id: String,
        /// Where sessions are.
        dir: PathBuf,
    },
    /// A session file is unreadable.
    #[error(transparent)]
    Transcript(#[from] TranscriptError),
}

/// The saved sessions in `dir`, newest first (unreadable files are skipped).
pub fn list(dir: &Path) -> Vec<SavedSession> {
    let Ok(read_dir) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let now = SystemTime::now();
    let mut out: Vec<SavedSession> = read_dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .filter_map(|path| {
            let entries = read(&path).ok()?;
            let modified = path.metadata().and_then(|m| m.modified()).ok()?;
            let prompts: Vec<&str> = entries
                .iter()
                .filter_map(|e| match e {
                    Event::Input { text } => Some(text.as_str()),
                    _ => None,
                })
                .collect();
            // A session nobody asked anything in has nothing to resume.
            if prompts.is_empty() {
                return None;
            }
            Some(SavedSession {
                id: path.file_stem()?.to_string_lossy().into_owned(),
                idle_secs: now
                    .duration_since(modified)
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or(0),
                first_prompt: prompts.first().map(|p| one_line(p)).unwrap_or_default(),
                prompts: prompts.len(),
                path,
            })
        })
        .collect();
    // Newest first; ids sort by time, which breaks ties within the same second.
    out.sort_by(|a, b| a.idle_secs.cmp(&b.idle_secs).then(b.id.cmp(&a.id)));
    out
}

fn one_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() > 60 {
        format!("{}…", line.chars().take(60).collect::<String>())
    } else {
        line.to_string()
    }
}

/// The listing a person reads.
pub fn render(sessions: &[SavedSession]) -> String {
    if sessions.is_empty() {
        return "no saved sessions yet\n".into();
    }
    let mut out = String::new();
    for s in sessions {
        out.push_str(&format!(
            "{}  {:>5} ago  {} prompt(s)  {}\n",
            s.id,
            todo_ops_tools::age::human_age(s.idle_secs),
            s.prompts,
            s.first_prompt
        ));
    }
    out
}

/// The file of session `id`, or of the newest one for `latest`.
pub fn resolve(dir: &Path, id: &str) -> Result<PathBuf, SessionError> {
    let unknown = || SessionError::Unknown {
        id: id.to_string(),
        dir: dir.to_path_buf(),
    };
    if id == "latest" {
        return list(dir)
            .into_iter()
            .next()
            .map(|s| s.path)
            .ok_or_else(unknown);
    }
    let path = dir.join(format!("{id}.jsonl"));
    if path.is_file() {
        Ok(path)
    } else {
        Err(unknown())
    }
}

/// The saved entries of session `id` (or `latest`) and its file.
pub fn load(dir: &Path, id: &str) -> Result<(PathBuf, Vec<Event>), SessionError> {
    let path = resolve(dir, id)?;
    let entries = read(&path)?;
    Ok((path, entries))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::transcript::{Observer, Recorder};

    #[test]
    fn sessions_list_newest_first_and_resolve_latest() {
        let dir = std::env::temp_dir().join(format!("todo-ops-sessions-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(render(&list(&dir)), "no saved sessions yet\n");
        for (id, prompt) in [
            ("20261101-100000-1", "why is the backend down?"),
            ("20261102-100000-2", "scale it"),
        ] {
            let r = Recorder::create(&dir.join(format!("{id}.jsonl"))).unwrap();
            r.observe(&Event::Input {
                text: prompt.into(),
            });
        }
        let all = list(&dir);
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].id, "20261102-100000-2");
        assert!(render(&all).contains("1 prompt(s)  scale it"));
        assert_eq!(resolve(&dir, "latest").unwrap(), all[0].path);
        let err = resolve(&dir, "nope").unwrap_err().to_string();
        assert!(err.contains("--list-sessions"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
