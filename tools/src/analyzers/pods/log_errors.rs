//! `log-errors`: a container that runs (and may be Ready) but keeps logging errors — a
//! traceback, a panic, `ERROR` lines — in its recent log. Kubernetes sees nothing wrong, so
//! only the log says the application is failing at its work.

use super::Container;
use crate::analyzers::{Finding, Severity};

/// Error lines in the recent window that make a finding (one could be a passing hiccup).
const AT_LEAST: usize = 2;

/// Whether a log line reports an error, in the forms logging libraries and runtimes write.
pub(crate) fn is_error_line(line: &str) -> bool {
    let words = |w: &str| {
        line.split(|c: char| !c.is_ascii_alphabetic())
            .any(|t| t == w)
    };
    let lower = line.to_ascii_lowercase();
    // klog (Kubernetes and Go programs): `E1130 10:00:00.000000 …` is an error, F fatal.
    let b = line.as_bytes();
    let klog = b.len() > 14
        && matches!(b[0], b'E' | b'F')
        && b[1..5].iter().all(u8::is_ascii_digit)
        && b[5] == b' '
        && b[8] == b':';
    klog || words("ERROR")
        || words("FATAL")
        || words("CRITICAL")
        || line.contains("Traceback (most recent call last)")
        || line.contains("panicked at")
        || lower.contains("\"level\":\"error\"")
        || lower.contains("level=error")
        // `ZeroDivisionError: …`, `java.lang.IllegalStateException: …`
        || line
            .split_whitespace()
            .any(|t| (t.ends_with("Error:") || t.ends_with("Exception:")) && t.len() > 6)
}

/// The finding when a running container's recent log has errors and nothing else explains it.
pub(super) fn check(c: &Container) -> Option<Finding> {
    if !c.status["state"]["running"].is_object() {
        return None;
    }
    let log = c.logs.recent(c.pod_name, c.name)?;
    // A refusal by the API server is its own finding (`rbac-forbidden`), not said twice.
    let errors: Vec<&str> = log
        .lines()
        .filter(|l| is_error_line(l) && super::forbidden::denial(l).is_none())
        .collect();
    if errors.len() < AT_LEAST {
        return None;
    }
    let short = |l: &str| l.chars().take(300).collect::<String>();
    let last = short(errors[errors.len() - 1]);
    let mut evidence = vec![format!(
        "container {}: {} error lines in its recent log ({} lines read)",
        c.name,
        errors.len(),
        log.lines().count()
    )];
    evidence.extend(
        errors
            .iter()
            .rev()
            .take(3)
            .rev()
            .map(|l| format!("log: {}", short(l))),
    );
    let mut f = c.finding(
        "log-errors",
        format!(
            "container {} of pod {} runs but keeps logging errors: {last}",
            c.name, c.pod_name
        ),
        evidence,
        "log-errors",
        vec![],
    );
    f.severity = Severity::Warning;
    Some(f)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::is_error_line;
    use crate::analyzers::Logs;
    use crate::analyzers::pods::analyze;
    use crate::snapshot::Snapshot;

    fn running(log: &str) -> (Snapshot, Logs) {
        let pod = json!({
            "metadata": {"name": "loader"},
            "spec": {"containers": [{"name": "loader"}]},
            "status": {"containerStatuses": [{"name": "loader", "ready": true, "restartCount": 0,
                "state": {"running": {"startedAt": "2026-01-01T10:00:00Z"}}}]}
        });
        let logs = Logs {
            recent: vec![(("loader".into(), "loader".into()), log.into())],
            ..Default::default()
        };
        (
            Snapshot {
                pods: vec![pod],
                ..Default::default()
            },
            logs,
        )
    }

    #[test]
    fn a_running_container_logging_errors_is_a_finding() {
        let (snap, logs) = running(
            "INFO batch 1 read 500 rows\nERROR batch 1: row 42: unexpected column count\nINFO batch 2\nERROR batch 2: row 42: unexpected column count\n",
        );
        let found = analyze(&snap, &logs);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].id, "log-errors");
        assert!(found[0].summary.contains("unexpected column count"));
        assert_eq!(found[0].object, "pod/loader");
    }

    #[test]
    fn quiet_or_once_is_silent() {
        for log in [
            "INFO listening on :8080\nINFO GET /health 200\n",
            "WARN slow query\nERROR one passing hiccup\nINFO recovered\n",
            "INFO 0 errors in 500 rows\nINFO error_rate=0\nDEBUG errorHandler registered\n",
        ] {
            let (snap, logs) = running(log);
            assert!(analyze(&snap, &logs).is_empty(), "{log}");
        }
    }

    #[test]
    fn error_lines_in_the_forms_programs_write() {
        for l in [
            "2026-01-01 ERROR db: connection refused",
            "ZeroDivisionError: division by zero",
            "thread 'main' panicked at src/main.rs:3:5",
            "{\"level\":\"ERROR\",\"msg\":\"x\"}",
            "time=1 level=error msg=boom",
            "Traceback (most recent call last):",
            "E1130 10:00:00.000000       1 reflector.go:158] failed to list",
        ] {
            assert!(is_error_line(l), "{l}");
        }
        for l in [
            "errors=0",
            "INFO no ERRORS here",
            "TerrorBird: fine",
            "I1130 10:00:00.000000       1 main.go:1] started",
            "E12 is a route",
        ] {
            assert!(!is_error_line(l), "{l}");
        }
    }
}
