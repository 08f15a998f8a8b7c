//! Deterministic analyzers: from a [`Snapshot`] to findings, each with its evidence, the
//! playbook that covers it and, where the fix is a values change, a suggested patch.

mod drift;
mod kinds;
mod pods;
mod workloads;

use serde::Serialize;
use serde_json::Value;

use crate::release_history::History;
use crate::repair::{FieldChange, values_repair};
use crate::snapshot::Snapshot;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Degraded or at risk.
    Warning,
    /// Broken.
    Error,
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Finding {
    /// Stable identifier of the problem kind, e.g. `crash-loop`.
    pub id: &'static str,
    /// How bad.
    pub severity: Severity,
    /// The object at fault, e.g. `deployment/todo-backend`.
    pub object: String,
    /// One line for people.
    pub summary: String,
    /// The cause in plain words.
    #[serde(default)]
    pub cause: String,
    /// What was seen: statuses, events, log lines (redacted).
    pub evidence: Vec<String>,
    /// The playbook that covers it.
    pub playbook: &'static str,
    /// The Helm release that owns the object, if any.
    pub release: Option<String>,
    /// A values patch for that release that should repair it.
    pub suggested_patch: Option<Value>,
    /// What to do when the fix is not a values patch (a rollback, a value only a person knows).
    #[serde(default)]
    pub suggested_action: Option<String>,
    /// The live fields the evidence says are wrong, with a better value where it gives one;
    /// the suggested patch is derived from them and the release's history.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<FieldChange>,
}

/// The cause of each kind of finding, in plain words.
pub fn cause_of(id: &str) -> &'static str {
    match id {
        "image-pull" => {
            "The node cannot get the container image: that repository or tag does not exist where the kubelet looks (on Minikube, images must be built into the cluster)."
        }
        "container-config" => {
            "The container cannot be created: a ConfigMap or Secret it takes its environment from, or one of their keys, is missing."
        }
        "crash-loop" => {
            "The application starts and exits with an error: its last log lines, and what its release's latest revision changed, say why."
        }
        "start-error" => {
            "The container runtime cannot start the container's process: its command names a program the image does not have, or one that cannot be executed."
        }
        "exits-zero" => {
            "The container's program finishes successfully right after it starts, as a one-shot task does; a pod that restarts it always keeps restarting it."
        }
        "oom-killed" => "The container uses more memory than its limit, so the kernel kills it.",
        "unschedulable" => "The scheduler found no node the pod may run on.",
        "readiness-failing" => {
            "The readiness probe never succeeds (wrong path or port, or the app is not ready), so the pod gets no traffic and the rollout cannot finish."
        }
        "liveness-failing" => {
            "The liveness probe fails, so the kubelet keeps killing and restarting the container."
        }
        "scaled-to-zero" => "The Deployment asks for zero replicas, so nothing serves its Service.",
        "rollout-stuck" => {
            "The new pods did not become available within the Deployment's progress deadline."
        }
        "single-replica" => "One replica means any restart or node problem takes the service down.",
        "replicas-unavailable" => "Fewer pods are available than the Deployment asks for.",
        "missing-limits" => "Without limits one container can starve the others on its node.",
        "missing-probes" => {
            "Without probes Kubernetes cannot tell a hung container from a healthy one."
        }
        "may-run-as-root" => "Nothing stops the container from running as root.",
        "service-selector" => {
            "The Service's selector matches no pod labels, so it has no endpoints and every request to it fails."
        }
        "service-target-port" => "The Service forwards to a port the pods do not expose.",
        "backend-url" => {
            "The frontend sends /api to a Service that does not exist, so every API call fails."
        }
        "helm-release" => "The last Helm operation on the release failed or never finished.",
        "log-errors" => {
            "The container runs, but its own log keeps reporting errors: the application is failing at its work even though Kubernetes sees it as healthy."
        }
        "rbac-forbidden" => {
            "The API server refuses the workload's identity a request it makes: no Role or ClusterRole bound to its ServiceAccount allows that verb on that resource."
        }
        "claim-pending" => {
            "The PersistentVolumeClaim cannot be bound to a volume, so every pod that mounts it stays Pending."
        }
        "drift" => {
            "An object the Helm release renders was deleted or edited outside Helm; re-applying the release with its current values restores it."
        }
        _ => "",
    }
}

/// What to do for findings whose fix is not a values patch; a rollback is offered only to a
/// revision that exists and worked.
fn action_for(f: &Finding, history: &History) -> Option<String> {
    if f.release.is_none() {
        return field_action(f);
    }
    let r = f.release.as_deref()?;
    let rollback = history
        .rollback_target(r)
        .map(|t| format!("helm rollback {r} {}", t.number));
    let or_rollback = rollback
        .as_ref()
        .map(|rb| format!(", or {rb}"))
        .unwrap_or_default();
    Some(match f.id {
        "readiness-failing" | "service-selector" | "service-target-port" => {
            format!(
                "re-apply the release to undo edits made outside Helm: helm upgrade {r} with its current values{or_rollback}"
            )
        }
        "rollout-stuck" | "helm-release" => match rollback {
            Some(rb) => format!("{rb} (the last revision that worked)"),
            None => format!(
                "fix forward: {r} has no earlier revision that worked; correct its values and helm upgrade {r}"
            ),
        },
        "crash-loop" | "liveness-failing" => {
            format!("set the value the log names in the release {r}{or_rollback}")
        }
        "container-config" => format!(
            "create the missing object or key, or point the release at one that has it (helm upgrade {r})"
        ),
        "start-error" => {
            format!("give the container a command its image has, in the release {r}{or_rollback}")
        }
        "exits-zero" => format!(
            "give the container a long-running command in the release {r} (a one-shot task belongs in a Job){or_rollback}"
        ),
        _ => return field_action(f),
    })
}

/// The field changes in words, for a person or `kubectl` when no values key renders them.
fn field_action(f: &Finding) -> Option<String> {
    let parts: Vec<String> = f
        .changes
        .iter()
        .filter_map(|c| {
            let to = c.proposed.as_ref()?;
            let container = c
                .container
                .as_ref()
                .map(|n| format!(" container {n}"))
                .unwrap_or_default();
            Some(format!(
                "set {}{container} {} from {} to {to} ({})",
                c.object, c.field, c.current, c.basis
            ))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Extra material the analyzers may use: the last log lines of crashing containers and the
/// recent lines of running ones.
#[derive(Debug, Clone, Default)]
pub struct Logs {
    /// (pod, container) → redacted last lines of the previous instance.
    pub previous: Vec<((String, String), String)>,
    /// (pod, container) → redacted lines the running instance wrote lately.
    pub recent: Vec<((String, String), String)>,
}

fn log_of<'a>(
    logs: &'a [((String, String), String)],
    pod: &str,
    container: &str,
) -> Option<&'a str> {
    logs.iter()
        .find(|((p, c), _)| p == pod && c == container)
        .map(|(_, l)| l.as_str())
}

impl Logs {
    /// The previous log of a container.
    pub fn get(&self, pod: &str, container: &str) -> Option<&str> {
        log_of(&self.previous, pod, container)
    }

    /// What a running container logged lately.
    pub fn recent(&self, pod: &str, container: &str) -> Option<&str> {
        log_of(&self.recent, pod, container)
    }
}

/// The Helm release of an object, from its standard labels.
pub fn release_of(obj: &Value) -> Option<String> {
    let l = &obj["metadata"]["labels"];
    (l["app.kubernetes.io/managed-by"] == "Helm")
        .then(|| l["app.kubernetes.io/instance"].as_str().map(str::to_string))
        .flatten()
}

/// The workload a pod belongs to, followed up its controllers: a ReplicaSet's Deployment,
/// a Job's CronJob, else the StatefulSet, DaemonSet, ReplicaSet or Job that made it, or the
/// pod itself (`kind/name`, the kind lower-case).
pub fn owner_of(snap: &Snapshot, pod: &Value) -> String {
    let mut owner = format!(
        "pod/{}",
        pod["metadata"]["name"].as_str().unwrap_or_default()
    );
    let mut obj = pod;
    // A chain is at most pod → ReplicaSet/Job → Deployment/CronJob.
    for _ in 0..2 {
        let Some((kind, name)) = controller_of(obj) else {
            break;
        };
        owner = format!("{}/{name}", kind.to_lowercase());
        let listed = match kind {
            "ReplicaSet" => &snap.replicasets,
            "Job" => &snap.kinds.jobs,
            _ => break,
        };
        match listed.iter().find(|o| o["metadata"]["name"] == name) {
            Some(o) => obj = o,
            None => break,
        }
    }
    owner
}

/// The kind and name of an object's controller (its controlling owner reference, else its
/// first one).
fn controller_of(obj: &Value) -> Option<(&str, &str)> {
    let refs = obj["metadata"]["ownerReferences"].as_array()?;
    let r = refs
        .iter()
        .find(|r| r["controller"] == true)
        .or_else(|| refs.first())?;
    Some((r["kind"].as_str()?, r["name"].as_str()?))
}

/// Events about an object, newest last, as "Reason: message (xN)".
pub fn events_for(snap: &Snapshot, name: &str) -> Vec<String> {
    events_since(snap, name, None)
}

/// Events about an object last seen at or after `since` (RFC 3339), newest last: what
/// happened before a container's current start says nothing about it now.
pub fn events_since(snap: &Snapshot, name: &str, since: Option<&str>) -> Vec<String> {
    let mut evs: Vec<&Value> = snap
        .events
        .iter()
        .filter(|e| e["involvedObject"]["name"] == name)
        .filter(|e| since.is_none_or(|t| e["lastTimestamp"].as_str().is_some_and(|l| l >= t)))
        .collect();
    evs.sort_by_key(|e| e["lastTimestamp"].as_str().unwrap_or_default().to_string());
    evs.iter()
        .map(|e| {
            let count = e["count"].as_i64().unwrap_or(1);
            let times = if count > 1 {
                format!(" (x{count})")
            } else {
                String::new()
            };
            format!(
                "{} {}: {}{times}",
                e["type"].as_str().unwrap_or(""),
                e["reason"].as_str().unwrap_or(""),
                e["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// Every analyzer over the snapshot; one finding per problem and owner, errors first.
pub fn analyze(snap: &Snapshot, logs: &Logs) -> Vec<Finding> {
    let mut out = pods::analyze(snap, logs);
    out.extend(workloads::analyze(snap));
    out.extend(workloads::hygiene(snap));
    out.extend(workloads::service_ports(snap));
    out.extend(workloads::helm_releases(snap));
    out.extend(workloads::claims(snap));
    out.extend(kinds::analyze(snap));
    out.extend(drift::analyze(snap));
    // One finding per (problem, object): several pods of a Deployment say the same thing.
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| seen.insert((f.id, f.object.clone())));
    // An edit outside Helm on an object that is broken is part of the breakage.
    let broken: std::collections::HashSet<String> = out
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.object.clone())
        .collect();
    for f in out.iter_mut().filter(|f| f.id == "drift") {
        if broken.contains(&f.object) {
            f.severity = Severity::Error;
        }
    }
    for f in &mut out {
        // An analyzer that knows the cause of this very case says it; else the kind's.
        if f.cause.is_empty() {
            f.cause = cause_of(f.id).to_string();
        }
        if let Some(release) = f.release.as_deref()
            && let Some(repair) = values_repair(&f.changes, &snap.history, release)
        {
            f.evidence
                .extend(repair.reasons.iter().map(|r| format!("repair: {r}")));
            f.suggested_patch = Some(repair.patch);
        }
        // An analyzer's own advice stands; otherwise the kind's.
        if f.suggested_patch.is_none() && f.suggested_action.is_none() {
            f.suggested_action = action_for(f, &snap.history);
        }
    }
    out.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.object.cmp(&b.object)));
    out
}
