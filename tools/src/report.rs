//! The one renderer of diagnoses, for people, programs and the model: text (which the
//! diagnose tool sends the model, without colour), markdown, JSON.

use std::fmt::Write;

use crate::analyzers::Severity;
use crate::diagnose::Diagnosis;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For a terminal.
    Text,
    /// For an issue or a PR.
    Markdown,
    /// For programs.
    Json,
}

fn label(s: Severity) -> &'static str {
    match s {
        Severity::Error => "ERROR",
        Severity::Warning => "WARN",
    }
}

fn fix_line(release: Option<&String>, patch: &serde_json::Value) -> String {
    match release {
        Some(r) => format!("helm upgrade {r} with values {patch}"),
        None => format!("values {patch}"),
    }
}

/// Renders a diagnosis.
pub fn render(d: &Diagnosis, format: Format) -> String {
    render_styled(d, format, false)
}

/// Renders a diagnosis; `color` adds ANSI colours to the text format (for a terminal).
pub fn render_styled(d: &Diagnosis, format: Format, color: bool) -> String {
    let mut out = String::new();
    let n = d.findings.len();
    let problems = if n == 1 {
        "1 problem".to_string()
    } else {
        format!("{n} problems")
    };
    match format {
        Format::Json => return serde_json::to_string_pretty(d).unwrap_or_default() + "\n",
        Format::Text => {
            let _ = writeln!(
                out,
                "todo-ops diagnose: namespace {}, {} pods, {}",
                d.namespace,
                d.pods,
                if n == 0 { "healthy".into() } else { problems }
            );
            for f in &d.findings {
                let sev = format!("{:<5}", label(f.severity));
                let sev = match (color, f.severity) {
                    (false, _) => sev,
                    (true, Severity::Error) => format!("\x1b[1;31m{sev}\x1b[0m"),
                    (true, Severity::Warning) => format!("\x1b[1;33m{sev}\x1b[0m"),
                };
                let object = if color {
                    format!("\x1b[1m{}\x1b[0m", f.object)
                } else {
                    f.object.clone()
                };
                let _ = writeln!(out, "\n{sev}  {object}  [{}]", f.id);
                let _ = writeln!(out, "  {}", f.summary);
                if !f.cause.is_empty() {
                    let _ = writeln!(out, "  cause: {}", f.cause);
                }
                for e in &f.evidence {
                    let _ = writeln!(out, "    - {e}");
                }
                let _ = writeln!(out, "  playbook: {}", f.playbook);
                if let Some(a) = &f.suggested_action {
                    let _ = writeln!(out, "  suggested action: {a}");
                }
                if let Some(p) = &f.suggested_patch {
                    let _ = writeln!(out, "  suggested fix: {}", fix_line(f.release.as_ref(), p));
                }
            }
        }
        Format::Markdown => {
            let _ = writeln!(out, "# Diagnosis of namespace `{}`\n", d.namespace);
            let _ = writeln!(
                out,
                "{} pods, {}.",
                d.pods,
                if n == 0 { "healthy".into() } else { problems }
            );
            for f in &d.findings {
                let _ = writeln!(out, "\n## {} `{}`: {}\n", label(f.severity), f.object, f.id);
                let _ = writeln!(out, "{}\n", f.summary);
                if !f.cause.is_empty() {
                    let _ = writeln!(out, "Cause: {}\n", f.cause);
                }
                for e in &f.evidence {
                    let _ = writeln!(out, "- `{}`", e.replace('`', "'"));
                }
                let _ = writeln!(out, "\nPlaybook: `{}`", f.playbook);
                if let Some(a) = &f.suggested_action {
                    let _ = writeln!(out, "\nSuggested action: {a}");
                }
                if let Some(p) = &f.suggested_patch {
                    let _ = writeln!(out, "\nSuggested fix: {}", fix_line(f.release.as_ref(), p));
                }
            }
        }
    }
    out
}
