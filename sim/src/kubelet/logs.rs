//! Container logs: every stdout/stderr line of every container instance, stored with its
//! time, served as `pods/log` (container, previous, tailLines, sinceSeconds, timestamps).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader};

/// Which log a request wants.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    /// The previous (terminated) instance instead of the current one.
    pub previous: bool,
    /// Only the last N lines.
    pub tail_lines: Option<usize>,
    /// Only lines newer than this many seconds.
    pub since_seconds: Option<u64>,
    /// Prefix each line with its RFC 3339 time.
    pub timestamps: bool,
    /// Whether the container is running now (else its latest instance is the terminated one).
    pub running: bool,
}

type Key = (String, String, String);

/// Log files of every container instance, by (namespace, pod, container).
#[derive(Clone, Default)]
pub struct LogStore {
    dir: PathBuf,
    files: Arc<Mutex<HashMap<Key, Vec<PathBuf>>>>,
}

fn now_micros() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or_default()
}

impl LogStore {
    /// Logs under `dir`.
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            files: Arc::default(),
        }
    }

    /// A new file for the next instance of a container.
    pub fn next_file(&self, ns: &str, pod: &str, container: &str) -> PathBuf {
        let key = (ns.to_string(), pod.to_string(), container.to_string());
        let Ok(mut files) = self.files.lock() else {
            return self.dir.join("poisoned.log");
        };
        let list = files.entry(key).or_default();
        let path = self
            .dir
            .join(format!("{ns}_{pod}_{container}_{}.log", list.len()));
        list.push(path.clone());
        path
    }

    /// Forgets a pod's logs (when it is deleted).
    pub fn forget(&self, ns: &str, pod: &str) {
        if let Ok(mut files) = self.files.lock() {
            files.retain(|(n, p, _), paths| {
                let keep = !(n == ns && p == pod);
                if !keep {
                    for path in paths.iter() {
                        let _ = std::fs::remove_file(path);
                    }
                }
                keep
            });
        }
    }

    /// The containers of a pod that have logs.
    pub fn containers(&self, ns: &str, pod: &str) -> Vec<String> {
        self.files
            .lock()
            .map(|f| {
                f.keys()
                    .filter(|(n, p, _)| n == ns && p == pod)
                    .map(|(_, _, c)| c.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The requested log text, or why there is none.
    pub fn read(
        &self,
        ns: &str,
        pod: &str,
        container: &str,
        q: &LogQuery,
    ) -> Result<String, String> {
        let key = (ns.to_string(), pod.to_string(), container.to_string());
        let paths = self
            .files
            .lock()
            .ok()
            .and_then(|f| f.get(&key).cloned())
            .unwrap_or_default();
        // The previous instance is the one before the running one, or the latest when none runs.
        let back = if q.running { 2 } else { 1 };
        let path =
            if q.previous {
                paths.len().checked_sub(back).and_then(|i| paths.get(i)).ok_or_else(|| {
                format!("previous terminated container \"{container}\" in pod \"{pod}\" not found")
            })?
            } else {
                paths.last().ok_or_else(|| {
                    format!("container \"{container}\" in pod \"{pod}\" is waiting to start")
                })?
            };
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let cutoff = q
            .since_seconds
            .map(|s| now_micros().saturating_sub(u128::from(s) * 1_000_000));
        let mut lines: Vec<String> = text
            .lines()
            .filter_map(|l| {
                let (t, rest) = l.split_once(' ')?;
                let micros: u128 = t.parse().ok()?;
                if cutoff.is_some_and(|c| micros < c) {
                    return None;
                }
                Some(if q.timestamps {
                    let secs = (micros / 1_000_000) as u64;
                    let stamp =
                        crate::meta::rfc3339(UNIX_EPOCH + std::time::Duration::from_secs(secs));
                    format!(
                        "{}.{:06}Z {rest}",
                        stamp.trim_end_matches('Z'),
                        micros % 1_000_000
                    )
                } else {
                    rest.to_string()
                })
            })
            .collect();
        if let Some(n) = q.tail_lines {
            let skip = lines.len().saturating_sub(n);
            lines.drain(..skip);
        }
        let mut out = lines.join("\n");
        if !out.is_empty() {
            out.push('\n');
        }
        Ok(out)
    }
}

/// Copies a child's output into `path`, one timestamped line at a time, and to whoever is
/// attached (`tee`: the channel and the sender).
pub async fn capture(
    stream: impl AsyncRead + Unpin,
    path: &Path,
    tee: Option<(u8, super::exec::OutputTee)>,
) {
    let Ok(mut file) = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .await
    else {
        return;
    };
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let _ = file
            .write_all(format!("{} {line}\n", now_micros()).as_bytes())
            .await;
        if let Some((channel, to)) = &tee {
            // Nobody attached is not an error.
            let _ = to.send((*channel, format!("{line}\n").into_bytes()));
        }
    }
    let _ = file.flush().await;
}
