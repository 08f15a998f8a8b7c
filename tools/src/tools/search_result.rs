//! `search_result`: grep (with context lines) or page through a result that was too big for
//! the model and was kept whole under an id (`r1`, …) for the session.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tool::{ToolContext, ToolError, ToolRun, TypedTool};

/// Lines shown around each match when the model names no number.
const DEFAULT_CONTEXT: usize = 2;
/// Matches shown when the model names no number.
const DEFAULT_MATCHES: usize = 40;
/// Lines read from `from_line` when the model names no number.
const DEFAULT_LINES: usize = 100;

/// Arguments of `search_result`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchResultArgs {
    /// The id the note under a cut result names, e.g. `r3`.
    pub result: String,
    /// A regular expression (case-insensitive) whose matching lines are shown with context;
    /// leave it out to read lines from `from_line`.
    #[serde(default)]
    pub pattern: Option<String>,
    /// Lines shown before and after each match (default 2, at most 20).
    #[serde(default)]
    #[schemars(range(max = 20))]
    pub context_lines: Option<usize>,
    /// The most matches shown (default 40, at most 200).
    #[serde(default)]
    #[schemars(range(min = 1, max = 200))]
    pub max_matches: Option<usize>,
    /// Without a pattern: the first line to read (1-based; default 1).
    #[serde(default)]
    pub from_line: Option<usize>,
    /// Without a pattern: how many lines (default 100, at most 500).
    #[serde(default)]
    #[schemars(range(min = 1, max = 500))]
    pub lines: Option<usize>,
}

/// What was found.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Found {
    /// The result searched.
    pub result: String,
    /// How many lines the result has.
    pub total_lines: usize,
    /// How many lines matched (all of them, not only those shown).
    pub matches: usize,
    /// The lines shown, numbered from 1; `None` separates groups.
    pub lines: Vec<Option<(usize, String)>>,
}

/// The tool.
pub struct SearchResult;

impl TypedTool for SearchResult {
    const NAME: &'static str = "search_result";
    const DESCRIPTION: &'static str = "Search (regex, with context lines) or read part of a tool result that was too long and was kept whole under an id such as r3.";
    const MUTATES: bool = false;
    const NAMESPACED: bool = false;
    type Args = SearchResultArgs;
    type Output = Found;

    fn run<'a>(&'a self, ctx: &'a ToolContext, a: SearchResultArgs) -> ToolRun<'a, Found> {
        Box::pin(async move {
            let whole = ctx
                .results
                .get(&a.result)
                .map_err(|e| ToolError::Retry(e.to_string()))?;
            let all: Vec<&str> = whole.lines().collect();
            let Some(pattern) = a.pattern.as_deref().filter(|p| !p.is_empty()) else {
                let from = a.from_line.unwrap_or(1).max(1);
                let count = a.lines.unwrap_or(DEFAULT_LINES).clamp(1, 500);
                let lines = all
                    .iter()
                    .enumerate()
                    .skip(from - 1)
                    .take(count)
                    .map(|(i, l)| Some((i + 1, l.to_string())))
                    .collect();
                return Ok(Found {
                    result: a.result,
                    total_lines: all.len(),
                    matches: 0,
                    lines,
                });
            };
            let re = regex::RegexBuilder::new(pattern)
                .case_insensitive(true)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| {
                    ToolError::Retry(format!(
                        "pattern {pattern:?} is not a regular expression ({e}); escape special characters or search for plain words"
                    ))
                })?;
            let hits: Vec<usize> = (0..all.len()).filter(|&i| re.is_match(all[i])).collect();
            let context = a.context_lines.unwrap_or(DEFAULT_CONTEXT).min(20);
            let shown_hits = a.max_matches.unwrap_or(DEFAULT_MATCHES).clamp(1, 200);
            Ok(Found {
                lines: with_context(&all, &hits[..hits.len().min(shown_hits)], context),
                result: a.result,
                total_lines: all.len(),
                matches: hits.len(),
            })
        })
    }

    fn render(&self, f: &Found) -> String {
        let mut out = if f.matches == 0 && f.lines.iter().all(Option::is_none) {
            format!("{}: nothing found in {} lines", f.result, f.total_lines)
        } else if f.matches > 0 {
            format!(
                "{}: {} matching lines of {}:",
                f.result, f.matches, f.total_lines
            )
        } else {
            format!("{} ({} lines):", f.result, f.total_lines)
        };
        for line in &f.lines {
            match line {
                Some((n, text)) => out.push_str(&format!("\n{n}: {text}")),
                None => out.push_str("\n--"),
            }
        }
        out
    }
}

/// The lines of `hits` with `context` lines around each, overlapping groups merged, groups
/// separated by `None`.
fn with_context(all: &[&str], hits: &[usize], context: usize) -> Vec<Option<(usize, String)>> {
    let mut out = Vec::new();
    let mut next_unshown = 0;
    for &h in hits {
        let start = h.saturating_sub(context).max(next_unshown);
        let end = (h + context + 1).min(all.len());
        if start > next_unshown && !out.is_empty() {
            out.push(None);
        }
        for (i, line) in all.iter().enumerate().take(end).skip(start) {
            out.push(Some((i + 1, line.to_string())));
        }
        next_unshown = next_unshown.max(end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_groups_merge_and_are_separated() {
        let all: Vec<&str> = vec!["a", "b", "c", "d", "e", "f", "g", "h"];
        let shown = with_context(&all, &[1, 2, 6], 1);
        let numbers: Vec<Option<usize>> = shown.iter().map(|l| l.as_ref().map(|x| x.0)).collect();
        assert_eq!(
            numbers,
            [
                Some(1),
                Some(2),
                Some(3),
                Some(4),
                None,
                Some(6),
                Some(7),
                Some(8)
            ]
        );
    }
}
