//! `todo-ops eval`: the agent's own benchmark. Each task in `tests/evals/*.toml` names a
//! kubesim scenario (or none), the person's prompt and a verifier of the cluster afterwards;
//! every run gets a fresh kubesim with the chatbot as real processes.

pub mod run;
pub mod suite;
pub mod verify;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One task.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// Its name (the file name without `.toml`).
    #[serde(skip)]
    pub name: String,
    /// The kubesim scenario that breaks the chatbot first (none: healthy).
    #[serde(default)]
    pub scenario: Option<String>,
    /// A Helm upgrade made before the prompt (e.g. something to roll back).
    #[serde(default)]
    pub setup_upgrade: Option<SetupUpgrade>,
    /// What the person asks.
    pub prompt: String,
    /// How long the cluster may take to show the verified state, in seconds.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// What must hold afterwards.
    pub verify: Verify,
}

fn default_timeout() -> u64 {
    120
}

/// An upgrade made while setting a task up.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupUpgrade {
    /// The release.
    pub release: String,
    /// The values patch.
    pub patch: Value,
}

/// What the verifier checks.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verify {
    /// Both Deployments rolled out with every replica Ready, and diagnose finds no error.
    #[serde(default)]
    pub healthy: bool,
    /// Finding ids diagnose must no longer report.
    #[serde(default)]
    pub findings_gone: Vec<String>,
    /// Desired replicas per Deployment.
    #[serde(default)]
    pub replicas: BTreeMap<String, i64>,
    /// Release → dotted values key → the value it must have (user-supplied values).
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, Value>>,
    /// Nothing changed: Helm revisions and Deployment generations as before the prompt.
    #[serde(default)]
    pub unchanged: bool,
    /// Words the answer must contain (case-insensitive).
    #[serde(default)]
    pub answer_contains: Vec<String>,
    /// Once the rest holds, no container of the chatbot restarts for a few seconds.
    #[serde(default)]
    pub restarts_stable: bool,
}

/// A task file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// The folder or a file could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// What.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not a task.
    #[error("{path}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// The tasks in `dir` whose name contains `pattern` (all without one), sorted by name.
pub fn load(dir: &Path, pattern: Option<&str>) -> Result<Vec<Task>, TaskError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| TaskError::Io { path, source }
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if pattern.is_some_and(|p| !name.contains(p)) {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        let mut task: Task = toml::from_str(&text).map_err(|e| TaskError::Malformed {
            path: path.clone(),
            message: e.to_string(),
        })?;
        if let Some(s) = &task.scenario
            && crate::ops::scenarios::find(s).is_err()
        {
            return Err(TaskError::Malformed {
                path,
                message: format!(
                    "scenario {s:?} is not a kubesim scenario (todo-ops sim scenario --list)"
                ),
            });
        }
        task.name = name;
        out.push(task);
    }
    Ok(out)
}

/// The tasks folder: `given` (`--tasks`), the settings file's, else the built-in tasks.
pub fn tasks_dir(given: Option<&Path>) -> Result<PathBuf, crate::ops::bundle::BundleError> {
    crate::ops::bundle::Bundled::Tasks.folder(given)
}

/// One run of one task.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    /// Whether the verifier passed.
    pub passed: bool,
    /// Why not, when it did not.
    pub failures: Vec<String>,
    /// Model calls in the turn.
    pub model_calls: u32,
    /// Prompt plus completion tokens, as the server reports them or estimated.
    pub tokens: u32,
    /// Whether `tokens` is an estimate (the server reported no usage).
    pub tokens_estimated: bool,
    /// Seconds from the prompt to the verdict.
    pub seconds: f64,
}

impl RunResult {
    /// A run that never started, and why.
    pub fn not_run(why: String) -> Self {
        Self {
            passed: false,
            failures: vec![why],
            model_calls: 0,
            tokens: 0,
            tokens_estimated: false,
            seconds: 0.0,
        }
    }
}

/// A task's runs, summed up.
#[derive(Debug, Clone, Serialize)]
pub struct TaskReport {
    /// The task.
    pub task: String,
    /// Each run.
    pub runs: Vec<RunResult>,
}

impl TaskReport {
    /// Share of runs that passed.
    pub fn pass_at_1(&self) -> f64 {
        if self.runs.is_empty() {
            return 0.0;
        }
        self.runs.iter().filter(|r| r.passed).count() as f64 / self.runs.len() as f64
    }

    /// Whether any run passed.
    pub fn pass_at_k(&self) -> bool {
        self.runs.iter().any(|r| r.passed)
    }

    /// Whether every run passed (Pass^k: the agent is reliable, not lucky).
    pub fn pass_hat_k(&self) -> bool {
        !self.runs.is_empty() && self.runs.iter().all(|r| r.passed)
    }

    fn mean(&self, f: impl Fn(&RunResult) -> f64) -> f64 {
        if self.runs.is_empty() {
            return 0.0;
        }
        self.runs.iter().map(f).sum::<f64>() / self.runs.len() as f64
    }
}

/// The whole evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Who answered.
    pub brain: String,
    /// Runs per task.
    pub runs_per_task: u32,
    /// Per task.
    pub tasks: Vec<TaskReport>,
}

impl Report {
    /// Tasks with every run passing.
    pub fn all_passed(&self) -> bool {
        self.tasks.iter().all(|t| t.runs.iter().all(|r| r.passed))
    }

    /// Markdown: one row per task, then the totals; estimated token counts start with `~`.
    pub fn markdown(&self) -> String {
        let k = self.runs_per_task;
        let approx = |estimated: bool| if estimated { "~" } else { "" };
        let mut out = format!(
            "# todo-ops eval: {}\n\n| task | pass@1 | pass@{k} | pass^{k} | model calls | tokens | seconds |\n|---|---|---|---|---|---|---|\n",
            self.brain
        );
        for t in &self.tasks {
            out.push_str(&format!(
                "| {} | {:.2} | {} | {} | {:.1} | {}{:.0} | {:.1} |\n",
                t.task,
                t.pass_at_1(),
                if t.pass_at_k() { "yes" } else { "no" },
                if t.pass_hat_k() { "yes" } else { "no" },
                t.mean(|r| f64::from(r.model_calls)),
                approx(t.runs.iter().any(|r| r.tokens_estimated)),
                t.mean(|r| f64::from(r.tokens)),
                t.mean(|r| r.seconds),
            ));
        }
        let n = self.tasks.len().max(1) as f64;
        out.push_str(&format!(
            "| **total ({} tasks)** | {:.2} | {:.2} | {:.2} | {:.1} | {}{:.0} | {:.1} |\n",
            self.tasks.len(),
            self.tasks.iter().map(TaskReport::pass_at_1).sum::<f64>() / n,
            self.tasks.iter().filter(|t| t.pass_at_k()).count() as f64 / n,
            self.tasks.iter().filter(|t| t.pass_hat_k()).count() as f64 / n,
            self.tasks
                .iter()
                .map(|t| t.mean(|r| f64::from(r.model_calls)))
                .sum::<f64>()
                / n,
            approx(
                self.tasks
                    .iter()
                    .any(|t| t.runs.iter().any(|r| r.tokens_estimated))
            ),
            self.tasks
                .iter()
                .map(|t| t.mean(|r| f64::from(r.tokens)))
                .sum::<f64>(),
            self.tasks
                .iter()
                .map(|t| t.mean(|r| r.seconds))
                .sum::<f64>(),
        ));
        let failed: Vec<String> = self
            .tasks
            .iter()
            .flat_map(|t| {
                t.runs
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| !r.passed)
                    .map(move |(i, r)| {
                        format!("- {} run {}: {}", t.task, i + 1, r.failures.join("; "))
                    })
            })
            .collect();
        if !failed.is_empty() {
            out.push_str("\nFailed runs:\n");
            out.push_str(&failed.join("\n"));
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_s_tasks_load_and_cover_every_scenario() {
        let tasks = load(&tasks_dir(None).unwrap(), None).unwrap();
        assert!(tasks.len() >= 15, "{} tasks", tasks.len());
        for s in crate::ops::scenarios::SCENARIOS {
            assert!(
                tasks.iter().any(|t| t.scenario.as_deref() == Some(s.name)),
                "no task for scenario {}",
                s.name
            );
        }
        assert!(
            tasks.iter().any(|t| t.verify.unchanged),
            "an explain-only task"
        );
    }

    #[test]
    fn a_bad_task_names_its_file() {
        let dir = std::env::temp_dir().join(format!("todo-ops-evals-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("x.toml"),
            "prompt = \"hi\"\n[verify]\nhealthy = 1\n",
        )
        .unwrap();
        let err = load(&dir, None).unwrap_err().to_string();
        assert!(err.contains("x.toml") && err.contains("healthy"), "{err}");
        std::fs::write(
            dir.join("x.toml"),
            "scenario = \"nope\"\nprompt = \"hi\"\n[verify]\n",
        )
        .unwrap();
        assert!(
            load(&dir, None)
                .unwrap_err()
                .to_string()
                .contains("not a kubesim scenario")
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
