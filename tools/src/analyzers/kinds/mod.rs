//! Analyzers of the kinds beside pods and Deployments, one per file: states a person set
//! and forgot (a paused rollout, a suspended CronJob), Jobs that failed, autoscalers whose
//! target does not resolve, pods the admission plugins refused, init containers waiting
//! for a Service, NetworkPolicy peers that match nobody, Roles short of a verb.

use serde_json::Value;

use super::{Finding, Severity, release_of};
use crate::repair::FieldChange;
use crate::snapshot::Snapshot;

mod admission;
mod failed_job;
mod hpa_target;
mod init_waits;
mod network_peers;
mod node_taints;
mod paused_rollout;
mod role_verbs;
mod suspended_cronjob;

/// An analyzer of the whole snapshot.
type Analyzer = fn(&Snapshot) -> Vec<Finding>;

/// The registry.
const ANALYZERS: &[Analyzer] = &[
    paused_rollout::analyze,
    suspended_cronjob::analyze,
    failed_job::analyze,
    hpa_target::analyze,
    admission::analyze,
    init_waits::analyze,
    network_peers::analyze,
    node_taints::analyze,
];

/// Every analyzer of this module over the snapshot.
pub fn analyze(snap: &Snapshot) -> Vec<Finding> {
    ANALYZERS.iter().flat_map(|a| a(snap)).collect()
}

pub(super) use role_verbs::{Refusal, grant_missing_verb};

/// An object's name.
fn name(obj: &Value) -> &str {
    obj["metadata"]["name"].as_str().unwrap_or_default()
}

/// A finding about `obj`.
fn finding(
    id: &'static str,
    severity: Severity,
    object: String,
    obj: &Value,
    summary: String,
    evidence: Vec<String>,
    changes: Vec<FieldChange>,
) -> Finding {
    Finding {
        id,
        severity,
        object,
        summary,
        evidence,
        playbook: "diagnose",
        release: release_of(obj),
        cause: String::new(),
        suggested_action: None,
        suggested_patch: None,
        changes,
    }
}

/// A change of one field of an object (not of a container).
fn change(
    object: &str,
    field: &str,
    current: Value,
    proposed: Value,
    basis: String,
) -> FieldChange {
    FieldChange {
        object: object.to_string(),
        container: None,
        init: false,
        field: field.to_string(),
        current,
        proposed: Some(proposed),
        basis,
    }
}
