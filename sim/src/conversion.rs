//! Kinds served as converted views of another kind's stored objects, as the API server
//! converts between versions of one resource: `events.k8s.io/v1` Events are the core
//! Events, `autoscaling/v1` HorizontalPodAutoscalers are the `autoscaling/v2` ones.

use serde_json::{Map, Value, json};

use crate::resources::{EVENT, EVENTS_V1_EVENT, HPA, HPA_V1, ResourceType};

/// One served kind backed by another's storage.
pub struct View {
    /// The kind clients ask for.
    pub served: &'static ResourceType,
    /// The kind whose objects are stored.
    pub stored: &'static ResourceType,
    /// Stored form → served form.
    pub to_served: fn(&Value) -> Value,
    /// Served form → stored form.
    pub to_stored: fn(&Value) -> Value,
}

static VIEWS: [View; 2] = [
    View {
        served: &EVENTS_V1_EVENT,
        stored: &EVENT,
        to_served: event_to_v1,
        to_stored: event_to_core,
    },
    View {
        served: &HPA_V1,
        stored: &HPA,
        to_served: hpa_to_v1,
        to_stored: hpa_to_v2,
    },
];

/// The view a served kind is, if it is one.
pub fn view_of(rt: &ResourceType) -> Option<&'static View> {
    VIEWS.iter().find(|v| v.served == rt)
}

/// Copies `from[a]` to `to[b]` for each pair present.
fn rename(from: &Value, to: &mut Map<String, Value>, pairs: &[(&str, &str)]) {
    for (a, b) in pairs {
        if let Some(v) = from.get(*a).filter(|v| !v.is_null()) {
            to.insert((*b).to_string(), v.clone());
        }
    }
}

const EVENT_FIELDS: [(&str, &str); 12] = [
    ("metadata", "metadata"),
    ("eventTime", "eventTime"),
    ("series", "series"),
    ("reportingComponent", "reportingController"),
    ("reportingInstance", "reportingInstance"),
    ("action", "action"),
    ("reason", "reason"),
    ("involvedObject", "regarding"),
    ("related", "related"),
    ("message", "note"),
    ("type", "type"),
    ("source", "deprecatedSource"),
];

const EVENT_DEPRECATED: [(&str, &str); 3] = [
    ("firstTimestamp", "deprecatedFirstTimestamp"),
    ("lastTimestamp", "deprecatedLastTimestamp"),
    ("count", "deprecatedCount"),
];

fn event_to_v1(core: &Value) -> Value {
    let mut out = Map::new();
    rename(core, &mut out, &EVENT_FIELDS);
    rename(core, &mut out, &EVENT_DEPRECATED);
    if !out.contains_key("reportingController")
        && let Some(c) = core["source"]["component"].as_str()
    {
        out.insert("reportingController".into(), json!(c));
    }
    out.insert("apiVersion".into(), json!("events.k8s.io/v1"));
    out.insert("kind".into(), json!("Event"));
    out.entry("eventTime").or_insert(Value::Null);
    Value::Object(out)
}

fn event_to_core(v1: &Value) -> Value {
    let mut out = Map::new();
    let swap = |pairs: &[(&'static str, &'static str)]| -> Vec<(&'static str, &'static str)> {
        pairs.iter().map(|(a, b)| (*b, *a)).collect()
    };
    rename(v1, &mut out, &swap(&EVENT_FIELDS));
    rename(v1, &mut out, &swap(&EVENT_DEPRECATED));
    out.insert("apiVersion".into(), json!("v1"));
    out.insert("kind".into(), json!("Event"));
    Value::Object(out)
}

/// The fields autoscaling/v1 and v2 share, spec and status.
const HPA_SPEC: [(&str, &str); 3] = [
    ("scaleTargetRef", "scaleTargetRef"),
    ("minReplicas", "minReplicas"),
    ("maxReplicas", "maxReplicas"),
];
const HPA_STATUS: [(&str, &str); 4] = [
    ("observedGeneration", "observedGeneration"),
    ("lastScaleTime", "lastScaleTime"),
    ("currentReplicas", "currentReplicas"),
    ("desiredReplicas", "desiredReplicas"),
];

/// The CPU utilization target of a v2 metrics list, as v1's single field holds it.
fn cpu_target(metrics: &Value) -> Option<Value> {
    metrics.as_array()?.iter().find_map(|m| {
        (m["type"] == "Resource" && m["resource"]["name"] == "cpu")
            .then(|| m["resource"]["target"]["averageUtilization"].clone())
            .filter(|v| !v.is_null())
    })
}

fn hpa_to_v1(v2: &Value) -> Value {
    let spec = &v2["spec"];
    let mut s = Map::new();
    rename(spec, &mut s, &HPA_SPEC);
    if let Some(t) = cpu_target(&spec["metrics"]) {
        s.insert("targetCPUUtilizationPercentage".into(), t);
    }
    let status = &v2["status"];
    let mut st = Map::new();
    rename(status, &mut st, &HPA_STATUS);
    if let Some(cur) = status["currentMetrics"].as_array().and_then(|ms| {
        ms.iter().find_map(|m| {
            (m["type"] == "Resource" && m["resource"]["name"] == "cpu")
                .then(|| m["resource"]["current"]["averageUtilization"].clone())
        })
    }) {
        st.insert("currentCPUUtilizationPercentage".into(), cur);
    }
    json!({
        "apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
        "metadata": v2["metadata"], "spec": s, "status": st,
    })
}

fn hpa_to_v2(v1: &Value) -> Value {
    let spec = &v1["spec"];
    let mut s = Map::new();
    rename(spec, &mut s, &HPA_SPEC);
    // v1 without a target means the default: 80% CPU.
    let target = spec
        .get("targetCPUUtilizationPercentage")
        .filter(|v| !v.is_null())
        .cloned()
        .unwrap_or(json!(80));
    s.insert(
        "metrics".into(),
        json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": target}}}]),
    );
    let mut out = json!({
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": v1["metadata"], "spec": s,
    });
    if v1["status"].is_object() {
        let st = &v1["status"];
        let mut s2 = Map::new();
        rename(st, &mut s2, &HPA_STATUS);
        out["status"] = Value::Object(s2);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_and_autoscalers_round_trip_through_their_views() {
        let core = json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1", "namespace": "web"},
            "involvedObject": {"kind": "Pod", "name": "p"}, "reason": "BackOff", "message": "Back-off restarting",
            "type": "Warning", "count": 3, "source": {"component": "kubelet"}});
        let v1 = event_to_v1(&core);
        assert_eq!(v1["regarding"]["name"], "p");
        assert_eq!(v1["note"], "Back-off restarting");
        assert_eq!(v1["deprecatedCount"], 3);
        assert_eq!(v1["reportingController"], "kubelet");
        assert_eq!(event_to_core(&v1)["message"], "Back-off restarting");

        let hpa = json!({"metadata": {"name": "web"}, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"},
            "minReplicas": 1, "maxReplicas": 5, "targetCPUUtilizationPercentage": 60}});
        let v2 = hpa_to_v2(&hpa);
        assert_eq!(
            v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
            60
        );
        assert_eq!(hpa_to_v1(&v2)["spec"]["targetCPUUtilizationPercentage"], 60);
    }
}
