//! `todo-ops audit`: the audit log read back, filtered by time and session.

use anyhow::{Context, Result};
use k8s_openapi::jiff::{SignedDuration, Timestamp};

use crate::commands::cli::{AuditFormat, AuditReadArgs};
use crate::core::audit::{AuditEntry, default_path, read};

/// The instant `--since` names: a duration back from now, or an RFC 3339 time.
pub fn since(text: &str, now: Timestamp) -> Result<Timestamp> {
    let t = text.trim();
    if let Ok(at) = t.parse::<Timestamp>() {
        return Ok(at);
    }
    // jiff reads `2h`, `30m`, `1h 30m`; a day is 24 hours here, as in kubectl's --since.
    let duration = match t.strip_suffix('d').map(str::parse::<i64>) {
        Some(Ok(days)) => Ok(SignedDuration::from_hours(days.saturating_mul(24))),
        _ => t.parse::<SignedDuration>(),
    }
    .ok()
    .filter(|d| !d.is_negative());
    let duration = duration.with_context(|| {
        format!(
            "--since {text:?} is neither a duration (30m, 2h, 1d) nor an RFC 3339 time (2026-12-05T10:00:00Z)"
        )
    })?;
    now.checked_sub(duration)
        .with_context(|| format!("--since {text:?} reaches before the start of time"))
}

/// Prints the entries the flags select; warnings for torn lines go to stderr.
pub fn show(a: &AuditReadArgs) -> Result<u8> {
    let path = a.file.audit.clone().unwrap_or_else(default_path);
    let log = read(&path)?;
    for w in &log.warnings {
        eprintln!("warning: {w}");
    }
    let from = a
        .since
        .as_deref()
        .map(|s| since(s, Timestamp::now()))
        .transpose()?;
    let chosen = log.entries.iter().filter(|e| {
        a.session.as_deref().is_none_or(|s| e.session == s)
            && from.is_none_or(|f| e.time.parse::<Timestamp>().is_ok_and(|t| t >= f))
    });
    for e in chosen {
        match a.output {
            AuditFormat::Json => println!("{}", serde_json::to_string(e)?),
            AuditFormat::Text => println!("{}", line(e)),
        }
    }
    Ok(0)
}

/// One entry as a person scans it: when, which session, what, on what, decided how.
pub fn line(e: &AuditEntry) -> String {
    let object = crate::core::approval::target_of(&e.arguments);
    let mut out = format!(
        "{} {} {}@{} {} {} ({}) → {:?} by {}; {:?}",
        e.time,
        e.session,
        if e.identity.is_empty() {
            "?"
        } else {
            &e.identity
        },
        if e.context.is_empty() {
            "?"
        } else {
            &e.context
        },
        e.tool,
        object,
        e.namespace,
        e.decision,
        e.decided_by,
        e.outcome,
    );
    for c in &e.changed {
        out.push_str(&format!(
            "; {}/{} {} → {}",
            c.object.kind,
            c.object.name,
            c.before.as_deref().unwrap_or("absent"),
            c.after.as_deref().unwrap_or("absent")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_reads_durations_days_and_times_and_names_bad_input() {
        let now: Timestamp = "2026-12-05T12:00:00Z".parse().unwrap();
        let at = |s: &str| since(s, now).unwrap().to_string();
        assert_eq!(at("30m"), "2026-12-05T11:30:00Z");
        assert_eq!(at("2h"), "2026-12-05T10:00:00Z");
        assert_eq!(at("1d"), "2026-12-04T12:00:00Z");
        assert_eq!(at("2026-12-01T00:00:00Z"), "2026-12-01T00:00:00Z");
        let err = since("yesterday", now).unwrap_err().to_string();
        assert!(err.contains("yesterday") && err.contains("30m"), "{err}");
        assert!(since("-5m", now).is_err());
    }
}
