//! `cronjob-suspended`: a CronJob someone suspended runs no Job. Whether it should run again
//! only a person knows, so the finding is a warning: resuming it is applied only when
//! asked for.

use serde_json::{Value, json};

use super::{change, finding, name};
use crate::analyzers::{Finding, Severity};
use crate::snapshot::Snapshot;

/// A finding per suspended CronJob.
pub fn analyze(snap: &Snapshot) -> Vec<Finding> {
    snap.kinds
        .cronjobs
        .iter()
        .filter(|c| c["spec"]["suspend"] == true)
        .map(|c| {
            let n = name(c);
            let object = format!("cronjob/{n}");
            let last = c["status"]["lastScheduleTime"].as_str().unwrap_or("never");
            let mut f = finding(
                "cronjob-suspended",
                Severity::Warning,
                object.clone(),
                c,
                format!("cronjob {n} is suspended: its schedule {:?} starts no Job", c["spec"]["schedule"].as_str().unwrap_or("")),
                vec!["spec.suspend=true".into(), format!("last scheduled: {last}")],
                vec![change(
                    &object,
                    "suspend",
                    Value::Bool(true),
                    json!(false),
                    "resumed as asked; its schedule and Job template are kept".into(),
                )],
            );
            f.suggested_action = Some(format!(
                "a person must decide whether {n} should run again; if so: kubectl patch cronjob {n} -p '{{\"spec\":{{\"suspend\":false}}}}'"
            ));
            f
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suspended_cronjob_is_a_warning_and_an_active_one_is_silent() {
        let cj = |s: bool| json!({"metadata": {"name": "backup"}, "spec": {"suspend": s, "schedule": "*/5 * * * *"}});
        let mut snap = Snapshot::default();
        snap.kinds.cronjobs = vec![cj(true)];
        let f = analyze(&snap);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(
            f[0].suggested_action
                .as_deref()
                .unwrap()
                .contains("must decide")
        );
        snap.kinds.cronjobs = vec![cj(false)];
        assert!(analyze(&snap).is_empty());
    }
}
