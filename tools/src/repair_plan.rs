//! The repairs a diagnosis proposes, grouped as they are applied: one values patch per Helm
//! release (its findings' patches merged; an empty one re-applies the release), then one
//! object patch per object no release renders that field of. `todo-ops fix` and the offline
//! planner both apply this plan, so they never disagree about what to change.

use serde::Deserialize;
use serde_json::Value;

use crate::analyzers::Finding;
use crate::repair::{FieldChange, is_removal, object_repairs};
use crate::values::ValuesPatch;

/// What a finding proposes, read from a typed finding or from its JSON (a tool result).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Proposal {
    /// The finding's id.
    pub id: String,
    /// The object at fault.
    pub object: String,
    /// `error` or `warning`.
    #[serde(default)]
    pub severity: String,
    /// The owning release.
    #[serde(default)]
    pub release: Option<String>,
    /// Its values patch.
    #[serde(default)]
    pub suggested_patch: Option<Value>,
    /// The fields to change.
    #[serde(default)]
    pub changes: Vec<FieldChange>,
}

impl From<&Finding> for Proposal {
    fn from(f: &Finding) -> Self {
        Self {
            id: f.id.to_string(),
            object: f.object.clone(),
            severity: match f.severity {
                crate::analyzers::Severity::Error => "error".into(),
                crate::analyzers::Severity::Warning => "warning".into(),
            },
            release: f.release.clone(),
            suggested_patch: f.suggested_patch.clone(),
            changes: f.changes.clone(),
        }
    }
}

/// One release's values change and the findings it answers.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseFix {
    /// The Helm release.
    pub release: String,
    /// The JSON merge patch of its values.
    pub patch: Value,
    /// The findings it answers (ids).
    pub findings: Vec<String>,
}

/// One object's patch and the findings it answers.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectFix {
    /// The object, e.g. `deployment/web`.
    pub object: String,
    /// The strategic merge patch.
    pub patch: Value,
    /// The patch that sets the fields back.
    pub undo: Value,
    /// Why each field gets its value.
    pub reasons: Vec<String>,
    /// The findings it answers (ids).
    pub findings: Vec<String>,
    /// It removes fields from an object a release renders (fields someone added that
    /// re-applying the release would leave): these go before the release's upgrade, which
    /// could not roll out with them in place.
    pub before_releases: bool,
    /// The API server refuses this change in place (a claim's spec is fixed once created):
    /// the object is deleted and created again with it (`patch` with `recreate`).
    pub recreate: bool,
}

/// The whole plan, in finding order within each part.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RepairPlan {
    /// Values changes, one per release.
    pub releases: Vec<ReleaseFix>,
    /// Object patches, one per object.
    pub objects: Vec<ObjectFix>,
}

impl RepairPlan {
    /// Whether nothing follows from the evidence.
    pub fn is_empty(&self) -> bool {
        self.releases.is_empty() && self.objects.is_empty()
    }

    /// The object patches that go before the releases' upgrades, and those after.
    pub fn objects_around_releases(&self) -> (Vec<ObjectFix>, Vec<ObjectFix>) {
        self.objects
            .iter()
            .cloned()
            .partition(|o| o.before_releases)
    }
}

/// The plan for `findings`: only what is broken (an error), plus drift (setting back what
/// a release renders is never a policy choice). A warning's own change (more replicas,
/// looser probes, a suspended CronJob resumed) is a person's decision: it is applied only
/// when it is in `asked`, the (finding, object) pairs the person asked for in the request.
pub fn plan(findings: &[Proposal], asked: &[(String, String)]) -> RepairPlan {
    let mut out = RepairPlan::default();
    let now = |f: &&Proposal| {
        f.severity == "error"
            || f.id == "drift"
            || asked.iter().any(|(id, o)| id == &f.id && o == &f.object)
    };
    for f in findings.iter().filter(now) {
        if let (Some(release), Some(patch)) = (&f.release, &f.suggested_patch) {
            match out.releases.iter_mut().find(|p| &p.release == release) {
                Some(p) => {
                    p.patch = ValuesPatch(patch.clone()).apply_to(&p.patch);
                    p.findings.push(f.id.clone());
                }
                None => out.releases.push(ReleaseFix {
                    release: release.clone(),
                    patch: patch.clone(),
                    findings: vec![f.id.clone()],
                }),
            }
        }
        // Objects no release owns take every change; a release's objects only the removal
        // of fields it never rendered (re-applying it leaves those).
        let changes: Vec<FieldChange> = f
            .changes
            .iter()
            .filter(|c| f.release.is_none() || c.proposed.as_ref().is_some_and(is_removal))
            .cloned()
            .collect();
        for r in object_repairs(&changes) {
            match out.objects.iter_mut().find(|o| o.object == r.object) {
                Some(o) => o.findings.push(f.id.clone()),
                None => out.objects.push(ObjectFix {
                    recreate: immutable_in_place(&r.object, &r.patch),
                    patch: r.patch,
                    undo: r.undo,
                    reasons: r.reasons,
                    findings: vec![f.id.clone()],
                    before_releases: f.release.is_some(),
                    object: r.object,
                }),
            }
        }
    }
    out
}

/// Whether the API server refuses the patch in place: a claim's spec, a Job's pod
/// template, and a pod's spec beyond its containers' images are fixed once created.
fn immutable_in_place(object: &str, patch: &Value) -> bool {
    let kind = object.split('/').next().unwrap_or_default();
    match kind {
        "persistentvolumeclaim" | "job" => true,
        "pod" => {
            let only_images = |list: &Value| {
                list.as_array().is_none_or(|cs| {
                    cs.iter().all(|c| {
                        c.as_object()
                            .is_some_and(|m| m.keys().all(|k| k == "name" || k == "image"))
                    })
                })
            };
            let spec = &patch["spec"];
            let keys_ok = spec
                .as_object()
                .is_some_and(|m| m.keys().all(|k| k == "containers" || k == "initContainers"));
            !(keys_ok && only_images(&spec["containers"]) && only_images(&spec["initContainers"]))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_claim_s_class_is_changed_by_re_creating_it() {
        let findings: Vec<Proposal> = serde_json::from_value(json!([
            {"id": "claim-pending", "object": "persistentvolumeclaim/data", "severity": "error",
             "changes": [{"object": "persistentvolumeclaim/data", "field": "storageClassName",
                          "current": "standrad", "proposed": "standard"}]}
        ]))
        .unwrap_or_default();
        let p = plan(&findings, &[]);
        assert_eq!(p.objects.len(), 1);
        assert!(p.objects[0].recreate);
        assert_eq!(
            p.objects[0].patch,
            json!({"spec": {"storageClassName": "standard"}})
        );
    }

    #[test]
    fn a_tool_result_s_findings_plan_like_typed_ones() {
        let findings: Vec<Proposal> = serde_json::from_value(json!([
            {"id": "single-replica", "object": "deployment/web", "severity": "warning",
             "changes": [{"object": "deployment/web", "field": "replicas", "current": 1, "proposed": 2}]},
            {"id": "image-pull", "object": "deployment/web", "release": null,
             "suggested_patch": null, "severity": "error", "changes": [{"object": "deployment/web", "container": "web", "field": "image",
                          "current": "bussybox:1.37", "proposed": "busybox:1.36"}]},
            {"id": "drift", "object": "service/api", "release": "api", "severity": "error",
             "suggested_patch": {}, "changes": [
                {"object": "deployment/api", "container": "api", "field": "command",
                 "current": ["x"], "proposed": null}]},
            {"id": "oom-killed", "object": "deployment/api", "release": "api", "severity": "error",
             "suggested_patch": {"resources": {"limits": {"memory": "64Mi"}}}}
        ]))
        .unwrap();
        let p = plan(&findings, &[]);
        assert_eq!(p.releases.len(), 1);
        assert_eq!(p.releases[0].findings, ["drift", "oom-killed"]);
        assert_eq!(p.releases[0].patch["resources"]["limits"]["memory"], "64Mi");
        assert_eq!(p.objects.len(), 2, "{:?}", p.objects);
        assert_eq!(p.objects[0].object, "deployment/web");
        // The warning's extra replica waits while something is broken.
        assert_eq!(p.objects[0].findings, ["image-pull"]);
        assert!(p.objects[0].patch["spec"]["replicas"].is_null());
        // The removal survived the JSON round trip as a removal, not as "no proposal", and
        // goes before the release's re-apply, which could not roll out with it in place.
        assert_eq!(p.objects[1].object, "deployment/api");
        let (before, after) = p.objects_around_releases();
        assert_eq!(before[0].object, "deployment/api");
        assert_eq!(after[0].object, "deployment/web");
        assert_eq!(plan(&[], &[]), RepairPlan::default());
        // Asked for by name, the warning's change is made.
        let asked = plan(
            &findings[..1],
            &[("single-replica".to_string(), "deployment/web".to_string())],
        );
        assert_eq!(asked.objects[0].patch["spec"]["replicas"], 2);
        // Another finding asked for on the same object does not bring this one along.
        let other = plan(
            &findings[..1],
            &[("rollout-paused".to_string(), "deployment/web".to_string())],
        );
        assert!(other.is_empty());
        // Not asked, and nothing broken: nothing.
        assert!(plan(&findings[..1], &[]).is_empty());
    }
}
