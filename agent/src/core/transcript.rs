//! Session transcripts: the session's event stream as JSON lines (what was asked, what the
//! model answered and called, what the person confirmed and what each tool returned),
//! redacted before it is written, so `todo-ops replay` can run the session again.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::protocol::Event;

/// Sees every event of a session as it happens (the recorder, the replay checker).
pub trait Observer: Send + Sync {
    /// One event, already redacted.
    fn observe(&self, event: &Event);
}

/// Several observers seeing the same entries, in order.
pub struct Tee(pub Vec<std::sync::Arc<dyn Observer>>);

impl Observer for Tee {
    fn observe(&self, event: &Event) {
        for o in &self.0 {
            o.observe(event);
        }
    }
}

/// A transcript that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    /// The file could not be opened, read or written.
    #[error("transcript {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A line is not a transcript entry.
    #[error(
        "transcript {path}, line {line}: {message} (each line must be one JSON entry written by todo-ops chat --record)"
    )]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Writes entries to a JSONL file as they happen, so a crashed session keeps its record.
pub struct Recorder {
    path: PathBuf,
    file: Mutex<std::fs::File>,
}

impl Recorder {
    /// Creates (or truncates) `path`.
    pub fn create(path: &Path) -> Result<Self, TranscriptError> {
        let io = |source| TranscriptError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let file = std::fs::File::create(path).map_err(io)?;
        Ok(Self {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    /// Appends to `path` (a resumed session goes on in its own file).
    pub fn append(path: &Path) -> Result<Self, TranscriptError> {
        let file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .map_err(|source| TranscriptError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(Self {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }
}

impl Observer for Recorder {
    fn observe(&self, event: &Event) {
        if !event.is_durable() {
            return;
        }
        let Ok(mut line) = serde_json::to_string(event) else {
            return;
        };
        line.push('\n');
        let written = match self.file.lock() {
            Ok(mut f) => f.write_all(line.as_bytes()).and_then(|_| f.flush()),
            Err(_) => return,
        };
        if let Err(e) = written {
            // The session goes on; the person learns the record is incomplete.
            tracing::warn!(
                "could not write to the transcript {}: {e}",
                self.path.display()
            );
        }
    }
}

/// Reads a transcript; empty lines are skipped.
pub fn read(path: &Path) -> Result<Vec<Event>, TranscriptError> {
    let file = std::fs::File::open(path).map_err(|source| TranscriptError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|source| TranscriptError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let entry = serde_json::from_str(&line).map_err(|e| TranscriptError::Malformed {
            path: path.to_path_buf(),
            line: i + 1,
            message: e.to_string(),
        })?;
        out.push(entry);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{CallStatus, ToolCall};

    #[test]
    fn entries_round_trip_and_a_bad_line_is_named() {
        let dir = std::env::temp_dir().join(format!("todo-ops-transcript-{}", std::process::id()));
        let path = dir.join("t.jsonl");
        let rec = Recorder::create(&path).unwrap();
        let entries = vec![
            Event::Input {
                text: "why?".into(),
            },
            Event::ModelTurn {
                text: String::new(),
                tool_calls: vec![ToolCall {
                    id: "c1".into(),
                    name: "list_pods".into(),
                    arguments: "{}".into(),
                }],
            },
            Event::Confirmation {
                tool: "scale".into(),
                arguments: serde_json::json!({"replicas": 2}),
                approved: false,
            },
            Event::ToolResult {
                call_id: "c1".into(),
                name: "list_pods".into(),
                status: CallStatus::Done,
                content: "no pods".into(),
                data: Some(serde_json::json!([])),
            },
        ];
        for e in &entries {
            rec.observe(e);
        }
        // Passing events are not written.
        rec.observe(&Event::TextDelta { text: "x".into() });
        assert_eq!(read(&path).unwrap(), entries);
        std::fs::write(
            &path,
            "{\"kind\":\"input\",\"text\":\"a\"}\n\n{\"kind\":\"nonsense\"}\n",
        )
        .unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(err.contains("line 3") && err.contains("nonsense"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
