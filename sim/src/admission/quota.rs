//! ResourceQuota: what an object counts against a namespace's quotas, the usage the quota
//! controller reports in `status.used`, and the admission check that refuses a create that
//! would exceed a hard limit (`exceeded quota: …`) or leaves out a limited resource
//! (`failed quota: …: must specify …`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::View;
use crate::resources::{self, POD, RESOURCE_QUOTA, ResourceType};
use quantity::{format_milli, milli};

/// Amounts in thousandths, by quota resource name.
pub type Usage = BTreeMap<String, i128>;

const COMPUTE: [&str; 2] = ["cpu", "memory"];

fn text(v: &Value) -> String {
    v.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string())
}

/// Whether a pod still holds its resources (a finished pod does not count).
fn counts(rt: &ResourceType, obj: &Value) -> bool {
    rt != &POD
        || !matches!(
            obj["status"]["phase"].as_str(),
            Some("Succeeded" | "Failed")
        )
}

/// The compute resources of a pod: the containers' sum, or the largest init container.
fn pod_compute(pod: &Value, which: &str, res: &str) -> Option<i128> {
    let sum_of = |list: &str| -> Vec<Option<i128>> {
        pod["spec"][list]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let v = &c["resources"][which][res];
                if v.is_null() { None } else { milli(&text(v)) }
            })
            .collect()
    };
    let containers = sum_of("containers");
    if containers.iter().any(Option::is_none) {
        return None;
    }
    let sum: i128 = containers.into_iter().flatten().sum();
    let init = sum_of("initContainers")
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0);
    Some(sum.max(init))
}

/// What one object adds to each quota resource.
pub fn usage_of(rt: &ResourceType, obj: &Value) -> Usage {
    let mut u = Usage::new();
    if !counts(rt, obj) {
        return u;
    }
    u.insert(format!("count/{}", rt.qualified()), 1000);
    match (rt.group, rt.plural) {
        ("", "pods") => {
            u.insert("pods".into(), 1000);
            for res in COMPUTE {
                if let Some(r) = pod_compute(obj, "requests", res) {
                    u.insert(format!("requests.{res}"), r);
                    u.insert(res.to_string(), r);
                }
                if let Some(l) = pod_compute(obj, "limits", res) {
                    u.insert(format!("limits.{res}"), l);
                }
            }
        }
        ("", "services") => {
            u.insert("services".into(), 1000);
            match obj["spec"]["type"].as_str() {
                Some("NodePort") => {
                    u.insert("services.nodeports".into(), 1000);
                }
                Some("LoadBalancer") => {
                    u.insert("services.loadbalancers".into(), 1000);
                }
                _ => {}
            }
        }
        ("", "persistentvolumeclaims") => {
            u.insert("persistentvolumeclaims".into(), 1000);
            if let Some(s) = milli(&text(&obj["spec"]["resources"]["requests"]["storage"])) {
                u.insert("requests.storage".into(), s);
            }
        }
        ("", plural @ ("configmaps" | "secrets" | "replicationcontrollers" | "resourcequotas")) => {
            u.insert(plural.to_string(), 1000);
        }
        _ => {}
    }
    u
}

/// The type a quota resource name counts (`pods`, `count/deployments.apps`, `requests.cpu`).
fn counted_type(resource: &str) -> Option<&'static ResourceType> {
    let name = resource.strip_prefix("count/").unwrap_or(resource);
    let (plural, group) = name.split_once('.').unwrap_or((name, ""));
    match resource {
        r if r.starts_with("requests.storage") => Some(&resources::PVC),
        r if r.contains("cpu") || r.contains("memory") => Some(&POD),
        "services.nodeports" | "services.loadbalancers" => Some(&resources::SERVICE),
        _ => resources::RESOURCES
            .iter()
            .copied()
            .find(|rt| rt.plural == plural && rt.group == group),
    }
}

/// What a namespace uses of each resource a quota limits (`status.used`).
pub fn used(view: &dyn View, ns: &str, hard: &Map<String, Value>) -> Usage {
    let mut total = Usage::new();
    let mut seen: Vec<&'static ResourceType> = Vec::new();
    for rt in hard.keys().filter_map(|k| counted_type(k)) {
        if seen.contains(&rt) {
            continue;
        }
        seen.push(rt);
        for obj in view.list(rt, ns) {
            for (k, v) in usage_of(rt, &obj) {
                *total.entry(k).or_default() += v;
            }
        }
    }
    hard.keys()
        .map(|k| (k.clone(), total.get(k).copied().unwrap_or(0)))
        .collect()
}

/// The `status` the quota controller writes for a quota.
pub fn status(view: &dyn View, quota: &Value) -> Value {
    let ns = quota["metadata"]["namespace"].as_str().unwrap_or_default();
    let hard = quota["spec"]["hard"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let used: Map<String, Value> = used(view, ns, &hard)
        .into_iter()
        .map(|(k, v)| (k, Value::String(format_milli(v))))
        .collect();
    serde_json::json!({"hard": hard, "used": used})
}

fn pretty(m: &BTreeMap<String, String>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Refuses a new object that a quota of its namespace does not allow.
pub fn admit(view: &dyn View, rt: &ResourceType, ns: &str, obj: &Value) -> Result<(), String> {
    if rt == &RESOURCE_QUOTA {
        return Ok(());
    }
    let requested = usage_of(rt, obj);
    for quota in view.list(&RESOURCE_QUOTA, ns) {
        let name = quota["metadata"]["name"].as_str().unwrap_or_default();
        let hard = quota["spec"]["hard"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        if rt == &POD {
            let missing: Vec<&str> = hard
                .keys()
                .map(String::as_str)
                .filter(|k| {
                    let res = k.rsplit('.').next().unwrap_or(k);
                    COMPUTE.contains(&res) && !requested.contains_key(*k)
                })
                .collect();
            if !missing.is_empty() {
                return Err(format!(
                    "failed quota: {name}: must specify {}",
                    missing.join(",")
                ));
            }
        }
        let relevant: Map<String, Value> = hard
            .into_iter()
            .filter(|(k, _)| requested.contains_key(k))
            .collect();
        if relevant.is_empty() {
            continue;
        }
        let used = used(view, ns, &relevant);
        let (mut req, mut was, mut lim) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
        for (k, limit) in &relevant {
            let (r, u) = (requested[k], used.get(k).copied().unwrap_or(0));
            if milli(&text(limit)).is_some_and(|l| u + r > l) {
                req.insert(k.clone(), format_milli(r));
                was.insert(k.clone(), format_milli(u));
                lim.insert(k.clone(), text(limit));
            }
        }
        if !req.is_empty() {
            return Err(format!(
                "exceeded quota: {name}, requested: {}, used: {}, limited: {}",
                pretty(&req),
                pretty(&was),
                pretty(&lim)
            ));
        }
    }
    Ok(())
}
