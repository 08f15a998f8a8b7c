//! The Job controller: runs pods from the template until `completions` succeed (or, for a
//! work queue, until one does), `parallelism` at a time; counts failures against
//! `backoffLimit` with the real back-off between them; ends with the real terminal
//! conditions; honours `activeDeadlineSeconds`, `suspend`, `Indexed` completion and
//! `ttlSecondsAfterFinished`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::ControllerConfig;
use super::workload::{
    PodName, create_pod, delete_pod_of, finished, pod_from_template, pods_of, ready, write_status,
};
use crate::events::{Kind, Recorder};
use crate::meta::{self, ident};
use crate::resources::{JOB, POD};
use crate::store::Store;

const COMPONENT: &str = "job-controller";
/// The annotation (and label) that carries an Indexed pod's index.
pub const INDEX_KEY: &str = "batch.kubernetes.io/job-completion-index";

/// What the controller remembers: when each job last saw a pod fail, for the back-off.
#[derive(Default)]
pub struct JobState {
    failures: HashMap<String, (i64, Instant)>,
}

/// Why a job failed: (reason, message) as the controller words them.
fn failure(
    job: &Value,
    pods: &[Arc<Value>],
    failed: i64,
    cfg: &ControllerConfig,
) -> Option<(&'static str, &'static str)> {
    let spec = &job["spec"];
    let limit = spec["backoffLimit"].as_i64().unwrap_or(6);
    let on_failure = spec["template"]["spec"]["restartPolicy"] == "OnFailure";
    let restarts: i64 = pods
        .iter()
        .filter(|p| !finished(p))
        .flat_map(|p| {
            p["status"]["containerStatuses"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|c| c["restartCount"].as_i64().unwrap_or(0))
        .sum();
    let past_limit = if on_failure {
        if limit == 0 {
            restarts > 0
        } else {
            restarts >= limit
        }
    } else {
        failed > limit
    };
    if past_limit {
        return Some((
            "BackoffLimitExceeded",
            "Job has reached the specified backoff limit",
        ));
    }
    let deadline = spec["activeDeadlineSeconds"].as_i64()?;
    let started = job["status"]["startTime"]
        .as_str()
        .and_then(meta::parse_rfc3339)?;
    let elapsed = (meta::parse_rfc3339(&meta::now()).unwrap_or(started) - started) as f64;
    (elapsed * cfg.time_scale >= deadline as f64).then_some((
        "DeadlineExceeded",
        "Job was active longer than specified deadline",
    ))
}

fn condition(t: &str, reason: &str, message: &str) -> Value {
    let now = meta::now();
    json!({"type": t, "status": "True", "reason": reason, "message": message, "lastProbeTime": now, "lastTransitionTime": now})
}

fn terminal(job: &Value) -> Option<String> {
    job["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|c| {
            (matches!(c["type"].as_str(), Some("Complete" | "Failed")) && c["status"] == "True")
                .then(|| c["type"].as_str().unwrap_or_default().to_string())
        })
}

/// The back-off before the next pod after `failures` failed ones: 10 s doubling, at most
/// 10 min (the 1.32 controller's constants).
fn backoff(failures: i64) -> Duration {
    let exp = (failures - 1).clamp(0, 7) as u32;
    Duration::from_secs(10 * 2u64.pow(exp)).min(Duration::from_secs(600))
}

fn index_of(p: &Value) -> Option<i64> {
    p["metadata"]["annotations"][INDEX_KEY]
        .as_str()?
        .parse()
        .ok()
}

/// `0-2,4` from a sorted list of indexes.
fn ranges(indexes: &[i64]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < indexes.len() {
        let start = indexes[i];
        while i + 1 < indexes.len() && indexes[i + 1] == indexes[i] + 1 {
            i += 1;
        }
        out.push(if start == indexes[i] {
            start.to_string()
        } else {
            format!("{start}-{}", indexes[i])
        });
        i += 1;
    }
    out.join(",")
}

fn new_pod(job: &Value, index: Option<i64>) -> Value {
    let (name, _, _) = ident(job);
    let mut template = job["spec"]["template"].clone();
    let prefix = match index {
        Some(i) => {
            template["metadata"]["annotations"][INDEX_KEY] = json!(i.to_string());
            template["metadata"]["labels"][INDEX_KEY] = json!(i.to_string());
            template["spec"]["hostname"] = json!(format!("{name}-{i}"));
            for c in template["spec"]["containers"]
                .as_array_mut()
                .into_iter()
                .flatten()
            {
                if !c["env"].is_array() {
                    c["env"] = json!([]);
                }
                if let Some(env) = c["env"].as_array_mut() {
                    env.push(json!({"name": "JOB_COMPLETION_INDEX", "value": i.to_string()}));
                }
            }
            format!("{name}-{i}-")
        }
        None => format!("{name}-"),
    };
    pod_from_template(&template, job, PodName::Prefix(prefix))
}

/// One pass over every Job.
pub fn reconcile(store: &Store, cfg: &ControllerConfig, state: &mut JobState, rec: &mut Recorder) {
    let all_pods = store.all_shared(&POD);
    for job in store.all(&JOB) {
        let (_, _, uid) = ident(&job);
        if terminal(&job).is_some() {
            expire(store, cfg, &job);
            continue;
        }
        sync(store, cfg, state, rec, &job, &pods_of(&all_pods, &uid));
    }
    // Forget jobs that are gone (one read of the jobs, not one per remembered job).
    let live: std::collections::HashSet<String> =
        store.all_shared(&JOB).iter().map(|j| ident(j).2).collect();
    state.failures.retain(|uid, _| live.contains(uid));
}

/// A finished job with `ttlSecondsAfterFinished` is deleted (with its pods) once that passes.
fn expire(store: &Store, cfg: &ControllerConfig, job: &Value) {
    let Some(ttl) = job["spec"]["ttlSecondsAfterFinished"].as_i64() else {
        return;
    };
    let done = job["status"]["completionTime"]
        .as_str()
        .or_else(|| {
            job["status"]["conditions"]
                .as_array()?
                .iter()
                .find(|c| c["type"] == "Failed")?["lastTransitionTime"]
                .as_str()
        })
        .and_then(meta::parse_rfc3339);
    let now = meta::parse_rfc3339(&meta::now());
    if let (Some(done), Some(now)) = (done, now)
        && ((now - done) as f64) * cfg.time_scale >= ttl as f64
    {
        let (name, ns, _) = ident(job);
        let _ = store.delete(&JOB, &ns, &name);
    }
}

fn sync(
    store: &Store,
    cfg: &ControllerConfig,
    state: &mut JobState,
    rec: &mut Recorder,
    job: &Value,
    pods: &[Arc<Value>],
) {
    let (_, _, uid) = ident(job);
    let spec = &job["spec"];
    let indexed = spec["completionMode"] == "Indexed";
    let completions = spec["completions"].as_i64();
    let parallelism = spec["parallelism"].as_i64().unwrap_or(1).max(0);
    // Pods being deleted are neither active nor done (the controller's `terminating`).
    let active: Vec<&Arc<Value>> = pods
        .iter()
        .filter(|p| !finished(p) && !crate::graceful::terminating(p))
        .collect();
    let succeeded_pods: Vec<&Arc<Value>> = pods
        .iter()
        .filter(|p| p["status"]["phase"] == "Succeeded")
        .collect();
    let failed = pods
        .iter()
        .filter(|p| p["status"]["phase"] == "Failed")
        .count() as i64;
    let mut done_indexes: Vec<i64> = succeeded_pods.iter().filter_map(|p| index_of(p)).collect();
    done_indexes.sort_unstable();
    done_indexes.dedup();
    let succeeded = if indexed {
        done_indexes.len() as i64
    } else {
        succeeded_pods.len() as i64
    };
    let mut status = job["status"].clone();
    if !status.is_object() {
        status = json!({});
    }
    let suspended = spec["suspend"] == true;
    if !suspended && status["startTime"].is_null() {
        status["startTime"] = json!(meta::now());
    }
    let complete = match completions {
        Some(c) => succeeded >= c,
        None => succeeded > 0 && active.is_empty(),
    };
    let mut conditions: Vec<Value> = status["conditions"].as_array().cloned().unwrap_or_default();
    if complete {
        conditions.push(condition(
            "SuccessCriteriaMet",
            "CompletionsReached",
            "Reached expected number of succeeded pods",
        ));
        conditions.push(condition(
            "Complete",
            "CompletionsReached",
            "Reached expected number of succeeded pods",
        ));
        status["completionTime"] = json!(meta::now());
        for p in &active {
            delete_pod_of(store, rec, job, p, COMPONENT);
        }
        rec.record(
            store,
            job,
            Kind::Normal,
            "Completed",
            "Job completed",
            COMPONENT,
        );
    } else if let Some((reason, message)) = failure(job, pods, failed, cfg) {
        for p in &active {
            delete_pod_of(store, rec, job, p, COMPONENT);
        }
        conditions.push(condition("FailureTarget", reason, message));
        conditions.push(condition("Failed", reason, message));
        rec.record(store, job, Kind::Warning, reason, message, COMPONENT);
    } else if suspended {
        for p in &active {
            delete_pod_of(store, rec, job, p, COMPONENT);
        }
    } else {
        let seen = state
            .failures
            .entry(uid.clone())
            .or_insert((0, Instant::now()));
        if failed > seen.0 {
            *seen = (failed, Instant::now());
        }
        let waiting = failed > 0 && seen.1.elapsed() < cfg.scaled(backoff(failed));
        if !waiting {
            create_pods(
                store,
                rec,
                job,
                &active,
                &done_indexes,
                completions,
                parallelism,
                succeeded,
            );
        }
    }
    let active_now = pods_of(&store.all_shared(&POD), &uid)
        .iter()
        .filter(|p| !finished(p) && !crate::graceful::terminating(p))
        .cloned()
        .collect::<Vec<_>>();
    status["active"] = json!(active_now.len());
    status["ready"] = json!(active_now.iter().filter(|p| ready(p)).count());
    status["succeeded"] = json!(succeeded);
    status["failed"] = json!(failed);
    status["terminating"] = json!(0);
    status["uncountedTerminatedPods"] = json!({});
    if indexed && !done_indexes.is_empty() {
        status["completedIndexes"] = json!(ranges(&done_indexes));
    }
    let had_conditions = status["conditions"].as_array().map_or(0, Vec::len);
    if conditions.len() != had_conditions {
        status["conditions"] = json!(conditions);
    }
    for k in ["active", "succeeded", "failed"] {
        if status[k] == 0
            && let Some(m) = status.as_object_mut()
        {
            m.remove(k);
        }
    }
    write_status(store, &JOB, job, status);
}

#[allow(clippy::too_many_arguments)]
fn create_pods(
    store: &Store,
    rec: &mut Recorder,
    job: &Value,
    active: &[&Arc<Value>],
    done_indexes: &[i64],
    completions: Option<i64>,
    parallelism: i64,
    succeeded: i64,
) {
    let indexed = job["spec"]["completionMode"] == "Indexed";
    let remaining = match completions {
        Some(c) => (c - succeeded).max(0),
        None if succeeded > 0 => 0,
        None => parallelism,
    };
    let want = parallelism.min(remaining) - active.len() as i64;
    let mut next_indexes = (0..completions.unwrap_or(0))
        .filter(|i| !done_indexes.contains(i) && !active.iter().any(|p| index_of(p) == Some(*i)));
    for _ in 0..want.max(0) {
        let index = if indexed {
            match next_indexes.next() {
                Some(i) => Some(i),
                None => break,
            }
        } else {
            None
        };
        if !create_pod(store, rec, job, new_pod(job, index), COMPONENT) {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completed_indexes_are_written_as_ranges() {
        assert_eq!(ranges(&[0, 1, 2, 4, 6, 7]), "0-2,4,6-7");
        assert_eq!(ranges(&[]), "");
    }

    #[test]
    fn backoff_doubles_from_ten_seconds_up_to_ten_minutes() {
        assert_eq!(backoff(1), Duration::from_secs(10));
        assert_eq!(backoff(3), Duration::from_secs(40));
        assert_eq!(backoff(10), Duration::from_secs(600));
    }
}
