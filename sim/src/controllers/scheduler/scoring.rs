//! The scheduler's scores for the nodes a pod fits, as kube-scheduler's default plugins
//! weigh them: preferred node affinity (weight 2), preferred inter-pod affinity and
//! anti-affinity (2), PreferNoSchedule taints the pod does not tolerate (3), and the least
//! allocated CPU and memory (1) — each normalised to 0–100 over the candidates. The highest
//! total wins; a tie goes to the first node by name.

use serde_json::Value;

use super::filters::{Free, term_matches, tolerates};
use super::inter_pod::{Placed, same_domain, selects};

/// A node the pod fits, with what it has left and what it has in all.
pub struct Candidate<'a> {
    /// The node.
    pub node: &'a Value,
    /// What it has left for new pods.
    pub free: Free,
    /// Its allocatable resources.
    pub allocatable: Free,
}

const NODE_AFFINITY_WEIGHT: i64 = 2;
const INTER_POD_WEIGHT: i64 = 2;
const TAINT_WEIGHT: i64 = 3;
const RESOURCES_WEIGHT: i64 = 1;

fn name(node: &Value) -> &str {
    node["metadata"]["name"].as_str().unwrap_or_default()
}

/// The sum of the weights of the pod's preferred node affinity terms the node matches.
fn node_affinity(pod: &Value, node: &Value) -> i64 {
    pod["spec"]["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| term_matches(&t["preference"], node))
        .map(|t| t["weight"].as_i64().unwrap_or(0))
        .sum()
}

/// For each placed pod in the node's domain that a preferred term selects: + its weight for
/// affinity, − for anti-affinity.
fn inter_pod(pod: &Value, node: &Value, nodes: &[&Value], placed: &[Placed]) -> i64 {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let node_of = |n: &str| nodes.iter().find(|x| name(x) == n).copied();
    let mut score = 0;
    for (kind, sign) in [("podAffinity", 1), ("podAntiAffinity", -1)] {
        for weighted in
            pod["spec"]["affinity"][kind]["preferredDuringSchedulingIgnoredDuringExecution"]
                .as_array()
                .into_iter()
                .flatten()
        {
            let term = &weighted["podAffinityTerm"];
            let weight = weighted["weight"].as_i64().unwrap_or(0);
            let matches = placed
                .iter()
                .filter(|p| {
                    selects(term, ns, &p.namespace, &p.labels)
                        && node_of(&p.node).is_some_and(|n| same_domain(term, n, node))
                })
                .count() as i64;
            score += sign * weight * matches;
        }
    }
    score
}

/// How many PreferNoSchedule taints of the node the pod does not tolerate.
fn intolerable_taints(pod: &Value, node: &Value) -> i64 {
    node["spec"]["taints"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["effect"] == "PreferNoSchedule" && !tolerates(pod, t))
        .count() as i64
}

/// The share of CPU and memory left once the pod is placed, 0–100.
fn least_allocated(c: &Candidate, requested: (i64, i64)) -> i64 {
    let share = |free: i64, all: i64| {
        if all <= 0 {
            0
        } else {
            (free.max(0) * 100 / all).clamp(0, 100)
        }
    };
    (share(c.free.cpu - requested.0, c.allocatable.cpu)
        + share(c.free.memory - requested.1, c.allocatable.memory))
        / 2
}

/// Scales raw scores to 0–100 over the candidates (the highest gets 100; all equal: 0);
/// `reverse` for scores where less is better.
fn normalise(raw: &[i64], reverse: bool) -> Vec<i64> {
    let (min, max) = (
        raw.iter().copied().min().unwrap_or(0),
        raw.iter().copied().max().unwrap_or(0),
    );
    if max == min {
        return vec![0; raw.len()];
    }
    raw.iter()
        .map(|r| {
            let s = (r - min) * 100 / (max - min);
            if reverse { 100 - s } else { s }
        })
        .collect()
}

/// The index of the candidate the scheduler picks (None when there is none).
pub fn best(
    pod: &Value,
    candidates: &[Candidate],
    nodes: &[&Value],
    placed: &[Placed],
) -> Option<usize> {
    let requested = super::requests(pod);
    let affinity = normalise(
        &candidates
            .iter()
            .map(|c| node_affinity(pod, c.node))
            .collect::<Vec<_>>(),
        false,
    );
    let pods = normalise(
        &candidates
            .iter()
            .map(|c| inter_pod(pod, c.node, nodes, placed))
            .collect::<Vec<_>>(),
        false,
    );
    let taints = normalise(
        &candidates
            .iter()
            .map(|c| intolerable_taints(pod, c.node))
            .collect::<Vec<_>>(),
        true,
    );
    let totals: Vec<i64> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            NODE_AFFINITY_WEIGHT * affinity[i]
                + INTER_POD_WEIGHT * pods[i]
                + TAINT_WEIGHT * taints[i]
                + RESOURCES_WEIGHT * least_allocated(c, requested)
        })
        .collect();
    (0..candidates.len()).max_by(|&a, &b| {
        totals[a]
            .cmp(&totals[b])
            .then_with(|| name(candidates[b].node).cmp(name(candidates[a].node)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(name: &str, labels: Value, taints: Value) -> Value {
        json!({"metadata": {"name": name, "labels": labels}, "spec": {"taints": taints}})
    }

    fn roomy() -> Free {
        Free {
            cpu: 2000,
            memory: 4 << 30,
            pods: 110,
        }
    }

    fn pick(pod: &Value, nodes: &[Value], placed: &[Placed]) -> String {
        let refs: Vec<&Value> = nodes.iter().collect();
        let candidates: Vec<Candidate> = nodes
            .iter()
            .map(|n| Candidate {
                node: n,
                free: roomy(),
                allocatable: roomy(),
            })
            .collect();
        let i = best(pod, &candidates, &refs, placed).unwrap();
        name(candidates[i].node).to_string()
    }

    #[test]
    fn a_preferred_node_affinity_wins_over_the_name_order() {
        let nodes = [
            node("a", json!({"disk": "hdd"}), json!([])),
            node("b", json!({"disk": "ssd"}), json!([])),
        ];
        let pod = json!({"metadata": {"namespace": "d"}, "spec": {"affinity": {"nodeAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 50, "preference":
                {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]}}]}}}});
        assert_eq!(pick(&pod, &nodes, &[]), "b");
        assert_eq!(
            pick(&json!({"spec": {}}), &nodes, &[]),
            "a",
            "no preference: by name"
        );
    }

    #[test]
    fn preferred_anti_affinity_spreads_and_prefer_no_schedule_taints_repel() {
        let nodes = [
            node("a", json!({"zone": "1"}), json!([])),
            node("b", json!({"zone": "2"}), json!([])),
        ];
        let placed = [Placed {
            namespace: "d".into(),
            labels: json!({"app": "web"}),
            node: "a".into(),
            anti_affinity: vec![],
        }];
        let pod = json!({"metadata": {"namespace": "d", "labels": {"app": "web"}}, "spec": {"affinity": {"podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm":
                {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "zone"}}]}}}});
        assert_eq!(pick(&pod, &nodes, &placed), "b");
        let tainted = [
            node(
                "a",
                json!({}),
                json!([{"key": "spot", "effect": "PreferNoSchedule"}]),
            ),
            node("b", json!({}), json!([])),
        ];
        assert_eq!(pick(&json!({"spec": {}}), &tainted, &[]), "b");
    }
}
