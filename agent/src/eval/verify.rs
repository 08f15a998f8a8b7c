//! The verifier of a task: reads the cluster and the Helm releases after the agent's turn.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::Deployment;
use kube::Api;
use serde_json::Value;
use todo_ops_tools::analyzers::Severity;
use todo_ops_tools::cluster::Cluster;
use todo_ops_tools::helm::{self, HelmClient};
use todo_ops_tools::tools::list_deployments::rollout_state;

use super::Verify;

/// The chatbot's releases and Deployments.
const APPS: [&str; 2] = ["todo-backend", "todo-frontend"];

/// What "unchanged" compares with: Helm revisions and Deployment generations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    revisions: BTreeMap<String, u32>,
    generations: BTreeMap<String, i64>,
}

async fn deployments(cluster: &Cluster) -> Result<Vec<Value>, String> {
    let api: Api<Deployment> = Api::namespaced(cluster.client.clone(), &cluster.namespace);
    let mut out = Vec::new();
    for app in APPS {
        let d = api
            .get(app)
            .await
            .map_err(|e| format!("deployment {app}: {e}"))?;
        out.push(serde_json::to_value(d).map_err(|e| e.to_string())?);
    }
    Ok(out)
}

/// Reads the state "unchanged" compares with.
pub async fn state(cluster: &Cluster, helm: &std::sync::Arc<HelmClient>) -> Result<State, String> {
    let mut s = State::default();
    for app in APPS {
        let h = helm.clone();
        let r = helm::blocking("status", move || h.status(app))
            .await
            .map_err(|e| format!("helm status {app}: {e}"))?;
        s.revisions.insert(app.into(), r.revision);
    }
    for d in deployments(cluster).await? {
        let name = d["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        s.generations.insert(
            name,
            d["metadata"]["generation"].as_i64().unwrap_or_default(),
        );
    }
    Ok(s)
}

fn dotted<'a>(v: &'a Value, key: &str) -> &'a Value {
    key.split('.').fold(v, |v, k| &v[k])
}

/// What does not hold (empty: the task passed).
pub async fn check(
    v: &Verify,
    cluster: &Cluster,
    helm: &std::sync::Arc<HelmClient>,
    before: &State,
    answer: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    let deploys = match deployments(cluster).await {
        Ok(d) => d,
        Err(e) => return vec![e],
    };
    if v.healthy || !v.findings_gone.is_empty() {
        match todo_ops_tools::diagnose::diagnose(cluster).await {
            Ok(d) => {
                for f in &d.findings {
                    if v.healthy && f.severity == Severity::Error {
                        out.push(format!("diagnose still reports {} on {}", f.id, f.object));
                    } else if v.findings_gone.iter().any(|g| g == f.id) {
                        out.push(format!("{} is still reported on {}", f.id, f.object));
                    }
                }
            }
            Err(e) => out.push(format!("diagnose failed: {e}")),
        }
    }
    if v.healthy {
        for d in &deploys {
            let state = rollout_state(d);
            let name = d["metadata"]["name"].as_str().unwrap_or_default();
            let want = d["spec"]["replicas"].as_i64().unwrap_or(1);
            let ready = d["status"]["readyReplicas"].as_i64().unwrap_or(0);
            if state != "successfully rolled out" || want == 0 || ready < want {
                out.push(format!("{name}: {state}, {ready}/{want} ready"));
            }
        }
    }
    for (name, want) in &v.replicas {
        let have = deploys
            .iter()
            .find(|d| d["metadata"]["name"] == name.as_str())
            .and_then(|d| d["spec"]["replicas"].as_i64());
        if have != Some(*want) {
            out.push(format!("{name} has {have:?} replicas, not {want}"));
        }
    }
    for (release, keys) in &v.values {
        let (h, r) = (helm.clone(), release.clone());
        match helm::blocking("get values", move || h.values(&r, false, None)).await {
            Ok(values) => {
                for (key, want) in keys {
                    let have = dotted(&values, key);
                    if have != want {
                        out.push(format!("{release} {key} is {have}, not {want}"));
                    }
                }
            }
            Err(e) => out.push(format!("helm get values {release}: {e}")),
        }
    }
    if v.unchanged {
        match state(cluster, helm).await {
            Ok(now) if &now == before => {}
            Ok(now) => out.push(format!(
                "the cluster changed: before {before:?}, now {now:?}"
            )),
            Err(e) => out.push(e),
        }
    }
    let lower = answer.to_lowercase();
    for w in &v.answer_contains {
        if !lower.contains(&w.to_lowercase()) {
            out.push(format!("the answer does not mention {w:?}"));
        }
    }
    out
}

/// Container restarts of the chatbot's pods, summed.
pub async fn restarts(cluster: &Cluster) -> Result<i64, String> {
    use k8s_openapi::api::core::v1::Pod;
    let api: Api<Pod> = Api::namespaced(cluster.client.clone(), &cluster.namespace);
    let pods = api
        .list(&Default::default())
        .await
        .map_err(|e| format!("listing pods: {e}"))?;
    Ok(pods
        .items
        .iter()
        .filter_map(|p| p.status.as_ref()?.container_statuses.as_ref())
        .flatten()
        .map(|c| i64::from(c.restart_count))
        .sum())
}
