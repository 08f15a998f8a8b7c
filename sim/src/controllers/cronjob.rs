//! The CronJob controller: a Job from the template at each time the schedule names (the
//! most recent one when several were missed), with the concurrency policy, history limits,
//! `suspend` and the real job names and events. Schedules run on kubesim's clock: with a
//! time scale of 10 a `*/1` schedule fires every six seconds.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::ControllerConfig;
use super::workload::owner_ref;
use crate::events::{Kind, Recorder};
use crate::meta::{self, ident, owned_by};
use crate::resources::{CRON_JOB, JOB};
use crate::store::Store;

const COMPONENT: &str = "cronjob-controller";
/// How many missed times the controller tolerates before it refuses to catch up.
const MAX_MISSED: usize = 100;

/// What the controller remembers: its clock's origin, each CronJob's last scheduled time
/// on that clock, and which finished jobs it has already reported.
pub struct CronState {
    origin: SystemTime,
    last: HashMap<String, DateTime<Utc>>,
    reported: HashSet<String>,
}

impl Default for CronState {
    fn default() -> Self {
        Self {
            origin: SystemTime::now(),
            last: HashMap::new(),
            reported: HashSet::new(),
        }
    }
}

impl CronState {
    /// A wall-clock time on kubesim's clock, which runs `time_scale` times faster.
    fn on_sim_clock(&self, t: SystemTime, cfg: &ControllerConfig) -> DateTime<Utc> {
        let since = t.duration_since(self.origin).unwrap_or_default();
        DateTime::<Utc>::from(self.origin + since.mul_f64(cfg.time_scale.max(0.001)))
    }
}

fn job_finished(job: &Value) -> Option<&str> {
    job["status"]["conditions"]
        .as_array()?
        .iter()
        .find_map(|c| {
            (matches!(c["type"].as_str(), Some("Complete" | "Failed")) && c["status"] == "True")
                .then(|| c["type"].as_str().unwrap_or_default())
        })
}

/// The newest schedule time after `after` and not after `now`, and how many were missed.
fn due(
    cron: &croner::Cron,
    after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> (Option<DateTime<Utc>>, usize) {
    let mut latest = None;
    let mut count = 0;
    let mut t = after;
    while let Ok(next) = cron.find_next_occurrence(&t, false) {
        if next > now || count > MAX_MISSED {
            break;
        }
        latest = Some(next);
        count += 1;
        t = next;
    }
    (latest, count)
}

/// One pass over every CronJob.
pub fn reconcile(store: &Store, cfg: &ControllerConfig, state: &mut CronState, rec: &mut Recorder) {
    let jobs = store.all(&JOB);
    let now = state.on_sim_clock(SystemTime::now(), cfg);
    for cj in store.all(&CRON_JOB) {
        let (_, _, uid) = ident(&cj);
        let mine: Vec<&Value> = jobs.iter().filter(|j| owned_by(j, &uid)).collect();
        report_finished(store, state, rec, &cj, &mine);
        prune_history(store, rec, &cj, &mine);
        if cj["spec"]["suspend"] != true {
            schedule(store, cfg, state, rec, &cj, &mine, now);
        }
        update_status(store, &cj);
    }
    let live: HashSet<String> = store.all(&CRON_JOB).iter().map(|c| ident(c).2).collect();
    state.last.retain(|uid, _| live.contains(uid));
}

#[allow(clippy::too_many_arguments)]
fn schedule(
    store: &Store,
    cfg: &ControllerConfig,
    state: &mut CronState,
    rec: &mut Recorder,
    cj: &Value,
    mine: &[&Value],
    now: DateTime<Utc>,
) {
    let (name, ns, uid) = ident(cj);
    let pattern = cj["spec"]["schedule"].as_str().unwrap_or_default();
    let cron = match croner::Cron::from_str(pattern) {
        Ok(c) => c,
        Err(e) => {
            rec.record(
                store,
                cj,
                Kind::Warning,
                "UnparseableSchedule",
                &format!("unparseable schedule: {pattern:?} : {e}"),
                COMPONENT,
            );
            return;
        }
    };
    let created = cj["metadata"]["creationTimestamp"]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| state.on_sim_clock(SystemTime::from(t), cfg))
        .unwrap_or(now);
    let after = *state.last.entry(uid.clone()).or_insert(created.min(now));
    let (Some(when), missed) = due(&cron, after, now) else {
        return;
    };
    state.last.insert(uid, when);
    if missed > MAX_MISSED {
        rec.record(store, cj, Kind::Warning, "TooManyMissedTimes",
            "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew", COMPONENT);
    }
    let active: Vec<&&Value> = mine.iter().filter(|j| job_finished(j).is_none()).collect();
    match cj["spec"]["concurrencyPolicy"].as_str().unwrap_or("Allow") {
        "Forbid" if !active.is_empty() => {
            rec.record(store, cj, Kind::Normal, "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy is Forbid", COMPONENT);
            return;
        }
        "Replace" => {
            for j in active {
                let (jname, _, _) = ident(j);
                if store.delete(&JOB, &ns, &jname).is_ok() {
                    rec.record(
                        store,
                        cj,
                        Kind::Normal,
                        "SuccessfulDelete",
                        &format!("Deleted job {jname}"),
                        COMPONENT,
                    );
                }
            }
        }
        _ => {}
    }
    let template = &cj["spec"]["jobTemplate"];
    let job_name = format!("{name}-{}", when.timestamp() / 60);
    let mut annotations = template["metadata"]["annotations"].clone();
    annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"] =
        json!(when.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    let job = json!({
        "metadata": {
            "name": job_name,
            "labels": template["metadata"]["labels"],
            "annotations": annotations,
            "ownerReferences": [owner_ref(cj)],
        },
        "spec": template["spec"],
    });
    match store.create(&JOB, &ns, job) {
        Ok(_) => {
            rec.record(
                store,
                cj,
                Kind::Normal,
                "SuccessfulCreate",
                &format!("Created job {job_name}"),
                COMPONENT,
            );
            let _ = store.modify(&CRON_JOB, &ns, &name, |c| {
                c["status"]["lastScheduleTime"] = json!(meta::now());
                Ok(())
            });
        }
        Err(crate::status::ApiError::AlreadyExists { .. }) => {}
        Err(e) => rec.record(
            store,
            cj,
            Kind::Warning,
            "FailedCreate",
            &format!("Error creating job: {e}"),
            COMPONENT,
        ),
    }
}

fn report_finished(
    store: &Store,
    state: &mut CronState,
    rec: &mut Recorder,
    cj: &Value,
    mine: &[&Value],
) {
    let (name, ns, _) = ident(cj);
    for j in mine {
        let Some(condition) = job_finished(j) else {
            continue;
        };
        let (jname, _, juid) = ident(j);
        if !state.reported.insert(juid) {
            continue;
        }
        rec.record(
            store,
            cj,
            Kind::Normal,
            "SawCompletedJob",
            &format!("Saw completed job: {jname}, status: {condition}"),
            COMPONENT,
        );
        if condition == "Complete" {
            let done = j["status"]["completionTime"].clone();
            let _ = store.modify(&CRON_JOB, &ns, &name, |c| {
                c["status"]["lastSuccessfulTime"] = done;
                Ok(())
            });
        }
    }
}

/// Keeps the newest `successfulJobsHistoryLimit` complete and `failedJobsHistoryLimit`
/// failed jobs.
fn prune_history(store: &Store, rec: &mut Recorder, cj: &Value, mine: &[&Value]) {
    let (_, ns, _) = ident(cj);
    for (condition, limit_key, default) in [
        ("Complete", "successfulJobsHistoryLimit", 3),
        ("Failed", "failedJobsHistoryLimit", 1),
    ] {
        let limit = cj["spec"][limit_key].as_i64().unwrap_or(default).max(0) as usize;
        let mut done: Vec<&&Value> = mine
            .iter()
            .filter(|j| job_finished(j) == Some(condition))
            .collect();
        if done.len() <= limit {
            continue;
        }
        done.sort_by_key(|j| {
            j["metadata"]["creationTimestamp"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        });
        for j in &done[..done.len() - limit] {
            let (jname, _, _) = ident(j);
            if store.delete(&JOB, &ns, &jname).is_ok() {
                rec.record(
                    store,
                    cj,
                    Kind::Normal,
                    "SuccessfulDelete",
                    &format!("Deleted job {jname}"),
                    COMPONENT,
                );
            }
        }
    }
}

fn update_status(store: &Store, cj: &Value) {
    let (name, ns, uid) = ident(cj);
    let Ok(cj) = store.get(&CRON_JOB, &ns, &name) else {
        return;
    };
    let active: Vec<Value> = store
        .all(&JOB)
        .iter()
        .filter(|j| owned_by(j, &uid) && job_finished(j).is_none())
        .map(|j| {
            let (jname, jns, juid) = ident(j);
            json!({"kind": "Job", "namespace": jns, "name": jname, "uid": juid, "apiVersion": "batch/v1", "resourceVersion": j["metadata"]["resourceVersion"]})
        })
        .collect();
    let mut status = cj["status"].clone();
    if !status.is_object() {
        status = json!({});
    }
    if active.is_empty() {
        if let Some(m) = status.as_object_mut() {
            m.remove("active");
        }
    } else {
        status["active"] = json!(active);
    }
    super::workload::write_status(store, &CRON_JOB, &cj, status);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_newest_missed_time_is_due() {
        let cron = croner::Cron::from_str("*/5 * * * *").unwrap();
        let after = DateTime::parse_from_rfc3339("2026-01-01T00:01:00Z")
            .unwrap()
            .to_utc();
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:17:30Z")
            .unwrap()
            .to_utc();
        let (when, missed) = due(&cron, after, now);
        assert_eq!(when.unwrap().to_rfc3339(), "2026-01-01T00:15:00+00:00");
        assert_eq!(missed, 3);
        let (none, _) = due(&cron, now, now);
        assert!(none.is_none());
    }
}
