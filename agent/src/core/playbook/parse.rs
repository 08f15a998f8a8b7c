//! Reading a playbook file: front matter, prose, and fenced `step` blocks. Every mistake is
//! reported with the file and line and what to write instead.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use super::expect::Expectation;
use super::{Playbook, PlaybookError, Step};

/// Parses the text of `path`.
pub fn parse(path: &Path, text: &str) -> Result<Playbook, PlaybookError> {
    let err = |line: usize, message: String| PlaybookError::Malformed {
        path: path.to_path_buf(),
        line,
        message,
    };
    let lines: Vec<&str> = text.lines().collect();
    if lines.first().map(|l| l.trim()) != Some("---") {
        return Err(err(
            1,
            "a playbook starts with front matter: a line ---, then name:, title:, when:, then ---"
                .into(),
        ));
    }
    let close = lines
        .iter()
        .skip(1)
        .position(|l| l.trim() == "---")
        .map(|i| i + 1)
        .ok_or_else(|| err(1, "the front matter is not closed with a line ---".into()))?;
    let (mut name, mut title, mut when, mut scenario) = (None, None, None, None);
    for (i, line) in lines.iter().enumerate().take(close).skip(1) {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| err(i + 1, format!("{line:?} is not a `key: value` line")))?;
        let v = v.trim().to_string();
        let slot = match k.trim() {
            "name" => &mut name,
            "title" => &mut title,
            "when" => &mut when,
            "scenario" => &mut scenario,
            other => {
                return Err(err(
                    i + 1,
                    format!(
                        "unknown front matter key {other:?}; the keys are name, title, when, scenario"
                    ),
                ));
            }
        };
        *slot = Some(v);
    }
    let need = |v: Option<String>, key: &str| {
        v.filter(|s| !s.is_empty())
            .ok_or_else(|| err(1, format!("the front matter has no {key}:")))
    };
    let (name, title, when) = (
        need(name, "name")?,
        need(title, "title")?,
        need(when, "when")?,
    );
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if name != stem {
        return Err(err(
            2,
            format!("name {name:?} differs from the file name {stem:?}; rename one so they match"),
        ));
    }
    if let Some(s) = scenario
        .as_deref()
        .filter(|s| kubesim_scenario(s).is_none())
    {
        return Err(err(
            1,
            format!("scenario {s:?} is not a kubesim scenario (todo-ops sim scenario --list)"),
        ));
    }

    let mut steps = Vec::new();
    let mut i = close + 1;
    while i < lines.len() {
        let line = lines[i].trim_start();
        if line.starts_with("```step") {
            let open = i + 1;
            let end = lines[i + 1..]
                .iter()
                .position(|l| l.trim_start().starts_with("```"))
                .map(|p| i + 1 + p)
                .ok_or_else(|| err(open, "this step block is never closed with ```".into()))?;
            steps.push(step(&lines[i + 1..end], open + 1, &err)?);
            i = end + 1;
        } else {
            i += 1;
        }
    }
    if steps.is_empty() {
        return Err(err(
            close + 1,
            "a playbook needs at least one ```step block (a tool call, then expect: and wait: lines)".into(),
        ));
    }
    Ok(Playbook {
        name,
        title,
        when,
        scenario,
        body: lines[close + 1..].join("\n").trim().to_string() + "\n",
        steps,
        path: path.to_path_buf(),
    })
}

fn kubesim_scenario(name: &str) -> Option<&'static crate::ops::scenarios::Scenario> {
    crate::ops::scenarios::SCENARIOS
        .iter()
        .find(|s| s.name == name)
}

/// One block: `TOOL [JSON]`, then `expect:` and `wait:` lines; `#` starts a comment.
fn step(
    body: &[&str],
    first_line: usize,
    err: &dyn Fn(usize, String) -> PlaybookError,
) -> Result<Step, PlaybookError> {
    let mut call: Option<(usize, String, Value)> = None;
    let (mut expects, mut wait) = (Vec::new(), None);
    for (k, raw) in body.iter().enumerate() {
        let n = first_line + k;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(e) = line.strip_prefix("expect:") {
            expects.push(Expectation::parse(e).map_err(|m| err(n, m))?);
        } else if let Some(w) = line.strip_prefix("wait:") {
            let w = w.trim();
            let secs: u64 = w
                .strip_suffix('s')
                .unwrap_or(w)
                .parse()
                .map_err(|_| err(n, format!("wait: {w:?} is not a number of seconds")))?;
            wait = Some(Duration::from_secs(secs));
        } else if call.is_none() {
            let (tool, args) = line.split_once(char::is_whitespace).unwrap_or((line, "{}"));
            if todo_ops_tools::tools::find(tool).is_none() {
                let known: Vec<&str> = todo_ops_tools::tools::registry()
                    .iter()
                    .map(|t| t.name())
                    .collect();
                return Err(err(
                    n,
                    format!("unknown tool {tool:?}; the tools are: {}", known.join(", ")),
                ));
            }
            let args: Value = serde_json::from_str(args.trim()).map_err(|e| {
                err(
                    n,
                    format!("the arguments of {tool} are not a JSON object ({e})"),
                )
            })?;
            if !args.is_object() {
                return Err(err(
                    n,
                    format!("the arguments of {tool} must be a JSON object"),
                ));
            }
            call = Some((n, tool.to_string(), args));
        } else {
            return Err(err(
                n,
                format!(
                    "{line:?}: a step is one tool call, then expect: and wait: lines; start another ```step block for another call"
                ),
            ));
        }
    }
    let Some((line, tool, args)) = call else {
        return Err(err(
            first_line,
            "this step block has no tool call; write e.g. diagnose {}".into(),
        ));
    };
    let step = Step {
        line,
        tool,
        args,
        expects,
        wait,
    };
    if step.wait.is_some() && step.changes_cluster() {
        return Err(err(line, "wait: retries a step, and a change is never retried; put the wait on the check after it".into()));
    }
    Ok(step)
}
