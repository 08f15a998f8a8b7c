//! The HorizontalPodAutoscaler controller: reads its target's scale, keeps it within
//! `minReplicas`..`maxReplicas`, and says in its conditions and events what it could and
//! could not do. kubesim serves no resource metrics API, so a metric-driven HPA reports
//! the metrics failure a cluster without metrics-server reports, and scales only to bounds.

use serde_json::{Value, json};

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

/// Why the metrics cannot be read: the first metric's failure, as the controller words it
/// when the resource metrics API is not served.
fn metrics_failure(hpa: &Value) -> Option<String> {
    let metric = hpa["spec"]["metrics"].as_array()?.first()?;
    let resource = metric["resource"]["name"].as_str().unwrap_or("cpu");
    let what = if metric["type"] == "Resource" {
        "utilization"
    } else {
        "metric value"
    };
    Some(format!(
        "failed to get {resource} {what}: unable to get metrics for resource {resource}: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)"
    ))
}

/// One pass over every HPA.
pub fn reconcile(store: &Store, rec: &mut Recorder) {
    for hpa in store.all(&HPA) {
        sync(store, rec, &hpa);
    }
}

fn sync(store: &Store, rec: &mut Recorder, hpa: &Value) {
    let (_, ns, _) = ident(hpa);
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
    let mut conditions = vec![condition(
        "AbleToScale",
        true,
        "SucceededGetScale",
        "the HPA controller was able to get the target's current scale",
        &old,
    )];
    let (desired, reason) = if current == 0 && min != 0 {
        (0, None)
    } else if current > max {
        (
            max,
            Some("Current number of replicas above Spec.MaxReplicas"),
        )
    } else if current < min {
        (
            min,
            Some("Current number of replicas below Spec.MinReplicas"),
        )
    } else {
        (current, None)
    };
    if current == 0 && min != 0 {
        conditions.push(condition(
            "ScalingActive",
            false,
            "ScalingDisabled",
            "scaling is disabled since the replica count of the target is zero",
            &old,
        ));
    } else if let Some(failure) = metrics_failure(hpa) {
        conditions.push(condition(
            "ScalingActive",
            false,
            "FailedGetResourceMetric",
            &format!("the HPA was unable to compute the replica count: {failure}"),
            &old,
        ));
        if !old.iter().any(|c| c["reason"] == "FailedGetResourceMetric") {
            rec.record(
                store,
                hpa,
                Kind::Warning,
                "FailedGetResourceMetric",
                &failure,
                COMPONENT,
            );
        }
    } else {
        conditions.push(condition(
            "ScalingActive",
            true,
            "ValidMetricFound",
            "the HPA was able to successfully calculate a replica count",
            &old,
        ));
    }
    if let Some(reason) = reason {
        conditions.push(condition(
            "ScalingLimited",
            true,
            if desired == max {
                "TooManyReplicas"
            } else {
                "TooFewReplicas"
            },
            if desired == max {
                "the desired replica count is more than the maximum replica count"
            } else {
                "the desired replica count is less than the minimum replica count"
            },
            &old,
        ));
        let (oname, _, _) = ident(&obj);
        if store
            .modify(rt, &ns, &oname, |o| {
                o["spec"]["replicas"] = json!(desired);
                Ok(())
            })
            .is_ok()
        {
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
    } else {
        conditions.push(condition(
            "ScalingLimited",
            false,
            "DesiredWithinRange",
            "the desired count is within the acceptable range",
            &old,
        ));
    }
    if status["lastScaleTime"].is_null() && !hpa["status"]["lastScaleTime"].is_null() {
        status["lastScaleTime"] = hpa["status"]["lastScaleTime"].clone();
    }
    status["currentReplicas"] = json!(current);
    status["desiredReplicas"] = json!(desired);
    status["conditions"] = json!(conditions);
    if !hpa["metadata"]["generation"].is_null() {
        status["observedGeneration"] = hpa["metadata"]["generation"].clone();
    }
    super::workload::write_status(store, &HPA, hpa, status);
}
