//! PodDisruptionBudgets: the disruption controller's status (how many pods are expected,
//! healthy, must stay healthy, and how many may go now), and the Eviction API that honours
//! it — what `kubectl drain` calls for each pod.

use serde_json::{Value, json};

use super::workload::{finished, ready, write_status};
use crate::meta::ident;
use crate::resources::{PDB, POD};
use crate::selector::LabelSelector;
use crate::status::ApiError;
use crate::store::Store;

/// A budget's number or percentage of `total`, rounded up as the controller rounds.
fn scaled(v: &Value, total: i64) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            let pct: i64 = s.strip_suffix('%')?.trim().parse().ok()?;
            Some((pct * total + 99) / 100)
        }
        _ => None,
    }
}

fn pods_of_budget(pdb: &Value, pods: &[std::sync::Arc<Value>]) -> Vec<std::sync::Arc<Value>> {
    let ns = pdb["metadata"]["namespace"].as_str().unwrap_or_default();
    let selector = LabelSelector::from_object(&pdb["spec"]["selector"]);
    // An empty selector matches every pod of the namespace in policy/v1.
    pods.iter()
        .filter(|p| {
            p["metadata"]["namespace"] == ns
                && !finished(p)
                && p["metadata"]["deletionTimestamp"].is_null()
        })
        .filter(|p| selector.matches(p["metadata"]["labels"].as_object()))
        .cloned()
        .collect()
}

/// The status a budget has for these pods.
fn status_for(pdb: &Value, pods: &[std::sync::Arc<Value>]) -> Value {
    let mine = pods_of_budget(pdb, pods);
    let expected = mine.len() as i64;
    let healthy = mine.iter().filter(|p| ready(p)).count() as i64;
    let desired = match (
        scaled(&pdb["spec"]["minAvailable"], expected),
        scaled(&pdb["spec"]["maxUnavailable"], expected),
    ) {
        (Some(min), _) => min,
        (None, Some(max)) => (expected - max).max(0),
        (None, None) => expected,
    };
    let allowed = (healthy - desired).max(0);
    let (status, reason) = if allowed > 0 {
        ("True", "SufficientPods")
    } else {
        ("False", "InsufficientPods")
    };
    let old = &pdb["status"]["conditions"];
    let since = old
        .as_array()
        .and_then(|c| {
            c.iter()
                .find(|c| c["type"] == "DisruptionAllowed" && c["status"] == status)
        })
        .map(|c| c["lastTransitionTime"].clone())
        .unwrap_or_else(|| json!(crate::meta::now()));
    json!({
        "observedGeneration": pdb["metadata"]["generation"],
        "disruptionsAllowed": allowed,
        "currentHealthy": healthy,
        "desiredHealthy": desired,
        "expectedPods": expected,
        "conditions": [{"type": "DisruptionAllowed", "status": status, "reason": reason, "message": "", "observedGeneration": pdb["metadata"]["generation"], "lastTransitionTime": since}],
    })
}

/// One pass over every PodDisruptionBudget.
pub fn reconcile(store: &Store) {
    let pods = store.all_shared(&POD);
    for pdb in store.all(&PDB) {
        let status = status_for(&pdb, &pods);
        write_status(store, &PDB, &pdb, status);
    }
}

/// Evicts a pod unless its budget allows no disruption now (429 with the budget's numbers);
/// with `commit` false only checks.
pub fn evict(store: &Store, ns: &str, name: &str, commit: bool) -> Result<(), ApiError> {
    let pod = store.get(&POD, ns, name)?;
    // A pod that is not running cannot make a budget worse.
    let running = pod["status"]["phase"] == "Running";
    let pods = store.all_shared(&POD);
    let budgets: Vec<Value> = store
        .all(&PDB)
        .into_iter()
        .filter(|b| {
            b["metadata"]["namespace"] == ns
                && pods_of_budget(b, &pods)
                    .iter()
                    .any(|p| p["metadata"]["name"] == name)
        })
        .collect();
    if budgets.len() > 1 {
        return Err(ApiError::Internal(
            "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.".into(),
        ));
    }
    if let Some(budget) = budgets.first().filter(|_| running && ready(&pod)) {
        let status = status_for(budget, &pods);
        if status["disruptionsAllowed"].as_i64().unwrap_or(0) <= 0 {
            return Err(ApiError::DisruptionBudget {
                budget: ident(budget).0,
                desired: status["desiredHealthy"].as_i64().unwrap_or(0),
                current: status["currentHealthy"].as_i64().unwrap_or(0),
            });
        }
    }
    if commit {
        crate::graceful::delete_pod(store, ns, name, None)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_up() {
        assert_eq!(scaled(&json!("50%"), 3), Some(2));
        assert_eq!(scaled(&json!(1), 3), Some(1));
        assert_eq!(scaled(&json!("x"), 3), None);
    }
}
