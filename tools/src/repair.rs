//! Repairs from evidence. An analyzer names the live field that is wrong (and, when it can
//! measure one, a better value); this turns that into a change of the owning Helm release's
//! values. The key is the one whose current value renders that field; the new value comes
//! from the release's history first (the last revision that worked had another value: what
//! changed), then from the measurement, then from the chart's default. Nothing here knows a
//! chart, a scenario or an answer.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::release_history::History;

/// A live field the evidence says is wrong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FieldChange {
    /// The object, e.g. `deployment/web`.
    pub object: String,
    /// The container, for a container's field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// The container is one of the pod's init containers.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub init: bool,
    /// The field, dotted, e.g. `resources.limits.memory`, `image`, `replicas`.
    pub field: String,
    /// Its live value.
    pub current: Value,
    /// A value measured or last seen working, when the evidence gives one; `null` removes
    /// the field (one the object should not have).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub proposed: Option<Value>,
    /// Where `proposed` comes from, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub basis: String,
}

/// Whether a proposed value takes something away: `null` (the field) or a list of
/// `$patch: delete` items (items of a merged list such as `env`).
pub fn is_removal(proposed: &Value) -> bool {
    proposed.is_null()
        || proposed
            .as_array()
            .is_some_and(|items| !items.is_empty() && items.iter().all(|i| i["$patch"] == "delete"))
}

/// A field that is present is `Some`, `null` included (it means "remove"), unlike serde's
/// default reading of `Option`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// A values patch for a release and why each key gets its value.
#[derive(Debug, Clone, PartialEq)]
pub struct ValuesRepair {
    /// The patch (JSON merge patch over the given values).
    pub patch: Value,
    /// One line per key: `resources.limits.memory: 32Mi → 256Mi (revision 1 had it)`.
    pub reasons: Vec<String>,
}

/// The values change of `release` that repairs `changes`; None when a field cannot be tied
/// to a key or no evidence gives a new value.
pub fn values_repair(
    changes: &[FieldChange],
    history: &History,
    release: &str,
) -> Option<ValuesRepair> {
    let latest = history.latest(release)?;
    let values = latest.values();
    let leaves = leaves(&values);
    let mut patch = Value::Object(Map::new());
    let mut reasons = Vec::new();
    // A field no key renders, or with no better value, is left out; the rest still repair.
    for change in changes.iter().flat_map(split_image) {
        let Some(key) = key_rendering(&leaves, &change) else {
            continue;
        };
        let Some((value, why)) = new_value(history, release, &key, &change) else {
            continue;
        };
        reasons.push(format!(
            "{}: {} → {} ({why})",
            key.join("."),
            plain(&change.current),
            plain(&value)
        ));
        set(&mut patch, &key, value);
    }
    (!reasons.is_empty()).then_some(ValuesRepair { patch, reasons })
}

/// What the release's latest revision changed from the last one that worked, as the patch
/// that changes it back: for a failure that started with that revision and names no field
/// (a crash, a probe the app fails). None when nothing changed or there is no such revision.
pub fn what_changed(history: &History, release: &str) -> Option<ValuesRepair> {
    let latest = history.latest(release)?;
    let good = history.rollback_target(release)?;
    let (now, then) = (latest.values(), good.values());
    let mut patch = Value::Object(Map::new());
    let mut reasons = Vec::new();
    let mut keys: Vec<Vec<String>> = leaves(&now).into_iter().map(|(k, _)| k).collect();
    keys.extend(leaves(&then).into_iter().map(|(k, _)| k));
    keys.sort();
    keys.dedup();
    for key in keys {
        let (a, b) = (lookup(&now, &key), lookup(&then, &key));
        if a.zip(b).is_some_and(|(a, b)| same(a, b)) || (a.is_none() && b.is_none()) {
            continue;
        }
        let shown = |v: Option<&Value>| v.map_or_else(|| "(unset)".to_string(), plain);
        reasons.push(format!(
            "{}: {} → {} (revision {} had it; revision {} changed it)",
            key.join("."),
            shown(a),
            shown(b),
            good.number,
            latest.number
        ));
        set(&mut patch, &key, b.cloned().unwrap_or(Value::Null));
    }
    (!reasons.is_empty()).then_some(ValuesRepair { patch, reasons })
}

/// A patch of one object (not managed by Helm), with the patch that undoes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectRepair {
    /// The object, e.g. `deployment/web`.
    pub object: String,
    /// A strategic merge patch setting every proposed value.
    pub patch: Value,
    /// The strategic merge patch that puts the current values back.
    pub undo: Value,
    /// One line per field: `container app resources.limits.memory: 32Mi → 64Mi (basis)`.
    pub reasons: Vec<String>,
}

/// Strategic merge patches, one per object, that set each proposed value where the
/// evidence gives one; fields it cannot place (references by name) are left out.
pub fn object_repairs(changes: &[FieldChange]) -> Vec<ObjectRepair> {
    // Per object: (object-level fields, (container name, init) → its fields) for patch
    // and undo.
    type Parts = (Value, Vec<((String, bool), Value)>);
    let mut objects: Vec<(String, Parts, Parts, Vec<String>)> = Vec::new();
    for c in changes {
        let Some(proposed) = c.proposed.clone().filter(|p| !same(p, &c.current)) else {
            continue;
        };
        let kind = c.object.split('/').next().unwrap_or_default();
        // `ConfigMap.name` and the like name a reference for the values resolver, not a
        // field: Kubernetes fields start lower-case.
        let a_field = c.field.starts_with(|ch: char| ch.is_ascii_lowercase());
        let placeable = a_field && (c.container.is_none() || pod_spec_path(kind).is_some());
        if !placeable {
            continue;
        }
        let at = match objects.iter().position(|o| o.0 == c.object) {
            Some(i) => i,
            None => {
                let empty = || (Value::Object(Map::new()), Vec::new());
                objects.push((c.object.clone(), empty(), empty(), Vec::new()));
                objects.len() - 1
            }
        };
        let path = field_path(&c.field);
        let (_, patch, undo, reasons) = &mut objects[at];
        for (parts, value) in [(patch, proposed.clone()), (undo, c.current.clone())] {
            match &c.container {
                Some(name) => {
                    let key = (name.clone(), c.init);
                    let i = match parts.1.iter().position(|(k, _)| *k == key) {
                        Some(i) => i,
                        None => {
                            parts.1.push((key, serde_json::json!({"name": name})));
                            parts.1.len() - 1
                        }
                    };
                    set(&mut parts.1[i].1, &path, value);
                }
                None => set(&mut parts.0, &path, value),
            }
        }
        let container = c
            .container
            .as_ref()
            .map(|n| {
                let init = if c.init { "init " } else { "" };
                format!("{init}container {n} ")
            })
            .unwrap_or_default();
        reasons.push(format!(
            "{container}{}: {} → {} ({})",
            c.field,
            plain(&c.current),
            plain(&proposed),
            c.basis
        ));
    }
    let assemble = |object: &str, (fields, containers): Parts| -> Value {
        let kind = object.split('/').next().unwrap_or_default();
        // Kinds whose fields sit at the top of the object, not under `spec`.
        let mut out = if matches!(kind, "configmap" | "secret" | "role" | "clusterrole") {
            fields
        } else {
            serde_json::json!({"spec": fields})
        };
        if let Some(at) = pod_spec_path(kind) {
            for (list, init) in [("containers", false), ("initContainers", true)] {
                let items: Vec<Value> = containers
                    .iter()
                    .filter(|((_, i), _)| *i == init)
                    .map(|(_, c)| c.clone())
                    .collect();
                if !items.is_empty() {
                    let mut path: Vec<String> = at.iter().map(|s| s.to_string()).collect();
                    path.push(list.to_string());
                    set(&mut out, &path, Value::Array(items));
                }
            }
        }
        out
    };
    objects
        .into_iter()
        .map(|(object, patch, undo, reasons)| ObjectRepair {
            patch: assemble(&object, patch),
            undo: assemble(&object, undo),
            object,
            reasons,
        })
        .collect()
}

/// Where a kind keeps its pod spec (the containers' parent), if it has one.
pub fn pod_spec_path(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "deployment" | "statefulset" | "daemonset" | "replicaset" | "job" => {
            Some(&["spec", "template", "spec"])
        }
        "cronjob" => Some(&["spec", "jobTemplate", "spec", "template", "spec"]),
        "pod" => Some(&["spec"]),
        _ => None,
    }
}

/// A dotted field as path segments; under a map of labels or data the rest is one key,
/// since keys like `kubernetes.io/os` carry dots of their own.
fn field_path(field: &str) -> Vec<String> {
    const MAPS: [&str; 5] = [
        "template.spec.nodeSelector.",
        "selector.",
        "data.",
        "metadata.labels.",
        "metadata.annotations.",
    ];
    for m in MAPS {
        if let Some(key) = field.strip_prefix(m) {
            let mut path: Vec<String> = m
                .trim_end_matches('.')
                .split('.')
                .map(str::to_string)
                .collect();
            path.push(key.to_string());
            return path;
        }
    }
    field.split('.').map(str::to_string).collect()
}

/// The value `key` should get, and why: from history, the measurement, the chart default.
fn new_value(
    history: &History,
    release: &str,
    key: &[String],
    change: &FieldChange,
) -> Option<(Value, String)> {
    let latest = history.latest(release)?;
    let from_history = history
        .of(release)
        .rev()
        .skip(1)
        .filter(|r| r.succeeded())
        .find_map(|r| {
            lookup(&r.values(), key)
                .filter(|v| !same(v, &change.current))
                .map(|v| (v.clone(), format!("revision {} had it", r.number)))
        });
    let measured = || {
        change
            .proposed
            .clone()
            .filter(|v| !same(v, &change.current))
            .map(|v| (v, change.basis.clone()))
    };
    let from_default = || {
        lookup(&latest.defaults, key)
            .filter(|v| !same(v, &change.current))
            .map(|v| (v.clone(), "the chart's default".to_string()))
    };
    from_history.or_else(measured).or_else(from_default)
}

/// An image change as two: its repository and its tag, which charts keep apart.
fn split_image(c: &FieldChange) -> Vec<FieldChange> {
    if c.field != "image" {
        return vec![c.clone()];
    }
    let (Some(cur), proposed) = (
        c.current.as_str(),
        c.proposed.as_ref().and_then(Value::as_str),
    ) else {
        return vec![c.clone()];
    };
    let (repo, tag) = image_parts(cur);
    let new = proposed.map(image_parts);
    let part = |field: &str, current: &str, proposed: Option<&str>| FieldChange {
        init: false,
        field: format!("image.{field}"),
        current: Value::from(current),
        proposed: proposed.map(Value::from),
        ..c.clone()
    };
    let mut out = vec![];
    // Only the parts that differ from the good image are wrong (no proposal: both may be).
    if new.is_none_or(|(r, _)| r != repo) {
        out.push(part("repository", repo, new.map(|(r, _)| r)));
    }
    if new.is_none_or(|(_, t)| t != tag) {
        out.push(part("tag", tag, new.map(|(_, t)| t)));
    }
    out
}

/// The tag a container runtime pulls when an image names none.
pub const IMPLIED_TAG: &str = "latest";

/// `registry:5000/team/app:1.2` → (`registry:5000/team/app`, `1.2`); no tag → the implied one.
pub fn image_parts(image: &str) -> (&str, &str) {
    let image = image.split('@').next().unwrap_or(image);
    let name_start = image.rfind('/').map_or(0, |i| i + 1);
    match image[name_start..].rfind(':') {
        Some(i) => (&image[..name_start + i], &image[name_start + i + 1..]),
        None => (image, IMPLIED_TAG),
    }
}

/// Every leaf of a values tree with its key path.
fn leaves(v: &Value) -> Vec<(Vec<String>, Value)> {
    fn walk(v: &Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, Value)>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    path.push(k.clone());
                    walk(v, path, out);
                    path.pop();
                }
            }
            leaf => out.push((path.clone(), leaf.clone())),
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

/// How a candidate key ranks: its name match, whether it names the container, shallowness.
type KeyRank = (usize, bool, std::cmp::Reverse<usize>);

/// The key whose value renders the field: among the leaves equal to its live value, the
/// one whose name ends like the field's; a distinctive string may match by value alone.
/// Between keys that end alike (`resources.…` of the app and `postgres.resources.…` of a
/// component), one that names the container wins, else the shallower one: a chart's
/// top-level keys describe its main workload.
fn key_rendering(leaves: &[(Vec<String>, Value)], c: &FieldChange) -> Option<Vec<String>> {
    let field: Vec<&str> = c.field.split('.').collect();
    let names_container = |k: &[String]| {
        c.container
            .as_deref()
            .is_some_and(|n| k.iter().any(|s| s.eq_ignore_ascii_case(n)))
    };
    let mut scored: Vec<(KeyRank, &Vec<String>)> = leaves
        .iter()
        .filter(|(_, v)| same(v, &c.current))
        .map(|(k, _)| {
            let rank = (
                name_score(k, &field),
                names_container(k),
                std::cmp::Reverse(k.len()),
            );
            (rank, k)
        })
        .collect();
    scored.sort_by_key(|(rank, _)| std::cmp::Reverse(*rank));
    match scored.as_slice() {
        [(best, k), rest @ ..] if best.0 > 0 && rest.first().is_none_or(|(r, _)| r < best) => {
            Some((*k).clone())
        }
        [((0, ..), k)] if c.current.as_str().is_some_and(|s| s.len() >= 3) => Some((*k).clone()),
        _ => None,
    }
}

/// How well a key's trailing names match the field's, from the end: two per equal name,
/// one per name that only shares a stem (`replicas` ~ `replicaCount`, `livenessProbe` ~
/// `liveness`); the first pair that does neither ends the match.
fn name_score(key: &[String], field: &[&str]) -> usize {
    let stem = |a: &str, b: &str| {
        a.chars()
            .zip(b.chars())
            .take_while(|(x, y)| x.eq_ignore_ascii_case(y))
            .count()
            >= 5
    };
    let mut score = 0;
    for (k, f) in key.iter().rev().zip(field.iter().rev()) {
        if k.eq_ignore_ascii_case(f) {
            score += 2;
        } else if stem(k, f) {
            score += 1;
        } else {
            break;
        }
    }
    score
}

/// Equal as Kubernetes reads them: `"0.5"` and `"500m"`, `2` and `"2"`.
pub fn same(a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match (text(a), text(b)) {
        (Some(x), Some(y)) => {
            x == y || quantity::milli(&x).is_some_and(|m| quantity::milli(&y) == Some(m))
        }
        _ => false,
    }
}

fn lookup<'a>(v: &'a Value, key: &[String]) -> Option<&'a Value> {
    key.iter()
        .try_fold(v, |v, k| v.get(k))
        .filter(|v| !v.is_null())
}

fn set(patch: &mut Value, key: &[String], value: Value) {
    let mut at = patch;
    for k in &key[..key.len().saturating_sub(1)] {
        at = &mut at[k.as_str()];
        if !at.is_object() {
            *at = Value::Object(Map::new());
        }
    }
    if let Some(last) = key.last() {
        at[last.as_str()] = value;
    }
}

fn plain(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release_history::tests::release_secret;
    use serde_json::json;

    fn change(field: &str, current: Value, proposed: Option<Value>) -> FieldChange {
        FieldChange {
            init: false,
            object: "deployment/web".into(),
            container: Some("web".into()),
            field: field.into(),
            current,
            proposed,
            basis: "measured".into(),
        }
    }

    #[test]
    fn what_changed_wins_over_the_measurement_and_skips_failed_revisions() {
        let h = History::from_secrets(&[
            release_secret(
                "web",
                1,
                "superseded",
                json!({"resources": {"limits": {"memory": "300Mi"}}}),
            ),
            release_secret(
                "web",
                2,
                "failed",
                json!({"resources": {"limits": {"memory": "1Gi"}}}),
            ),
            release_secret(
                "web",
                3,
                "deployed",
                json!({"resources": {"limits": {"memory": "20Mi"}}}),
            ),
        ]);
        let c = change(
            "resources.limits.memory",
            json!("20Mi"),
            Some(json!("40Mi")),
        );
        let r = values_repair(&[c], &h, "web").unwrap();
        assert_eq!(
            r.patch,
            json!({"resources": {"limits": {"memory": "300Mi"}}})
        );
        assert!(r.reasons[0].contains("revision 1"), "{:?}", r.reasons);
    }

    #[test]
    fn without_history_the_measurement_then_the_chart_default_is_used() {
        let one = History::from_secrets(&[release_secret(
            "web",
            1,
            "deployed",
            json!({"resources": {"limits": {"memory": "20Mi"}}, "replicaCount": 0}),
        )]);
        let mem = change(
            "resources.limits.memory",
            json!("20Mi"),
            Some(json!("40Mi")),
        );
        assert_eq!(
            values_repair(&[mem], &one, "web").unwrap().patch,
            json!({"resources": {"limits": {"memory": "40Mi"}}})
        );
        // replicas is rendered from replicaCount; the chart's default is 2.
        let zero = FieldChange {
            container: None,
            ..change("replicas", json!(0), None)
        };
        let r = values_repair(&[zero], &one, "web").unwrap();
        assert_eq!(r.patch, json!({"replicaCount": 2}));
        assert!(r.reasons[0].contains("default"), "{:?}", r.reasons);
    }

    #[test]
    fn an_image_typo_is_reverted_part_by_part_to_the_last_good_image() {
        let h = History::from_secrets(&[release_secret(
            "web",
            1,
            "deployed",
            json!({"image": {"repository": "reg:5000/tema/web"}}),
        )]);
        let c = change(
            "image",
            json!("reg:5000/tema/web:1.0"),
            Some(json!("reg:5000/team/web:1.0")),
        );
        assert_eq!(
            values_repair(&[c], &h, "web").unwrap().patch,
            json!({"image": {"repository": "reg:5000/team/web"}})
        );
    }

    #[test]
    fn a_probe_field_is_told_apart_from_the_same_field_of_another_probe() {
        let h = History::from_secrets(&[
            release_secret(
                "web",
                1,
                "superseded",
                json!({"probes": {"liveness": {"timeoutSeconds": 2}, "readiness": {"timeoutSeconds": 1}}}),
            ),
            release_secret(
                "web",
                2,
                "deployed",
                json!({"probes": {"liveness": {"timeoutSeconds": 1}, "readiness": {"timeoutSeconds": 1}}}),
            ),
        ]);
        let c = change("livenessProbe.timeoutSeconds", json!(1), None);
        assert_eq!(
            values_repair(&[c], &h, "web").unwrap().patch,
            json!({"probes": {"liveness": {"timeoutSeconds": 2}}})
        );
    }

    #[test]
    fn between_keys_that_end_alike_the_container_s_or_the_shallower_wins() {
        let h = History::from_secrets(&[release_secret(
            "web",
            1,
            "deployed",
            json!({"resources": {"requests": {"cpu": "2"}}, "postgres": {"resources": {"requests": {"cpu": "2"}}}}),
        )]);
        let app = change("resources.requests.cpu", json!("2"), Some(json!("500m")));
        assert_eq!(
            values_repair(std::slice::from_ref(&app), &h, "web")
                .unwrap()
                .patch,
            json!({"resources": {"requests": {"cpu": "500m"}}})
        );
        let db = FieldChange {
            init: false,
            container: Some("postgres".into()),
            ..app
        };
        assert_eq!(
            values_repair(&[db], &h, "web").unwrap().patch,
            json!({"postgres": {"resources": {"requests": {"cpu": "500m"}}}})
        );
    }

    #[test]
    fn label_keys_with_dots_stay_one_key() {
        let r = object_repairs(&[FieldChange {
            init: false,
            object: "deployment/collector".into(),
            container: None,
            field: "template.spec.nodeSelector.kubernetes.io/os".into(),
            current: json!("linx"),
            proposed: Some(json!("linux")),
            basis: String::new(),
        }]);
        assert_eq!(
            r[0].patch,
            json!({"spec": {"template": {"spec": {"nodeSelector": {"kubernetes.io/os": "linux"}}}}})
        );
    }

    #[test]
    fn objects_without_a_release_get_a_strategic_patch_and_its_undo() {
        let mem = change(
            "resources.limits.memory",
            json!("32Mi"),
            Some(json!("64Mi")),
        );
        let img = change("image", json!("web:typo"), Some(json!("web:1")));
        let replicas = FieldChange {
            container: None,
            ..change("replicas", json!(0), Some(json!(2)))
        };
        let by_name = FieldChange {
            container: None,
            ..change("Secret.name", json!("x"), Some(json!("y")))
        };
        let r = object_repairs(&[
            mem,
            img,
            replicas,
            by_name,
            change("image", json!("a"), None),
        ]);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(
            r[0].patch,
            json!({"spec": {"replicas": 2, "template": {"spec": {"containers": [
                {"name": "web", "resources": {"limits": {"memory": "64Mi"}}, "image": "web:1"}
            ]}}}}),
            "{:?}",
            r[0]
        );
        assert_eq!(
            r[0].undo,
            json!({"spec": {"replicas": 0, "template": {"spec": {"containers": [
                {"name": "web", "resources": {"limits": {"memory": "32Mi"}}, "image": "web:typo"}
            ]}}}})
        );
        assert_eq!(r[0].reasons.len(), 3);
        let cm = FieldChange {
            init: false,
            object: "configmap/cfg".into(),
            container: None,
            ..change("data.MODE", json!("a"), Some(json!("b")))
        };
        assert_eq!(
            object_repairs(&[cm])[0].patch,
            json!({"data": {"MODE": "b"}})
        );
    }

    #[test]
    fn what_changed_reverts_exactly_the_keys_the_latest_revision_changed() {
        let h = History::from_secrets(&[
            release_secret(
                "web",
                1,
                "superseded",
                json!({"config": {"mode": "fast", "level": 3}}),
            ),
            release_secret(
                "web",
                2,
                "deployed",
                json!({"config": {"mode": "fats", "level": 3, "extra": true}}),
            ),
        ]);
        let r = what_changed(&h, "web").unwrap();
        assert_eq!(r.patch, json!({"config": {"mode": "fast", "extra": null}}));
        assert!(
            r.reasons
                .iter()
                .any(|l| l.contains("revision 2 changed it")),
            "{:?}",
            r.reasons
        );
        let one = History::from_secrets(&[release_secret("web", 1, "deployed", json!({}))]);
        assert!(what_changed(&one, "web").is_none(), "no earlier revision");
    }

    #[test]
    fn no_key_no_evidence_or_no_difference_gives_no_repair() {
        let h = History::from_secrets(&[release_secret("web", 1, "deployed", json!({}))]);
        // No value renders 7.
        assert!(
            values_repair(&[change("replicas", json!(7), Some(json!(2)))], &h, "web").is_none()
        );
        // The proposal equals what runs: an empty diff is no repair.
        let same_tag = change("image", json!("web:1.0"), Some(json!("web:1.0")));
        assert!(values_repair(&[same_tag], &h, "web").is_none());
        assert!(values_repair(&[], &h, "other").is_none());
    }

    #[test]
    fn quantities_and_numbers_compare_as_kubernetes_reads_them() {
        assert!(same(&json!("0.5"), &json!("500m")));
        assert!(same(&json!(2), &json!("2")));
        assert!(!same(&json!("64Mi"), &json!("64M")));
        assert_eq!(image_parts("web"), ("web", "latest"));
        assert_eq!(
            image_parts("reg:5000/web:2@sha256:ab"),
            ("reg:5000/web", "2")
        );
    }
}
