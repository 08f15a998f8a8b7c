//! Discovery documents (`/api`, `/apis`, group versions) and `/version`.

use serde_json::{Value, json};

use crate::resources::{RESOURCE_VERBS, RESOURCES, ResourceType, groups};

fn verbs(rt: &ResourceType) -> Vec<&'static str> {
    let mut v = RESOURCE_VERBS.to_vec();
    if rt.kind == "Event" {
        v.retain(|x| *x != "deletecollection");
    }
    v
}

fn resource_entry(rt: &ResourceType) -> Value {
    let mut e = json!({
        "name": rt.plural,
        "singularName": rt.singular(),
        "namespaced": rt.namespaced,
        "kind": rt.kind,
        "verbs": verbs(rt),
    });
    if !rt.short_names.is_empty() {
        e["shortNames"] = json!(rt.short_names);
    }
    if !rt.categories.is_empty() {
        e["categories"] = json!(rt.categories);
    }
    e
}

fn sub_entry(rt: &ResourceType, sub: &str) -> Value {
    let (kind, verbs, group, version) = match sub {
        "scale" => ("Scale", vec!["get", "patch", "update"], "autoscaling", "v1"),
        "status" => (
            rt.kind,
            vec!["get", "patch", "update"],
            rt.group,
            rt.version,
        ),
        "log" => ("Pod", vec!["get"], "", "v1"),
        "portforward" => ("PodPortForwardOptions", vec!["create", "get"], "", "v1"),
        "exec" => ("PodExecOptions", vec!["create", "get"], "", "v1"),
        "eviction" => ("Eviction", vec!["create"], "policy", "v1"),
        "token" => (
            "TokenRequest",
            vec!["create"],
            "authentication.k8s.io",
            "v1",
        ),
        _ => (rt.kind, vec!["get"], rt.group, rt.version),
    };
    let mut e = json!({"name": format!("{}/{sub}", rt.plural), "singularName": "", "namespaced": rt.namespaced, "kind": kind, "verbs": verbs});
    if matches!(sub, "scale" | "token" | "eviction") {
        e["group"] = json!(group);
        e["version"] = json!(version);
    }
    e
}

/// `/api/v1` or `/apis/{group}/{version}`; `None` when the group version is not served.
pub fn resource_list(group: &str, version: &str) -> Option<Value> {
    if group == "authorization.k8s.io" && version == "v1" {
        return Some(json!({
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "authorization.k8s.io/v1",
            "resources": [
                {"name": "selfsubjectaccessreviews", "singularName": "selfsubjectaccessreview", "namespaced": false, "kind": "SelfSubjectAccessReview", "verbs": ["create"]},
                {"name": "selfsubjectrulesreviews", "singularName": "selfsubjectrulesreview", "namespaced": false, "kind": "SelfSubjectRulesReview", "verbs": ["create"]},
            ],
        }));
    }
    if group == "authentication.k8s.io" && version == "v1" {
        return Some(json!({
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "authentication.k8s.io/v1",
            "resources": [
                {"name": "selfsubjectreviews", "singularName": "selfsubjectreview", "namespaced": false, "kind": "SelfSubjectReview", "verbs": ["create"]},
            ],
        }));
    }
    let types: Vec<&ResourceType> = RESOURCES
        .iter()
        .copied()
        .filter(|r| r.group == group && r.version == version)
        .collect();
    if types.is_empty() {
        return None;
    }
    let mut resources = Vec::new();
    for rt in types {
        resources.push(resource_entry(rt));
        for sub in rt.subresources {
            resources.push(sub_entry(rt, sub));
        }
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}),
    )
}

/// `/api`.
pub fn core_versions(server: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server}],
    })
}

/// A group with all its served versions; the first is the preferred one.
fn group_entry(group: &str, versions: &[&str]) -> Value {
    let gvs: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    json!({"name": group, "versions": gvs, "preferredVersion": gvs[0]})
}

/// The groups in discovery order, each with its versions.
fn all_groups() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut pairs = groups();
    pairs.push(("authorization.k8s.io", "v1"));
    pairs.push(("authentication.k8s.io", "v1"));
    pairs.push(("metrics.k8s.io", "v1beta1"));
    let mut out: Vec<(&str, Vec<&str>)> = Vec::new();
    for (g, v) in pairs {
        match out.iter_mut().find(|(name, _)| *name == g) {
            Some((_, versions)) => versions.push(v),
            None => out.push((g, vec![v])),
        }
    }
    out
}

/// `/apis`.
pub fn group_list() -> Value {
    let groups: Vec<Value> = all_groups()
        .into_iter()
        .map(|(g, v)| group_entry(g, &v))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/{group}`.
pub fn group(name: &str) -> Option<Value> {
    all_groups()
        .into_iter()
        .find(|(g, _)| *g == name)
        .map(|(g, v)| {
            let mut e = group_entry(g, &v);
            e["kind"] = json!("APIGroup");
            e["apiVersion"] = json!("v1");
            e
        })
}

/// `/version`.
pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "32",
        "gitVersion": "v1.32.0-kubesim",
        "gitCommit": "kubesim",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.23",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}
