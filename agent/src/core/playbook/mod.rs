//! Playbooks (`playbooks/*.md`): procedures for people and the model, whose fenced `step`
//! blocks are tool calls with the results they must show, so `todo-ops playbook run` can
//! follow one with no model at all.

pub mod expect;
pub mod parse;
pub mod run;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use expect::Expectation;

/// One playbook.
#[derive(Debug, Clone)]
pub struct Playbook {
    /// Its name (the file name without `.md`).
    pub name: String,
    /// One line for people.
    pub title: String,
    /// The findings or symptoms it covers.
    pub when: String,
    /// The kubesim scenario it is tested against, if any.
    pub scenario: Option<String>,
    /// Everything after the front matter (prose and steps).
    pub body: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// Where it was read from.
    pub path: PathBuf,
}

/// One tool call and what its result must show.
#[derive(Debug, Clone)]
pub struct Step {
    /// Line of the call in the file.
    pub line: usize,
    /// The tool.
    pub tool: String,
    /// Its arguments.
    pub args: Value,
    /// What the result must show.
    pub expects: Vec<Expectation>,
    /// Retry (read-only steps) until the expectations hold, up to this long.
    pub wait: Option<Duration>,
}

impl Step {
    /// Whether its tool changes the cluster (an unknown tool counts as one).
    pub fn changes_cluster(&self) -> bool {
        todo_ops_tools::tools::find(&self.tool).is_none_or(|t| t.mutates())
    }
}

impl Playbook {
    /// The first step that changes the cluster: the repair a playbook applies.
    pub fn repair(&self) -> Option<&Step> {
        self.steps.iter().find(|s| s.changes_cluster())
    }
}

/// A playbook that cannot be found or read.
#[derive(Debug, thiserror::Error)]
pub enum PlaybookError {
    /// The file or folder could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A mistake in a playbook file.
    #[error("{path}:{line}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong and what to write.
        message: String,
    },
    /// No playbook of that name.
    #[error("no playbook named {name:?}; the playbooks are: {known} (todo-ops playbook list)")]
    Unknown {
        /// The name asked for.
        name: String,
        /// The names there are.
        known: String,
    },
    /// The playbooks folder cannot be used.
    #[error(transparent)]
    Folder(#[from] crate::ops::bundle::BundleError),
}

/// The playbooks folder: `given` (`--playbooks`), the settings file's, else the built-in ones.
pub fn playbooks_dir(given: Option<&Path>) -> Result<PathBuf, PlaybookError> {
    Ok(crate::ops::bundle::Bundled::Playbooks.folder(given)?)
}

/// The playbooks of the default folder (the settings file's, else the built-in ones).
pub fn load_default() -> Result<Vec<Playbook>, PlaybookError> {
    load_dir(&playbooks_dir(None)?)
}

/// Every `*.md` in `dir`, sorted by name; the first malformed one is an error.
pub fn load_dir(dir: &Path) -> Result<Vec<Playbook>, PlaybookError> {
    let io = |source| PlaybookError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).map_err(|source| PlaybookError::Io {
                path: p.clone(),
                source,
            })?;
            parse::parse(p, &text)
        })
        .collect()
}

/// The playbook called `name`.
pub fn find<'a>(all: &'a [Playbook], name: &str) -> Result<&'a Playbook, PlaybookError> {
    all.iter()
        .find(|p| p.name == name)
        .ok_or_else(|| PlaybookError::Unknown {
            name: name.to_string(),
            known: all
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// The index the model sees: one line per playbook, name and when to use it.
pub fn index(all: &[Playbook]) -> String {
    all.iter()
        .map(|p| format!("- {}: {} (when: {})", p.name, p.title, p.when))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `docs/troubleshooting.md`: every playbook, generated (a test keeps the file current).
pub fn troubleshooting_doc(all: &[Playbook]) -> String {
    let mut out = String::from(
        "# Troubleshooting the Todo chatbot\n\n\
         Generated from `playbooks/*.md` by `todo-ops playbook docs`; do not edit by hand.\n\
         Each section is a playbook: `todo-ops playbook run NAME` follows its steps (every change\n\
         waits for your yes), and `todo-ops chat` knows them by name.\n\n",
    );
    for p in all {
        out.push_str(&format!("- [{}](#{}) — {}\n", p.title, p.name, p.when));
    }
    for p in all {
        out.push_str(&format!(
            "\n<a id=\"{}\"></a>\n## {}\n\n`{}` — when: {}",
            p.name, p.title, p.name, p.when
        ));
        if let Some(s) = &p.scenario {
            out.push_str(&format!(
                " (reproduce: `todo-ops sim start --scenario {s}`)"
            ));
        }
        out.push_str("\n\n");
        out.push_str(&p.body);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Playbook, String> {
        parse::parse(Path::new("playbooks/demo.md"), text).map_err(|e| e.to_string())
    }

    const GOOD: &str = "---\nname: demo\ntitle: A demo\nwhen: always\n---\n\nProse.\n\n```step\n# look\ndiagnose {}\nexpect: findings[] empty\nwait: 30s\n```\n\n```step\nscale {\"deployment\": \"todo-backend\", \"replicas\": 2}\n```\n";

    #[test]
    fn a_playbook_reads_into_steps() {
        let p = parse(GOOD).unwrap();
        assert_eq!((p.name.as_str(), p.title.as_str()), ("demo", "A demo"));
        assert_eq!(p.steps.len(), 2);
        assert_eq!(p.steps[0].tool, "diagnose");
        assert_eq!(p.steps[0].line, 11);
        assert_eq!(p.steps[0].wait, Some(Duration::from_secs(30)));
        assert_eq!(p.steps[1].args["replicas"], 2);
        assert!(p.body.starts_with("Prose."));
    }

    #[test]
    fn mistakes_name_file_and_line() {
        for (bad, says) in [
            (
                GOOD.replace("---\nname", "name"),
                "demo.md:1: a playbook starts with front matter",
            ),
            (
                GOOD.replace("title: A demo\n", ""),
                "demo.md:1: the front matter has no title",
            ),
            (
                GOOD.replace("name: demo", "name: other"),
                "demo.md:2: name \"other\" differs",
            ),
            (
                GOOD.replace("when:", "wen:"),
                "demo.md:4: unknown front matter key \"wen\"",
            ),
            (
                GOOD.replace("diagnose {}", "diagnoze {}"),
                "demo.md:11: unknown tool \"diagnoze\"",
            ),
            (
                GOOD.replace("diagnose {}", "diagnose {"),
                "demo.md:11: the arguments of diagnose are not a JSON object",
            ),
            (
                GOOD.replace("findings[] empty", "findings[] is empty"),
                "demo.md:12: unknown operator",
            ),
            (
                GOOD.replace("wait: 30s", "wait: soon"),
                "demo.md:13: wait: \"soon\"",
            ),
            (
                GOOD.replace("2}\n```", "2}\nwait: 10\n```"),
                "demo.md:17: wait: retries a step",
            ),
            (
                GOOD.replace("# look\n", "# look\nlist_pods {}\n"),
                "demo.md:12: \"diagnose {}\": a step is one tool call",
            ),
            (
                GOOD.trim_end().trim_end_matches("```").to_string(),
                "demo.md:16: this step block is never closed",
            ),
        ] {
            let err = parse(&bad).unwrap_err();
            assert!(err.contains(says), "want {says:?}, got {err:?}");
        }
    }
}
