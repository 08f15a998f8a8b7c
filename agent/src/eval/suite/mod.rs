//! Task folders in the k8s-ai-bench format (`task.yaml`, `setup.sh`, `verify.sh`,
//! `cleanup.sh`), so `todo-ops eval --suite DIR` runs the public benchmark's tasks and ours
//! the same way. A folder that cannot be used is a failed task with its reason, never the
//! end of the run.

pub mod run;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// `task.yaml` as the benchmark's harness reads it (fields it ignores are ignored here too).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskFile {
    /// The set-up script, relative to the task folder.
    #[serde(default)]
    pub setup: Option<String>,
    /// The verifier script; exit 0 passes.
    #[serde(default)]
    pub verifier: Option<String>,
    /// The clean-up script, always run at the end.
    #[serde(default)]
    pub cleanup: Option<String>,
    /// `easy`, `medium` or `hard`.
    #[serde(default)]
    pub difficulty: Option<String>,
    /// A Go duration (`10m`, `90s`) for set-up, agent and verifier together.
    #[serde(default)]
    pub timeout: Option<String>,
    /// Regular expressions the answer must (or must not) match.
    #[serde(default)]
    pub expect: Vec<Expectation>,
    /// The prompts, in order.
    #[serde(default)]
    pub script: Vec<ScriptStep>,
    /// Skipped when true.
    #[serde(default)]
    pub disabled: bool,
}

/// One expectation on the answer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Expectation {
    /// A regular expression the answer must match.
    #[serde(default)]
    pub contains: Option<String>,
    /// A regular expression the answer must not match.
    #[serde(default)]
    pub not_contains: Option<String>,
}

/// One prompt, inline or from a file in the task folder.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScriptStep {
    /// The prompt text.
    #[serde(default)]
    pub prompt: Option<String>,
    /// A file holding the prompt.
    #[serde(default)]
    pub prompt_file: Option<String>,
}

/// A task ready to run.
#[derive(Debug, Clone)]
pub struct SuiteTask {
    /// The folder's name.
    pub name: String,
    /// The folder.
    pub dir: PathBuf,
    /// What the person asks (every step, each ending in a newline, as the harness sends them).
    pub prompt: String,
    /// Set-up, verifier and clean-up scripts.
    pub setup: Option<PathBuf>,
    /// The verifier.
    pub verifier: Option<PathBuf>,
    /// The clean-up.
    pub cleanup: Option<PathBuf>,
    /// The answer's expectations.
    pub expect: Vec<Expectation>,
    /// For set-up, agent and verifier together.
    pub timeout: Duration,
}

/// One entry of a suite folder: a task, a folder that cannot be used (and why), or a
/// disabled task.
#[derive(Debug, Clone)]
pub enum Entry {
    /// Runnable.
    Task(SuiteTask),
    /// Not runnable: the folder name and the reason.
    Unusable(String, String),
    /// `disabled: true`.
    Disabled(String),
}

/// The harness's default time for one task.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// The task folders directly under `dir` whose name matches `pattern` (a regular expression,
/// as the harness's `--task-pattern`), sorted by name.
pub fn load(dir: &Path, pattern: Option<&str>) -> Result<Vec<Entry>, String> {
    let pattern = pattern
        .map(regex::Regex::new)
        .transpose()
        .map_err(|e| format!("--tasks is not a regular expression: {e}"))?;
    // Scripts run in their task's folder, so every path is made absolute first.
    let dir = &std::path::absolute(dir)
        .map_err(|e| format!("the suite folder {}: {e}", dir.display()))?;
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("reading the suite folder {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    Ok(dirs
        .into_iter()
        .filter_map(|d| {
            let name = d.file_name()?.to_string_lossy().into_owned();
            if pattern.as_ref().is_some_and(|p| !p.is_match(&name)) {
                return None;
            }
            Some(match read(&d, &name) {
                Ok(Some(t)) => Entry::Task(t),
                Ok(None) => Entry::Disabled(name),
                Err(why) => Entry::Unusable(name, why),
            })
        })
        .collect())
}

/// One folder: the task, `None` when disabled, or why it cannot run.
fn read(dir: &Path, name: &str) -> Result<Option<SuiteTask>, String> {
    let file = dir.join("task.yaml");
    let text = std::fs::read_to_string(&file)
        .map_err(|e| format!("{} cannot be read: {e}", file.display()))?;
    let t: TaskFile = serde_norway::from_str(&text)
        .map_err(|e| format!("{} is not valid: {e}", file.display()))?;
    if t.disabled {
        return Ok(None);
    }
    let script = |field: &str, rel: &Option<String>| -> Result<Option<PathBuf>, String> {
        let Some(rel) = rel else { return Ok(None) };
        let path = dir.join(rel);
        if path.is_file() {
            Ok(Some(path))
        } else {
            Err(format!("its {field} {} does not exist", path.display()))
        }
    };
    let mut prompt = String::new();
    for (i, step) in t.script.iter().enumerate() {
        let text = match (&step.prompt, &step.prompt_file) {
            (Some(p), _) => p.clone(),
            (None, Some(f)) => std::fs::read_to_string(dir.join(f))
                .map_err(|e| format!("script step {} reads {f}: {e}", i + 1))?,
            (None, None) => return Err(format!("script step {} has no prompt", i + 1)),
        };
        prompt.push_str(&text);
        prompt.push('\n');
    }
    if prompt.trim().is_empty() {
        return Err("task.yaml has no prompt (script: - prompt: …)".into());
    }
    let verifier = script("verifier", &t.verifier)?;
    if verifier.is_none() && t.expect.is_empty() {
        return Err(
            "task.yaml has neither a verifier nor expectations, so nothing can pass".into(),
        );
    }
    for e in &t.expect {
        for re in [&e.contains, &e.not_contains].into_iter().flatten() {
            regex::Regex::new(re).map_err(|err| format!("expectation {re:?}: {err}"))?;
        }
    }
    let timeout = match &t.timeout {
        Some(s) => go_duration(s)
            .ok_or_else(|| format!("timeout {s:?} is not a duration like 10m, 90s or 1h30m"))?,
        None => DEFAULT_TIMEOUT,
    };
    Ok(Some(SuiteTask {
        name: name.to_string(),
        dir: dir.to_path_buf(),
        prompt,
        setup: script("setup", &t.setup)?,
        verifier,
        cleanup: script("cleanup", &t.cleanup)?,
        expect: t.expect,
        timeout,
    }))
}

/// A Go duration string (`1h30m`, `90s`, `1.5m`, `300ms`), as the harness parses `timeout`.
pub fn go_duration(s: &str) -> Option<Duration> {
    let mut rest = s.trim();
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0_f64;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let value: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..u] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += value * seconds;
        rest = &rest[u..];
    }
    Some(Duration::from_secs_f64(total))
}

/// The expectations `answer` does not meet, each said as a failure.
pub fn unmet(expect: &[Expectation], answer: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in expect {
        if let Some(re) = &e.contains
            && !regex::Regex::new(re).is_ok_and(|r| r.is_match(answer))
        {
            out.push(format!("the answer does not match {re:?}"));
        }
        if let Some(re) = &e.not_contains
            && regex::Regex::new(re).is_ok_and(|r| r.is_match(answer))
        {
            out.push(format!("the answer matches {re:?}, which it must not"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_read_as_the_harness_reads_them() {
        assert_eq!(go_duration("10m"), Some(Duration::from_secs(600)));
        assert_eq!(go_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(go_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(go_duration("300ms"), Some(Duration::from_millis(300)));
        for bad in ["", "10", "m", "10 minutes", "5d"] {
            assert_eq!(go_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn expectations_are_regular_expressions_on_the_answer() {
        let e = vec![
            Expectation {
                contains: Some("division by (zero|0)".into()),
                not_contains: None,
            },
            Expectation {
                contains: None,
                not_contains: Some("VIOLATING: resource-002".into()),
            },
        ];
        assert!(unmet(&e, "ZeroDivisionError: division by zero").is_empty());
        let both = unmet(&e, "VIOLATING: resource-002");
        assert_eq!(both.len(), 2, "{both:?}");
    }

    #[test]
    fn bad_folders_are_reported_one_by_one() {
        let root = std::env::temp_dir().join(format!("todo-ops-suite-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let mk = |name: &str, yaml: Option<&str>, files: &[&str]| {
            let d = root.join(name);
            std::fs::create_dir_all(&d).unwrap();
            if let Some(y) = yaml {
                std::fs::write(d.join("task.yaml"), y).unwrap();
            }
            for f in files {
                std::fs::write(d.join(f), "#!/bin/sh\n").unwrap();
            }
        };
        mk(
            "a-good",
            Some("script:\n- prompt: scale web to 2\nverifier: verify.sh\ntimeout: 2m\n"),
            &["verify.sh"],
        );
        mk("b-no-yaml", None, &[]);
        mk(
            "c-no-verify",
            Some("script:\n- prompt: hi\nverifier: verify.sh\n"),
            &[],
        );
        mk("d-disabled", Some("disabled: true\n"), &[]);
        mk(
            "e-bad-timeout",
            Some("script:\n- prompt: hi\nexpect:\n- contains: x\ntimeout: soon\n"),
            &[],
        );
        mk("f-no-prompt", Some("verifier: verify.sh\n"), &["verify.sh"]);
        let entries = load(&root, None).unwrap();
        let why = |name: &str| {
            entries.iter().find_map(|e| match e {
                Entry::Unusable(n, w) if n == name => Some(w.clone()),
                _ => None,
            })
        };
        assert!(
            matches!(&entries[0], Entry::Task(t) if t.timeout == Duration::from_secs(120) && t.prompt == "scale web to 2\n")
        );
        assert!(
            why("b-no-yaml")
                .unwrap()
                .contains("task.yaml cannot be read")
        );
        assert!(why("c-no-verify").unwrap().contains("verifier"));
        assert!(matches!(&entries[3], Entry::Disabled(n) if n == "d-disabled"));
        assert!(why("e-bad-timeout").unwrap().contains("\"soon\""));
        assert!(why("f-no-prompt").unwrap().contains("no prompt"));
        assert_eq!(load(&root, Some("^a-")).unwrap().len(), 1);
        assert!(
            load(&root, Some("("))
                .unwrap_err()
                .contains("regular expression")
        );
        let _ = std::fs::remove_dir_all(root);
    }
}
