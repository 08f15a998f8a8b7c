//! Which object a request means, decided against what the cluster holds: the Deployments,
//! pods and Services the planner listed in every namespace. A name said in full wins; then
//! the object whose name parts the request says most of ("the backend" → `todo-backend`);
//! common synonyms ("ui" → frontend) only when nothing matches otherwise.

use std::collections::BTreeSet;

use serde_json::Value;

/// One object the cluster holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// `deployment`, `pod` or `service`.
    pub kind: &'static str,
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// The list tool's row for it.
    pub row: Value,
}

/// What a reference resolved to.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// One object.
    One(Object),
    /// Several fit equally well.
    Several(Vec<Object>),
    /// None fits.
    None,
}

/// The objects of the cluster, from the list tools' typed results.
#[derive(Debug, Clone, Default)]
pub struct World {
    /// Every listed object.
    pub objects: Vec<Object>,
}

/// Words that never name an object.
const NOT_NAMES: &[&str] = &[
    "the",
    "a",
    "an",
    "of",
    "to",
    "in",
    "on",
    "for",
    "my",
    "our",
    "its",
    "it",
    "is",
    "are",
    "and",
    "please",
    "pod",
    "pods",
    "deployment",
    "deployments",
    "statefulset",
    "statefulsets",
    "daemonset",
    "daemonsets",
    "service",
    "services",
    "svc",
    "namespace",
    "replicas",
    "all",
    "with",
    "from",
    "why",
    "what",
    "show",
    "me",
    "fix",
];

/// Synonyms people use for parts of names.
const SYNONYMS: &[(&str, &str)] = &[
    ("ui", "frontend"),
    ("web", "frontend"),
    ("website", "frontend"),
    ("api", "backend"),
    ("server", "backend"),
    ("db", "database"),
];

impl World {
    /// The world from the typed rows of `list_deployments`, `list_pods` and `list_services`
    /// (a result that is not a list, a failed lookup, adds nothing).
    pub fn from_rows(deployments: &Value, pods: &Value, services: &Value) -> Self {
        let mut objects = Vec::new();
        for (kind, rows) in [
            ("deployment", deployments),
            ("pod", pods),
            ("service", services),
        ] {
            for row in rows.as_array().into_iter().flatten() {
                let (Some(ns), Some(name)) = (row["namespace"].as_str(), row["name"].as_str())
                else {
                    continue;
                };
                objects.push(Object {
                    kind,
                    namespace: ns.to_string(),
                    name: name.to_string(),
                    row: row.clone(),
                });
            }
        }
        // StatefulSets, DaemonSets and Jobs, as their pods name them (with the pods they
        // have as their size): the other workloads a request may name.
        for row in pods.as_array().into_iter().flatten() {
            let (Some(ns), Some((kind, name))) = (
                row["namespace"].as_str(),
                row["owner"].as_str().and_then(|o| o.split_once('/')),
            ) else {
                continue;
            };
            let kind = match kind.to_lowercase().as_str() {
                "statefulset" => "statefulset",
                "daemonset" => "daemonset",
                "job" => "job",
                _ => continue,
            };
            match objects
                .iter_mut()
                .find(|o| o.kind == kind && o.namespace == ns && o.name == name)
            {
                Some(o) => {
                    o.row["desired"] = serde_json::json!(o.row["desired"].as_i64().unwrap_or(0) + 1)
                }
                None => objects.push(Object {
                    kind,
                    namespace: ns.to_string(),
                    name: name.to_string(),
                    row: serde_json::json!({"namespace": ns, "name": name, "desired": 1}),
                }),
            }
        }
        Self { objects }
    }

    fn namespaces(&self) -> BTreeSet<&str> {
        self.objects.iter().map(|o| o.namespace.as_str()).collect()
    }

    /// The namespace the request names: after "namespace", "ns" or "-n", before
    /// "namespace", or a namespace that exists said after "in" or "from".
    pub fn namespace_in(&self, words: &[String]) -> Option<String> {
        let known = self.namespaces();
        for (i, w) in words.iter().enumerate() {
            let next = words.get(i + 1).map(String::as_str);
            let prev = i.checked_sub(1).map(|j| words[j].as_str());
            if let Some(ns) = w.strip_prefix("--namespace=") {
                return Some(ns.to_string());
            }
            if ["namespace", "ns", "-n", "--namespace"].contains(&w.as_str())
                && let Some(n) = next.filter(|n| known.contains(n))
            {
                return Some(n.to_string());
            }
            if ["namespace", "ns"].contains(&next.unwrap_or_default()) && known.contains(w.as_str())
            {
                return Some(w.clone());
            }
            if ["in", "from"].contains(&prev.unwrap_or_default()) && known.contains(w.as_str()) {
                return Some(w.clone());
            }
        }
        None
    }

    /// A namespace the lookups did not see (one holding no pod, Deployment or Service, as a
    /// suspended CronJob's): the name said right after "in", when it can be a namespace's.
    pub fn unlisted_namespace_in(words: &[String]) -> Option<String> {
        const NOT_NAMESPACES: &[&str] = &[
            "the",
            "a",
            "an",
            "my",
            "our",
            "this",
            "that",
            "it",
            "there",
            "here",
            "order",
            "place",
            "cluster",
            "kubernetes",
            "minikube",
            "production",
            "front",
            "time",
        ];
        words.windows(2).find_map(|p| {
            let (prev, w) = (p[0].as_str(), p[1].as_str());
            let name_like = w.len() > 1
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && w.chars().next().is_some_and(|c| c.is_ascii_lowercase());
            (prev == "in" && name_like && !NOT_NAMESPACES.contains(&w)).then(|| w.to_string())
        })
    }

    /// The object of one of `kinds` (in order of preference) the request means, in
    /// `namespace` when one is named.
    pub fn find(&self, words: &[String], kinds: &[&str], namespace: Option<&str>) -> Found {
        let direct = self.best(words, kinds, namespace);
        if !matches!(direct, Found::None) {
            return direct;
        }
        let mut expanded: Vec<String> = words.to_vec();
        for (said, means) in SYNONYMS {
            if words.iter().any(|w| w == said) {
                expanded.push((*means).to_string());
            }
        }
        if expanded.len() == words.len() {
            return Found::None;
        }
        self.best(&expanded, kinds, namespace)
    }

    fn best(&self, words: &[String], kinds: &[&str], namespace: Option<&str>) -> Found {
        let names: Vec<&str> = words
            .iter()
            .map(String::as_str)
            .filter(|w| !NOT_NAMES.contains(w) && (w.len() >= 2))
            .collect();
        for kind in kinds {
            let mut scored: Vec<(i64, &Object)> = self
                .objects
                .iter()
                .filter(|o| o.kind == *kind && namespace.is_none_or(|n| o.namespace == n))
                .map(|o| (score(&o.name, &names), o))
                .filter(|(s, _)| *s > 0)
                .collect();
            if scored.is_empty() {
                continue;
            }
            let top = scored.iter().map(|(s, _)| *s).max().unwrap_or(0);
            scored.retain(|(s, _)| *s == top);
            // The system's own objects only when nothing else fits.
            if scored
                .iter()
                .any(|(_, o)| !o.namespace.starts_with("kube-"))
            {
                scored.retain(|(_, o)| !o.namespace.starts_with("kube-"));
            }
            return match scored.as_slice() {
                [(_, one)] => Found::One((*one).clone()),
                many => Found::Several(many.iter().map(|(_, o)| (*o).clone()).collect()),
            };
        }
        Found::None
    }

    /// The Deployment a pod belongs to (its ReplicaSet's owner: the Deployment whose
    /// selector its labels match, in its namespace).
    pub fn deployment_of(&self, pod: &Object) -> Option<Object> {
        let labels = &pod.row["labels"];
        self.objects
            .iter()
            .filter(|o| o.kind == "deployment" && o.namespace == pod.namespace)
            .find(|d| {
                let sel = d.row["selector"].as_object();
                sel.is_some_and(|s| !s.is_empty() && s.iter().all(|(k, v)| &labels[k] == v))
            })
            .cloned()
    }

    /// The pods a Deployment's selector matches.
    pub fn pods_of(&self, deployment: &Object) -> Vec<&Object> {
        let Some(sel) = deployment.row["selector"]
            .as_object()
            .filter(|s| !s.is_empty())
        else {
            return Vec::new();
        };
        self.objects
            .iter()
            .filter(|o| o.kind == "pod" && o.namespace == deployment.namespace)
            .filter(|p| sel.iter().all(|(k, v)| &p.row["labels"][k] == v))
            .collect()
    }

    /// The pods in `namespace` whose labels include every pair of `selector`.
    pub fn pods_matching<'a>(
        &'a self,
        namespace: &'a str,
        selector: &'a serde_json::Map<String, Value>,
    ) -> impl Iterator<Item = &'a Object> + 'a {
        self.objects
            .iter()
            .filter(move |o| o.kind == "pod" && o.namespace == namespace)
            .filter(move |p| selector.iter().all(|(k, v)| &p.row["labels"][k] == v))
    }
}

/// How well the said words name `name`: said in full beats every part said; each part said
/// counts, each part not said counts a little against.
fn score(name: &str, words: &[&str]) -> i64 {
    if words.contains(&name) {
        return 1000;
    }
    let parts: Vec<&str> = name.split('-').filter(|p| !p.is_empty()).collect();
    let said = parts
        .iter()
        .filter(|p| p.len() >= 2 && words.contains(p))
        .count() as i64;
    if said == 0 {
        return 0;
    }
    said * 10 - (parts.len() as i64 - said)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brains::planner::intent::words;
    use serde_json::json;

    fn world() -> World {
        World::from_rows(
            &json!([
                {"namespace": "default", "name": "todo-backend", "selector": {"app": "todo-backend"}},
                {"namespace": "default", "name": "todo-frontend", "selector": {"app": "todo-frontend"}},
                {"namespace": "shop", "name": "web-app", "selector": {"app": "web-app"}},
                {"namespace": "staging", "name": "web-app", "selector": {"app": "web-app"}},
                {"namespace": "kube-system", "name": "coredns", "selector": {"k8s-app": "dns"}}
            ]),
            &json!([
                {"namespace": "calc", "name": "calc-app-pod", "labels": {}},
                {"namespace": "shop", "name": "web-app-5d9c-x1", "labels": {"app": "web-app"}}
            ]),
            &json!([{"namespace": "shop", "name": "web", "selector": {"app": "web-app"}}]),
        )
    }

    fn one(found: Found) -> (String, String) {
        match found {
            Found::One(o) => (o.namespace, o.name),
            other => panic!("not one: {other:?}"),
        }
    }

    #[test]
    fn names_resolve_against_the_cluster() {
        let w = world();
        let find = |text: &str, kinds: &[&str]| {
            let ws = words(text);
            let ns = w.namespace_in(&ws);
            w.find(&ws, kinds, ns.as_deref())
        };
        let d = &["deployment"][..];
        assert_eq!(one(find("scale the backend to 3", d)).1, "todo-backend");
        assert_eq!(one(find("restart the ui", d)).1, "todo-frontend");
        assert_eq!(
            one(find("scale web-app in shop to 2", d)),
            ("shop".into(), "web-app".into())
        );
        assert_eq!(
            one(find("scale web-app to 2 in the staging namespace", d)).0,
            "staging"
        );
        // The same name in two namespaces, none named: the planner must ask.
        assert!(matches!(find("scale web-app to 2", d), Found::Several(v) if v.len() == 2));
        assert_eq!(
            one(find("show calc-app-pod logs", &["pod", "deployment"])).1,
            "calc-app-pod"
        );
        assert_eq!(one(find("the web service", &["service"])).1, "web");
        assert_eq!(find("scale the database to 2", d), Found::None);
        assert_eq!(w.namespace_in(&words("-n shop")), Some("shop".into()));
        assert_eq!(w.namespace_in(&words("in nowhere")), None);
    }

    #[test]
    fn a_pod_knows_its_deployment() {
        let w = world();
        let pod = w
            .objects
            .iter()
            .find(|o| o.name == "web-app-5d9c-x1")
            .unwrap();
        assert_eq!(w.deployment_of(pod).unwrap().namespace, "shop");
        let dep = w
            .objects
            .iter()
            .find(|o| o.kind == "deployment" && o.namespace == "shop")
            .unwrap();
        assert_eq!(w.pods_of(dep).len(), 1);
    }
}
