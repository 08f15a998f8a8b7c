//! `job-failed`: a Job gave up (`BackoffLimitExceeded`, `DeadlineExceeded`). Its pods'
//! exit codes and last lines are the evidence; the pod analyzers, which see those pods as
//! the Job's, name the field to change, and a Job's template being fixed once created, the
//! repair creates it again.

use super::{finding, name};
use crate::analyzers::{Finding, Severity, owner_of};
use crate::snapshot::Snapshot;

/// A finding per failed Job.
pub fn analyze(snap: &Snapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    for job in &snap.kinds.jobs {
        let Some(failed) = job["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["type"] == "Failed" && c["status"] == "True")
        else {
            continue;
        };
        let n = name(job);
        let reason = failed["reason"].as_str().unwrap_or("Failed");
        let mut evidence = vec![format!(
            "condition Failed: {reason}: {}",
            failed["message"].as_str().unwrap_or_default()
        )];
        for pod in snap.pods.iter().filter(|p| {
            p["metadata"]["ownerReferences"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|o| o["kind"] == "Job" && o["name"] == n)
        }) {
            for cs in pod["status"]["containerStatuses"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let t = &cs["state"]["terminated"];
                if let Some(code) = t["exitCode"].as_i64() {
                    evidence.push(format!(
                        "pod {} container {}: exit code {code} ({})",
                        name(pod),
                        cs["name"].as_str().unwrap_or_default(),
                        t["reason"].as_str().unwrap_or_default()
                    ));
                }
            }
        }
        // The object a repair changes: the CronJob that makes the Job, else the Job.
        let object = snap
            .pods
            .iter()
            .find(|p| p["metadata"]["labels"]["job-name"] == n)
            .map_or_else(|| format!("job/{n}"), |p| owner_of(snap, p));
        let f = finding(
            "job-failed",
            Severity::Error,
            object,
            job,
            format!("job {n} failed ({reason}) and will not try again"),
            evidence,
            vec![],
        );
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_failed_job_is_named_with_its_reason_and_a_complete_one_is_silent() {
        let job = |t: &str, r: &str| {
            json!({"metadata": {"name": "migrate"}, "status": {"conditions": [
            {"type": t, "status": "True", "reason": r, "message": "Job has reached the specified backoff limit"}]}})
        };
        let pod = json!({"metadata": {"name": "migrate-x", "labels": {"job-name": "migrate"},
            "ownerReferences": [{"kind": "Job", "name": "migrate", "controller": true}]},
            "status": {"containerStatuses": [{"name": "migrate", "state": {"terminated": {"exitCode": 127, "reason": "Error"}}}]}});
        let mut snap = Snapshot {
            pods: vec![pod],
            ..Default::default()
        };
        snap.kinds.jobs = vec![job("Failed", "BackoffLimitExceeded")];
        let f = analyze(&snap);
        assert_eq!(f[0].object, "job/migrate");
        assert!(f[0].summary.contains("BackoffLimitExceeded"));
        assert!(f[0].evidence.iter().any(|e| e.contains("exit code 127")));
        snap.kinds.jobs = vec![job("Complete", "")];
        assert!(analyze(&snap).is_empty());
    }
}
