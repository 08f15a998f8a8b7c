//! The HorizontalPodAutoscaler controller: reads its target's scale and its pods' usage
//! (the kubelet's, which the resource metrics API also serves), computes the replica count
//! each metric asks for, keeps the largest within `minReplicas`..`maxReplicas`, limits how
//! fast it grows and, over a stabilization window, how fast it shrinks, and says in its
//! conditions, `currentMetrics` and events what it did and could not do.

mod replicas;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use self::replicas::{PodReading, metrics_of, recommend};
use crate::kubelet::usage::PodUsage;
use crate::resources::POD;
use crate::selector::LabelSelector;

use crate::events::{Kind, Recorder};
use crate::meta::{self, ident};
use crate::resources::{DEPLOYMENT, HPA, REPLICA_SET, ResourceType, STATEFUL_SET};
use crate::store::Store;

const COMPONENT: &str = "horizontal-pod-autoscaler";

fn target_type(kind: &str) -> Option<&'static ResourceType> {
    match kind {
        "Deployment" => Some(&DEPLOYMENT),
        "ReplicaSet" => Some(&REPLICA_SET),
        "StatefulSet" => Some(&STATEFUL_SET),
        _ => None,
    }
}

fn condition(t: &str, ok: bool, reason: &str, message: &str, old: &[Value]) -> Value {
    let status = if ok { "True" } else { "False" };
    let since = old
        .iter()
        .find(|c| c["type"] == t && c["status"] == status)
        .map(|c| c["lastTransitionTime"].clone())
        .unwrap_or_else(|| json!(meta::now()));
    json!({"type": t, "status": status, "reason": reason, "message": message, "lastTransitionTime": since})
}

/// How long a scale-down waits for the highest recommendation to pass (the default
/// `behavior.scaleDown.stabilizationWindowSeconds`), before the time scale.
const SCALE_DOWN_WINDOW: Duration = Duration::from_secs(300);

/// How often each HPA is evaluated (the controller's `--horizontal-pod-autoscaler-sync-period`),
/// before the time scale.
const SYNC_PERIOD: Duration = Duration::from_secs(15);

/// The recommendations each HPA made lately, for the scale-down window, and when each was
/// last evaluated.
#[derive(Default)]
pub struct AutoscalerState {
    recommendations: HashMap<String, Vec<(Instant, i64)>>,
    synced: HashMap<String, Instant>,
}

impl AutoscalerState {
    /// The highest of `uid`'s recommendations within `window`, `now` one included; an HPA
    /// seen for the first time starts with the current size, as the controller seeds it.
    fn stabilized(&mut self, uid: &str, now: i64, current: i64, window: Duration) -> i64 {
        let list = self
            .recommendations
            .entry(uid.to_string())
            .or_insert_with(|| vec![(Instant::now(), current)]);
        list.retain(|(at, _)| at.elapsed() <= window);
        list.push((Instant::now(), now));
        list.iter().map(|(_, r)| *r).max().unwrap_or(now)
    }
}

/// One pass over every HPA; `usage` reads the pods' metrics (None: no metrics source, as
/// on a cluster without metrics-server).
pub fn reconcile(
    store: &Store,
    rec: &mut Recorder,
    state: &mut AutoscalerState,
    usage: Option<&dyn PodUsage>,
    time_scale: f64,
) {
    let scale = time_scale.max(0.001);
    let (window, period) = (SCALE_DOWN_WINDOW.div_f64(scale), SYNC_PERIOD.div_f64(scale));
    let hpas = store.all(&HPA);
    // Deleted HPAs take their history with them.
    let live: Vec<String> = hpas.iter().map(|h| ident(h).2).collect();
    state.synced.retain(|uid, _| live.contains(uid));
    state.recommendations.retain(|uid, _| live.contains(uid));
    for hpa in hpas {
        let (_, _, uid) = ident(&hpa);
        // A new or changed HPA at once; otherwise once per period (usage changes all the
        // time, and each status write would wake every controller).
        let changed = hpa["status"]["observedGeneration"] != hpa["metadata"]["generation"];
        let due = state.synced.get(&uid).is_none_or(|t| t.elapsed() >= period);
        if changed || due {
            state.synced.insert(uid, Instant::now());
            sync(store, rec, state, usage, window, &hpa);
        }
    }
}

/// The condition that says how the size was limited: (reason, message).
type Limit = Option<(&'static str, &'static str)>;

/// The size to set and the event's reason: the bounds when the current size is outside
/// them, else the metrics' count limited by the bounds and by the scale-up rate (double,
/// and at least four).
fn bounded(current: i64, wanted: i64, min: i64, max: i64, why: String) -> (i64, String, Limit) {
    const TOO_MANY: Limit = Some((
        "TooManyReplicas",
        "the desired replica count is more than the maximum replica count",
    ));
    const TOO_FEW: Limit = Some((
        "TooFewReplicas",
        "the desired replica count is less than the minimum replica count",
    ));
    if current == 0 && min != 0 {
        return (0, why, None);
    }
    if current > max {
        return (
            max,
            "Current number of replicas above Spec.MaxReplicas".into(),
            TOO_MANY,
        );
    }
    if current < min {
        return (
            min,
            "Current number of replicas below Spec.MinReplicas".into(),
            TOO_FEW,
        );
    }
    let rate = (current * 2).max(4);
    if wanted < min {
        (min, why, TOO_FEW)
    } else if wanted == 0 {
        (
            1,
            why,
            Some(("TooFewReplicas", "the desired replica count is zero")),
        )
    } else if wanted > max.min(rate) {
        let limit = if max > rate {
            Some((
                "ScaleUpLimit",
                "the desired replica count is increasing faster than the maximum scale rate",
            ))
        } else {
            TOO_MANY
        };
        (max.min(rate), why, limit)
    } else {
        (wanted, why, None)
    }
}

/// The pods the target's selector picks that count (not being deleted, not finished).
fn target_pods(store: &Store, ns: &str, target: &Value) -> Vec<Value> {
    let selector = LabelSelector::from_object(&target["spec"]["selector"]);
    store
        .all(&POD)
        .into_iter()
        .filter(|p| p["metadata"]["namespace"] == ns)
        .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
        .filter(|p| !matches!(p["status"]["phase"].as_str(), Some("Failed" | "Succeeded")))
        .filter(|p| selector.matches(p["metadata"]["labels"].as_object()))
        .collect()
}

/// What the metrics ask for: the largest recommendation with its metric, every metric's
/// current value, or the first metric's error when none could be computed.
fn recommendation(
    hpa: &Value,
    pods: &[Value],
    usage: Option<&dyn PodUsage>,
    current: i64,
) -> Result<(i64, String, Vec<Value>), String> {
    let readings: Vec<PodReading> = pods
        .iter()
        .map(|p| PodReading {
            pod: p,
            usage: usage.and_then(|u| u.usage(p)),
        })
        .collect();
    let mut best: Option<(i64, String)> = None;
    let mut statuses = Vec::new();
    let mut first_error = None;
    for metric in metrics_of(hpa) {
        match recommend(&metric, &readings, current) {
            Ok(r) => {
                statuses.push(r.current);
                if best.as_ref().is_none_or(|(n, _)| r.replicas > *n) {
                    best = Some((r.replicas, r.described));
                }
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match best {
        Some((n, described)) => Ok((n, described, statuses)),
        None => Err(first_error.unwrap_or_else(|| "no metrics".into())),
    }
}

fn sync(
    store: &Store,
    rec: &mut Recorder,
    state: &mut AutoscalerState,
    usage: Option<&dyn PodUsage>,
    window: Duration,
    hpa: &Value,
) {
    let (_, ns, uid) = ident(hpa);
    let target = &hpa["spec"]["scaleTargetRef"];
    let kind = target["kind"].as_str().unwrap_or_default();
    let name = target["name"].as_str().unwrap_or_default();
    let old: Vec<Value> = hpa["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut status = json!({"currentReplicas": hpa["status"]["currentReplicas"].as_i64().unwrap_or(0), "desiredReplicas": hpa["status"]["desiredReplicas"].as_i64().unwrap_or(0)});
    let scaled = target_type(kind).and_then(|rt| store.get(rt, &ns, name).ok().map(|o| (rt, o)));
    let Some((rt, obj)) = scaled else {
        let why = format!(
            "the HPA controller was unable to get the target's current scale: {}/scale.{} \"{name}\" not found",
            target_type(kind).map_or_else(|| kind.to_lowercase() + "s", |rt| rt.plural.to_string()),
            target_type(kind).map_or("", |rt| rt.group)
        );
        status["conditions"] = json!([condition(
            "AbleToScale",
            false,
            "FailedGetScale",
            &why,
            &old
        )]);
        if hpa["status"]["conditions"] != status["conditions"] {
            rec.record(
                store,
                hpa,
                Kind::Warning,
                "FailedGetScale",
                why.trim_start_matches(
                    "the HPA controller was unable to get the target's current scale: ",
                ),
                COMPONENT,
            );
        }
        super::workload::write_status(store, &HPA, hpa, status);
        return;
    };
    let current = obj["spec"]["replicas"].as_i64().unwrap_or(1);
    let min = hpa["spec"]["minReplicas"].as_i64().unwrap_or(1);
    let max = hpa["spec"]["maxReplicas"].as_i64().unwrap_or(current);
    let mut conditions = Vec::new();
    let disabled = current == 0 && min != 0;
    let mut stabilized = false;
    // What the metrics ask for, and why (the event's reason when the size changes).
    let (wanted, metric_reason) = if disabled {
        conditions.push(condition(
            "ScalingActive",
            false,
            "ScalingDisabled",
            "scaling is disabled since the replica count of the target is zero",
            &old,
        ));
        (0, String::new())
    } else {
        match recommendation(hpa, &target_pods(store, &ns, &obj), usage, current) {
            Ok((n, described, statuses)) => {
                conditions.push(condition(
                    "ScalingActive",
                    true,
                    "ValidMetricFound",
                    &format!(
                        "the HPA was able to successfully calculate a replica count from {described}"
                    ),
                    &old,
                ));
                status["currentMetrics"] = json!(statuses);
                // A scale-down goes only as low as the highest recommendation of the window.
                let highest = state.stabilized(&uid, n, current, window);
                let kept = if n < current { highest.min(current) } else { n };
                stabilized = kept != n;
                let why = if kept > current {
                    format!("{described} above target")
                } else {
                    "All metrics below target".into()
                };
                (kept, why)
            }
            Err(failure) => {
                conditions.push(condition(
                    "ScalingActive",
                    false,
                    "FailedGetResourceMetric",
                    &format!("the HPA was unable to compute the replica count: {failure}"),
                    &old,
                ));
                let said = old.iter().any(|c| {
                    c["reason"] == "FailedGetResourceMetric"
                        && c["message"].as_str().is_some_and(|m| m.ends_with(&failure))
                });
                if !said {
                    rec.record(
                        store,
                        hpa,
                        Kind::Warning,
                        "FailedGetResourceMetric",
                        &failure,
                        COMPONENT,
                    );
                }
                (current, String::new())
            }
        }
    };
    let (desired, reason, limited) = bounded(current, wanted, min, max, metric_reason);
    if !disabled && desired != current {
        let (oname, _, _) = ident(&obj);
        let scaled = store.modify(rt, &ns, &oname, |o| {
            o["spec"]["replicas"] = json!(desired);
            Ok(())
        });
        if scaled.is_ok() {
            rec.record(
                store,
                hpa,
                Kind::Normal,
                "SuccessfulRescale",
                &format!("New size: {desired}; reason: {reason}"),
                COMPONENT,
            );
            status["lastScaleTime"] = json!(meta::now());
        }
    }
    let able = if stabilized && desired == current {
        condition(
            "AbleToScale",
            true,
            "ScaleDownStabilized",
            "recent recommendations were higher than current one, applying the highest recent recommendation",
            &old,
        )
    } else if desired != current && !disabled {
        condition(
            "AbleToScale",
            true,
            "SucceededRescale",
            &format!("the HPA controller was able to update the target scale to {desired}"),
            &old,
        )
    } else {
        condition(
            "AbleToScale",
            true,
            "ReadyForNewScale",
            "recommended size matches current size",
            &old,
        )
    };
    conditions.insert(0, able);
    conditions.push(match limited {
        Some((why, message)) => condition("ScalingLimited", true, why, message, &old),
        None => condition(
            "ScalingLimited",
            false,
            "DesiredWithinRange",
            "the desired count is within the acceptable range",
            &old,
        ),
    });
    if status["lastScaleTime"].is_null() && !hpa["status"]["lastScaleTime"].is_null() {
        status["lastScaleTime"] = hpa["status"]["lastScaleTime"].clone();
    }
    status["currentReplicas"] = json!(current);
    status["desiredReplicas"] = json!(if disabled { 0 } else { desired });
    status["conditions"] = json!(conditions);
    if !hpa["metadata"]["generation"].is_null() {
        status["observedGeneration"] = hpa["metadata"]["generation"].clone();
    }
    super::workload::write_status(store, &HPA, hpa, status);
}
