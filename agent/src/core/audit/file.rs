//! The audit log file: appended one whole line at a time, read back skipping a torn line.

use std::io::{BufRead, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::entry::AuditEntry;

/// Where the audit log is kept unless `--audit` says otherwise:
/// `$XDG_STATE_HOME/todo-ops/audit.jsonl`.
pub fn default_path() -> PathBuf {
    todo_ops_tools::user_dirs::UserDir::State
        .path()
        .join("audit.jsonl")
}

/// An audit log that cannot be opened or read.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The file could not be opened, read or written.
    #[error(
        "audit log {path}: {source}; choose a writable file with --audit FILE (or TODO_OPS_AUDIT)"
    )]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The path is a folder, not a file.
    #[error("audit log {path} is a folder; --audit takes a file, e.g. {path}/audit.jsonl")]
    Folder {
        /// The path.
        path: PathBuf,
    },
}

/// The open audit log of one session.
pub struct AuditLog {
    path: PathBuf,
    session: String,
    file: Mutex<std::fs::File>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("path", &self.path)
            .field("session", &self.session)
            .finish()
    }
}

impl AuditLog {
    /// Opens `path` for appending (creating it and its folder, readable by its owner only).
    /// A last line left torn by a crash is ended first, so the next entry stays whole.
    pub fn open(path: &Path, session: &str) -> Result<Self, AuditError> {
        let io = |source| AuditError::Io {
            path: path.to_path_buf(),
            source,
        };
        if path.is_dir() {
            return Err(AuditError::Folder {
                path: path.to_path_buf(),
            });
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.read(true).append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(io)?;
        if ends_torn(&mut file).map_err(io)? {
            file.write_all(b"\n").map_err(io)?;
        }
        Ok(Self {
            path: path.to_path_buf(),
            session: session.to_string(),
            file: Mutex::new(file),
        })
    }

    /// The session whose calls this log records.
    pub fn session(&self) -> &str {
        &self.session
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry as one write, synced to disk. A failure is a warning: the call it
    /// records has already happened, and the person learns the record is incomplete.
    pub fn append(&self, entry: &AuditEntry) {
        let Ok(mut line) = serde_json::to_string(entry) else {
            return;
        };
        line.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let written = file
            .write_all(line.as_bytes())
            .and_then(|_| file.sync_data());
        if let Err(e) = written {
            tracing::warn!(
                "could not write to the audit log {}: {e}",
                self.path.display()
            );
            eprintln!(
                "warning: could not write to the audit log {}: {e}",
                self.path.display()
            );
        }
    }
}

/// Whether the file's last byte is not a newline (a write cut short).
fn ends_torn(file: &mut std::fs::File) -> std::io::Result<bool> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(false);
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
}

/// An audit log as read: its entries, and a warning per line that is not one.
#[derive(Debug, Default)]
pub struct ReadLog {
    /// The entries, oldest first.
    pub entries: Vec<AuditEntry>,
    /// "line N: …" for each line skipped.
    pub warnings: Vec<String>,
}

/// Reads the audit log at `path`; a line that is not an entry (a torn write) is skipped
/// with a warning and never hides the lines around it. A missing file is an empty log.
pub fn read(path: &Path) -> Result<ReadLog, AuditError> {
    let io = |source| AuditError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ReadLog::default()),
        Err(e) => return Err(io(e)),
    };
    let mut log = ReadLog::default();
    for (i, line) in std::io::BufReader::new(file).split(b'\n').enumerate() {
        let line = line.map_err(io)?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice(&line) {
            Ok(entry) => log.entries.push(entry),
            Err(e) => log.warnings.push(format!(
                "{}, line {}: not a complete audit entry ({e}); skipped (a write cut short by a crash)",
                path.display(),
                i + 1
            )),
        }
    }
    Ok(log)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::audit::{Decision, Draft};
    use crate::protocol::CallStatus;

    fn entry(tool: &str) -> AuditEntry {
        AuditEntry {
            time: "2026-12-05T10:00:00Z".into(),
            session: "s1".into(),
            identity: "admin".into(),
            context: "kubesim".into(),
            tool: tool.into(),
            verb: "update".into(),
            namespace: "default".into(),
            arguments: serde_json::json!({"deployment": "web"}),
            preview: None,
            decision: Draft::new(tool).decision,
            decided_by: "changes ask".into(),
            outcome: CallStatus::Done,
            message: "ok".into(),
            changed: vec![],
        }
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_the_next_entry_stays_whole() {
        let dir = std::env::temp_dir().join(format!("todo-ops-audit-{}", std::process::id()));
        let path = dir.join("audit.jsonl");
        let _ = std::fs::remove_dir_all(&dir);
        let log = AuditLog::open(&path, "s1").unwrap();
        log.append(&entry("scale"));
        drop(log);
        // A crash mid-write leaves half a line.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"{\"time\":\"2026-12-05T10:00:01Z\",\"sess")
            .unwrap();
        drop(f);
        let read_back = read(&path).unwrap();
        assert_eq!(read_back.entries.len(), 1);
        assert!(
            read_back.warnings[0].contains("line 2"),
            "{:?}",
            read_back.warnings
        );
        // The next session appends after it, whole.
        let log = AuditLog::open(&path, "s2").unwrap();
        log.append(&entry("patch"));
        let read_back = read(&path).unwrap();
        let tools: Vec<&str> = read_back.entries.iter().map(|e| e.tool.as_str()).collect();
        assert_eq!(tools, ["scale", "patch"]);
        assert_eq!(read_back.entries[1].decision, Decision::Invalid);
        assert_eq!(read_back.warnings.len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(
                mode & 0o077,
                0,
                "the audit log is readable by others: {mode:o}"
            );
        }
        // A folder is refused with the way out.
        let err = AuditLog::open(&dir, "s3").err().unwrap().to_string();
        assert!(
            err.contains("is a folder") && err.contains("--audit"),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
