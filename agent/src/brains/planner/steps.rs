//! What the planner does for each intent once it knows what the cluster holds: which object,
//! which tool with which arguments, and the answer from the typed results.

use serde_json::{Value, json};
use todo_ops_tools::repair_plan::{Proposal, plan};

use super::intent::{Amount, Intent};
use super::resolve::{Found, Object, World};
use super::{HELP, Seen, answer, call, playbook_repair};
use crate::protocol::ModelTurn;

/// What a step knows.
pub(crate) struct Context<'a> {
    /// The cluster's objects.
    pub world: &'a World,
    /// The namespace the request names.
    pub namespace: Option<String>,
    /// The request's words.
    pub words: &'a [String],
    /// The results after the lookups.
    pub done: &'a [Seen],
    /// The index of the first step after the lookups.
    pub first_step: usize,
    /// The playbooks.
    pub playbooks: &'a [crate::core::playbook::Playbook],
}

impl Context<'_> {
    fn call(&self, name: &str, args: Value) -> ModelTurn {
        call(self.first_step + self.done.len(), name, args)
    }

    /// The object of `kinds` the request means, or the answer that says why there is none.
    fn target(&self, kinds: &[&str]) -> Result<Object, ModelTurn> {
        match self
            .world
            .find(self.words, kinds, self.namespace.as_deref())
        {
            Found::One(o) => Ok(o),
            Found::Several(all) => Err(answer(format!(
                "Which one do you mean: {}? Say the namespace (\"in NAMESPACE\").",
                all.iter()
                    .map(|o| format!("{} {}/{}", o.kind, o.namespace, o.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
            Found::None => {
                let known: Vec<String> = self
                    .world
                    .objects
                    .iter()
                    .filter(|o| o.kind == kinds[0] && !o.namespace.starts_with("kube-"))
                    .take(20)
                    .map(|o| format!("{}/{}", o.namespace, o.name))
                    .collect();
                Err(answer(format!(
                    "I found no {} that request names{}. {}",
                    kinds[0],
                    self.namespace
                        .as_ref()
                        .map(|n| format!(" in namespace {n}"))
                        .unwrap_or_default(),
                    if known.is_empty() {
                        "I see none at all (or may not list them).".to_string()
                    } else {
                        format!("There are: {}.", known.join(", "))
                    }
                )))
            }
        }
    }

    /// Arguments naming the namespace to list in: the one named, else the named object's,
    /// else the session's.
    fn around_target(&self) -> Value {
        match self.working_namespace(&["deployment", "pod", "service"]) {
            Some(ns) => json!({"namespace": ns}),
            None => json!({}),
        }
    }

    /// The namespace to work in: the one named, else the named object's.
    fn working_namespace(&self, kinds: &[&str]) -> Option<String> {
        self.namespace
            .clone()
            .or_else(|| match self.world.find(self.words, kinds, None) {
                Found::One(o) => Some(o.namespace),
                _ => None,
            })
    }

    /// One call, then the answer: `intro` and what it said.
    fn single(&self, name: &str, args: Value, intro: &str) -> ModelTurn {
        match self.done.first() {
            None => self.call(name, args),
            Some(seen) if intro.is_empty() => answer(seen.text.clone()),
            Some(seen) => answer(format!("{intro}\n{}", seen.text)),
        }
    }
}

/// The next step for `intent`.
pub(crate) fn act(intent: &Intent, c: &Context) -> ModelTurn {
    let run = || -> Result<ModelTurn, ModelTurn> {
        Ok(match intent {
            Intent::Diagnose => diagnose(c),
            Intent::Fix => fix(c),
            Intent::Status => c.single("list_deployments", c.around_target(), "Deployments:"),
            Intent::Pods => c.single("list_pods", c.around_target(), "Pods:"),
            Intent::Images => images(c),
            Intent::Events { warnings_only } => {
                let object = match c.world.find(
                    c.words,
                    &["deployment", "pod", "service"],
                    c.namespace.as_deref(),
                ) {
                    Found::One(o) => Some(o),
                    _ => None,
                };
                let mut args = json!({"warnings_only": warnings_only});
                if let Some(o) = &object {
                    args["object"] = json!(o.name);
                    args["namespace"] = json!(o.namespace);
                } else if let Some(ns) = &c.namespace {
                    args["namespace"] = json!(ns);
                }
                c.single("get_events", args, "Events:")
            }
            Intent::Describe(said) => {
                let all = ["deployment", "service", "pod"];
                let kinds: Vec<&str> = if said.is_empty() {
                    all.to_vec()
                } else {
                    said.iter().map(String::as_str).collect()
                };
                // The first kind said that names an object; else any kind.
                let o = kinds
                    .iter()
                    .find_map(
                        |k| match c.world.find(c.words, &[k], c.namespace.as_deref()) {
                            Found::One(o) => Some(o),
                            _ => None,
                        },
                    )
                    .map_or_else(|| c.target(&kinds), Ok)?;
                c.single(
                    "describe",
                    json!({"kind": o.kind, "name": o.name, "namespace": o.namespace}),
                    "",
                )
            }
            Intent::Values { all } => {
                let release = release_of(&c.target(&["deployment"])?);
                c.single(
                    "helm_values",
                    json!({"release": release, "all": all}),
                    "Values:",
                )
            }
            Intent::DiffValues(patch) => {
                let release = release_of(&c.target(&["deployment"])?);
                c.single(
                    "diff_values",
                    json!({"release": release, "patch": patch}),
                    "What would change:",
                )
            }
            Intent::Scale(amount) => scale(c, *amount)?,
            Intent::Restart => {
                let d = c.target(&["deployment"])?;
                c.single(
                    "rollout_restart",
                    json!({"deployment": d.name, "namespace": d.namespace}),
                    "Restart:",
                )
            }
            Intent::Rollback => {
                let d = c.target(&["deployment"])?;
                match d.row["release"].as_str() {
                    // The release lives where its Deployment does.
                    Some(r) => c.single(
                        "helm_rollback",
                        json!({"release": r, "namespace": d.namespace}),
                        "Rollback:",
                    ),
                    // No release: the Deployment's own revisions (its ReplicaSets).
                    None => c.single(
                        "rollout_undo",
                        json!({"deployment": d.name, "namespace": d.namespace}),
                        "Rollback:",
                    ),
                }
            }
            Intent::Logs => logs(c)?,
            Intent::SetImage(image) => set_image(c, NewImage::Image(image))?,
            Intent::SetTag(tag) => set_image(c, NewImage::Tag(tag))?,
            Intent::SwitchTraffic(to) => switch_traffic(c, to)?,
            Intent::Create(docs) => {
                let manifest = docs
                    .iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join("\n---\n");
                c.single("apply", json!({"manifest": manifest}), "Created:")
            }
            _ => answer(format!("I did not understand that. {HELP}")),
        })
    };
    run().unwrap_or_else(|a| a)
}

/// The release a Deployment belongs to (its own name when no annotation says).
fn release_of(d: &Object) -> String {
    d.row["release"]
        .as_str()
        .map_or_else(|| d.name.clone(), str::to_string)
}

fn diagnose(c: &Context) -> ModelTurn {
    let ns = c.working_namespace(&["deployment", "pod", "service"]);
    let args = ns.map_or_else(|| json!({}), |n| json!({"namespace": n}));
    let pod = match c.world.find(c.words, &["pod"], None) {
        Found::One(p) if c.words.contains(&p.name) => Some(p),
        _ => None,
    };
    match c.done {
        [] => c.call("diagnose", args),
        // A pod named outright with nothing found about it: its own log says more.
        [d] if pod.as_ref().is_some_and(|p| !mentions(&d.data, &p.name)) => {
            let p = pod
                .as_ref()
                .map(|p| (p.name.clone(), p.namespace.clone(), p.row.clone()));
            let (name, ns, row) = p.unwrap_or_default();
            let mut args = json!({"pod": name, "namespace": ns, "tail": 30});
            // A pod that has only just started has not said much yet: watch it a while.
            if let Some(age) = row["age"].as_str().and_then(seconds_old)
                && age < OBSERVE_SECONDS
            {
                args["follow_seconds"] = json!(OBSERVE_SECONDS - age);
            }
            c.call("get_logs", args)
        }
        [d] => answer(format!("Diagnosis:\n{}", d.text)),
        [d, logs, ..] => answer(format!(
            "Diagnosis:\n{}\nThe last log lines of that pod:\n{}",
            d.text, logs.text
        )),
    }
}

/// How long a pod should have run before its quiet log says it is well.
const OBSERVE_SECONDS: u64 = 10;

/// The seconds of an age kubectl writes in seconds (`"7s"`); None for older ones (`"3m"`).
fn seconds_old(age: &str) -> Option<u64> {
    age.strip_suffix('s')?.parse().ok()
}

/// Whether a diagnosis has a finding about `name`.
fn mentions(diagnosis: &Value, name: &str) -> bool {
    diagnosis["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|f| {
            f["object"]
                .as_str()
                .is_some_and(|o| o.ends_with(&format!("/{name}")))
        })
}

/// The changes a diagnosis's repair plan makes, as tool calls, in order.
fn repair_calls(
    diagnosis: &Value,
    namespace: Option<&str>,
    words: &[String],
) -> Vec<(String, Value)> {
    let proposals: Vec<Proposal> =
        serde_json::from_value(diagnosis["findings"].clone()).unwrap_or_default();
    let asked: Vec<(String, String)> = proposals
        .iter()
        .filter(|f| f.severity != "error" && asked_for(f, words))
        .map(|f| (f.id.clone(), f.object.clone()))
        .collect();
    let p = plan(&proposals, &asked);
    // In fix's order: removals from a release's objects, the releases, the other objects.
    let (first, last) = p.objects_around_releases();
    let patch = |o: todo_ops_tools::repair_plan::ObjectFix| {
        let mut args = json!({"object": o.object, "patch": o.patch});
        if o.recreate {
            args["recreate"] = json!(true);
        }
        if let Some(ns) = namespace {
            args["namespace"] = json!(ns);
        }
        ("patch".to_string(), args)
    };
    let releases = p.releases.into_iter().map(|r| {
        let mut args = json!({"release": r.release, "patch": r.patch});
        if let Some(ns) = namespace {
            args["namespace"] = json!(ns);
        }
        ("helm_upgrade".to_string(), args)
    });
    first
        .into_iter()
        .map(patch)
        .chain(releases)
        .chain(last.into_iter().map(patch))
        .collect()
}

/// Whether the request asks for a warning's own change: it names the object, and, for a
/// hygiene rule (replicas, limits, probes, root), the thing that rule would change. "Fix
/// web" repairs what is broken in web; it does not scale it.
fn asked_for(f: &Proposal, words: &[String]) -> bool {
    let name = f.object.split_once('/').map_or("", |(_, n)| n);
    let said = |ws: &[&str]| words.iter().any(|w| ws.contains(&w.as_str()));
    // A node's taints and cordon: asked for by what they are, the node is rarely named.
    if f.id == "node-taint" {
        return said(&[
            "taint", "tainted", "taints", "untaint", "cordon", "cordoned", "uncordon",
        ]);
    }
    let named = words.iter().any(|w| w == name);
    let change: &[&str] = match f.id.as_str() {
        "single-replica" => &["replica", "replicas", "scale", "resilient", "resilience"],
        "missing-limits" => &["limit", "limits"],
        "missing-probes" => &["probe", "probes", "health", "healthcheck"],
        "may-run-as-root" => &["root", "securitycontext", "non-root", "nonroot"],
        _ => &[],
    };
    named && (change.is_empty() || words.iter().any(|w| change.contains(&w.as_str())))
}

/// Repair rounds before `fix` reports what is left: a repair can uncover the next fault
/// (a readiness path fixed, then the liveness probe's turn), but a loop must end.
const FIX_ROUNDS: usize = 3;

/// Diagnose, apply every repair the evidence gives (each through the gate), diagnose again;
/// another round when the new diagnosis gives repairs of its own.
fn fix(c: &Context) -> ModelTurn {
    // A repair may be of objects the lookups do not list (a CronJob, a Role): the namespace
    // said is taken even when nothing listed lives there.
    let ns = c
        .working_namespace(&["deployment", "service", "pod"])
        .or_else(|| World::unlisted_namespace_in(c.words));
    let ns_args = || {
        ns.as_ref()
            .map_or_else(|| json!({}), |n| json!({"namespace": n}))
    };
    let mut lines: Vec<String> = Vec::new();
    let mut previous: Vec<(String, Value)> = Vec::new();
    let mut at = 0;
    for round in 0..=FIX_ROUNDS {
        let Some(diagnosis) = c.done.get(at) else {
            return c.call("diagnose", ns_args());
        };
        let mut changes = repair_calls(&diagnosis.data, ns.as_deref(), c.words);
        if round == 0
            && changes.is_empty()
            && let Some(step) = playbook_repair(&diagnosis.data, c.playbooks)
        {
            changes.push(step);
        }
        if round == 0 && changes.is_empty() {
            return answer(format!(
                "I found no change that follows from the evidence, so I changed nothing.\n{}",
                diagnosis.text
            ));
        }
        // Done: nothing more to repair, no progress (the same changes again), enough rounds,
        // or nothing broken any more (a warning's own change is for a first round only: the
        // person asked to fix what was broken, not for more).
        let broken = diagnosis.data["findings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["severity"] == "error"));
        let more = round == 0 || broken;
        if changes.is_empty() || !more || changes == previous || round == FIX_ROUNDS {
            return answer(format!(
                "Changes:\n{}\nAfterwards (pods may still be rolling out):\n{}",
                lines.join("\n"),
                diagnosis.text
            ));
        }
        let applied = c.done.get(at + 1..).unwrap_or_default();
        if applied.len() < changes.len() {
            let (tool, args) = &changes[applied.len()];
            return c.call(tool, args.clone());
        }
        let mut failed = false;
        for ((tool, _), seen) in changes.iter().zip(applied) {
            let outcome = if seen.data.is_null() {
                failed = true;
                "did not apply"
            } else {
                "applied"
            };
            lines.push(format!(
                "- {tool} {outcome}: {}",
                seen.text.lines().next().unwrap_or("")
            ));
        }
        if failed {
            // A refused or failed change ends the repair: what is left is the person's.
            if let Some(after) = c.done.get(at + 1 + changes.len()) {
                return answer(format!(
                    "Changes:\n{}\nAfterwards:\n{}",
                    lines.join("\n"),
                    after.text
                ));
            }
        }
        at += 1 + changes.len();
        previous = changes;
    }
    answer(format!("Changes:\n{}", lines.join("\n")))
}

fn scale(c: &Context, amount: Amount) -> Result<ModelTurn, ModelTurn> {
    // The kind the request says first, else a Deployment before a StatefulSet.
    let said_sts = c
        .words
        .iter()
        .any(|w| w.starts_with("statefulset") || w == "sts");
    let kinds: &[&str] = if said_sts {
        &["statefulset", "deployment"]
    } else {
        &["deployment", "statefulset"]
    };
    let d = c.target(kinds)?;
    let current = d.row["desired"].as_i64().unwrap_or(1);
    let replicas = amount.apply(current);
    Ok(match c.done.first() {
        None => {
            let mut args =
                json!({"deployment": d.name, "replicas": replicas, "namespace": d.namespace});
            if d.kind != "deployment" {
                args["kind"] = json!(d.kind);
            }
            c.call("scale", args)
        }
        Some(seen) => answer(format!(
            "Scaled {} {}/{} from {current} to {replicas} replicas.\n{}",
            d.kind, d.namespace, d.name, seen.text
        )),
    })
}

fn logs(c: &Context) -> Result<ModelTurn, ModelTurn> {
    let exact = c.world.objects.iter().find(|o| {
        o.kind == "pod"
            && c.words.contains(&o.name)
            && c.namespace.as_ref().is_none_or(|n| *n == o.namespace)
    });
    let pod = match exact {
        Some(p) => p.clone(),
        None => {
            let d = c.target(&["deployment", "pod"])?;
            if d.kind == "pod" {
                d
            } else {
                match c.world.pods_of(&d).first() {
                    Some(p) => (*p).clone(),
                    None => {
                        return Err(answer(format!(
                            "deployment {}/{} has no pods to read logs from.",
                            d.namespace, d.name
                        )));
                    }
                }
            }
        }
    };
    Ok(c.single(
        "get_logs",
        json!({"pod": pod.name, "namespace": pod.namespace, "tail": 50}),
        &format!("Last log lines of pod {}/{}:", pod.namespace, pod.name),
    ))
}

fn images(c: &Context) -> ModelTurn {
    let ns = c.working_namespace(&["deployment", "pod"]);
    let lines: Vec<String> = c
        .world
        .objects
        .iter()
        .filter(|o| o.kind == "pod")
        .filter(|o| match &ns {
            Some(n) => o.namespace == *n,
            None => !o.namespace.starts_with("kube-"),
        })
        .map(|o| {
            let images: Vec<&str> = o.row["images"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            format!("- {}/{}: {}", o.namespace, o.name, images.join(", "))
        })
        .collect();
    if lines.is_empty() {
        return answer(format!(
            "There are no pods{}.",
            ns.map(|n| format!(" in namespace {n}")).unwrap_or_default()
        ));
    }
    answer(format!("Images the pods run:\n{}", lines.join("\n")))
}

/// What a set-image request gives: a whole image, or a tag for the current repository.
enum NewImage<'a> {
    Image(&'a str),
    Tag(&'a str),
}

fn set_image(c: &Context, new: NewImage) -> Result<ModelTurn, ModelTurn> {
    let d = c.target(&["deployment"])?;
    let strs = |k: &str| -> Vec<String> {
        d.row[k]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    let (containers, images) = (strs("containers"), strs("images"));
    let repo = |i: &str| todo_ops_tools::repair::image_parts(i).0.to_string();
    let said = match new {
        NewImage::Image(i) => Some(i),
        NewImage::Tag(_) => None,
    };
    let at = match images
        .iter()
        .position(|i| said.is_some_and(|s| repo(i) == repo(s)))
    {
        Some(i) => i,
        None if containers.len() == 1 => 0,
        None => {
            let what = match new {
                NewImage::Image(i) => i.to_string(),
                NewImage::Tag(t) => format!("version {t}"),
            };
            return Err(answer(format!(
                "deployment {}/{} has containers {}; which one should run {what}?",
                d.namespace,
                d.name,
                containers.join(", ")
            )));
        }
    };
    let image = match new {
        NewImage::Image(i) => i.to_string(),
        NewImage::Tag(t) => format!("{}:{t}", repo(images.get(at).map_or("", String::as_str))),
    };
    let container = containers.get(at).cloned().unwrap_or_default();
    Ok(match c.done.first() {
        None => c.call(
            "set_image",
            json!({"object": format!("deployment/{}", d.name), "namespace": d.namespace,
                   "container": container, "image": image}),
        ),
        Some(seen) => answer(format!(
            "Container {container} of deployment {}/{} now runs {image} (a rolling update replaces the pods one by one).\n{}",
            d.namespace, d.name, seen.text
        )),
    })
}

/// The selector key of `svc` whose value, replaced by `to`, selects pods that exist.
fn switchable_key(c: &Context, svc: &Object, to: &str) -> Option<String> {
    let selector = svc.row["selector"].as_object().cloned().unwrap_or_default();
    selector
        .keys()
        .find(|k| {
            let mut wanted = selector.clone();
            wanted.insert((*k).clone(), json!(to));
            selector[k.as_str()] != json!(to)
                && c.world
                    .pods_matching(&svc.namespace, &wanted)
                    .next()
                    .is_some()
        })
        .cloned()
}

fn switch_traffic(c: &Context, to: &str) -> Result<ModelTurn, ModelTurn> {
    let svc = match c.target(&["service"]) {
        Ok(svc) => svc,
        // No Service named ("switch the live traffic to green"): the one Service in the
        // namespace that one changed label would point at pods that exist.
        Err(not_named) => {
            let ns = c.working_namespace(&["deployment", "pod", "service"]);
            let mut fits = c.world.objects.iter().filter(|o| {
                o.kind == "service"
                    && ns.as_deref().is_none_or(|n| o.namespace == n)
                    && switchable_key(c, o, to).is_some()
            });
            match (fits.next(), fits.next()) {
                (Some(one), None) => one.clone(),
                _ => return Err(not_named),
            }
        }
    };
    let selector = svc.row["selector"].as_object().cloned().unwrap_or_default();
    let Some(key) = switchable_key(c, &svc, to) else {
        return Err(answer(format!(
            "service {}/{} selects {}; no pods in {} match it with any of those labels set to {to:?}, so I changed nothing.",
            svc.namespace,
            svc.name,
            serde_json::to_string(&selector).unwrap_or_default(),
            svc.namespace
        )));
    };
    Ok(match c.done.first() {
        None => c.call(
            "patch",
            json!({"object": format!("service/{}", svc.name), "namespace": svc.namespace,
                   "patch": {"spec": {"selector": {key.as_str(): to}}}}),
        ),
        Some(seen) => answer(format!(
            "service {}/{} now selects {key}={to}.\n{}",
            svc.namespace, svc.name, seen.text
        )),
    })
}
