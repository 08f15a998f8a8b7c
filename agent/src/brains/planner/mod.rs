//! The offline planner: without an LLM endpoint, plain requests ("why is the backend
//! down?", "double search-api in catalog", "show calc-app-pod logs", "fix it") map to the
//! same typed tools a model would call, through the same gate, and the answer quotes what
//! they found. It first lists what the cluster holds in every namespace, so the objects a
//! request names are resolved against the cluster, never assumed; it reads the tools' typed
//! results, never their text.

use serde_json::{Value, json};

use crate::core::brain::{Brain, BrainTurn};
use crate::protocol::{Message, ModelTurn, ToolCall, ToolSpec};

mod create;
mod intent;
mod resolve;
mod steps;
pub use intent::{Amount, Intent, intent};
pub use resolve::{Found, Object, World};

/// What the planner understands, said when it does not understand.
pub const HELP: &str = "Without a model I understand plain requests like: \"why is the backend down?\", \
\"status\", \"fix it\", \"scale the frontend to 3\", \"double web-app in shop\", \"restart the backend\", \
\"roll back the backend\", \"show calc-app-pod logs\", \"show warning events\", \"describe the backend\", \
\"update web to nginx:1.27\", \"update web to version 1.28\", \"switch the store service to green\", \
\"create a nginx pod named web in the shop namespace\", \"create a HorizontalPodAutoscaler for deployment web \
targeting 50% CPU with min=1 and max=3\", \"create a read-only role for pods bound to my reader service account in \
shop\", \"which images are the pods running?\", \
\"show values of the frontend\", \"diff values of backend with replicaCount=3\", \"list pods\". Name a \
namespace with \"in NAMESPACE\". Set OPENAI_API_KEY (and OPENAI_BASE_URL for a local server) for \
free-form questions.";

/// The first suggested values patch in a diagnose result's findings: (release, patch).
pub fn suggested_patch(diagnosis: &Value) -> Option<(String, Value)> {
    diagnosis["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|f| {
            let release = f["release"].as_str()?;
            let patch = f.get("suggested_patch").filter(|p| !p.is_null())?;
            Some((release.to_string(), patch.clone()))
        })
}

/// The planner; with playbooks it can also apply the repair a finding's playbook names
/// when the evidence gives no change and the playbook's step is about that finding's object.
#[derive(Debug, Default)]
pub struct OfflinePlanner {
    playbooks: Vec<crate::core::playbook::Playbook>,
}

impl OfflinePlanner {
    /// A planner that knows `playbooks`.
    pub fn with_playbooks(playbooks: Vec<crate::core::playbook::Playbook>) -> Self {
        Self { playbooks }
    }
}

/// The change the playbook of the first finding names, as a tool call (tool, arguments),
/// when that step is about the finding's own release or object.
pub fn playbook_repair(
    diagnosis: &Value,
    playbooks: &[crate::core::playbook::Playbook],
) -> Option<(String, Value)> {
    let finding = diagnosis["findings"].as_array()?.first()?;
    let name = finding["playbook"].as_str()?;
    let step = playbooks.iter().find(|p| p.name == name)?.repair()?;
    let object_name = finding["object"]
        .as_str()
        .and_then(|o| o.split_once('/'))
        .map(|(_, n)| n);
    let about = |key: &str| step.args[key].as_str();
    let same_target = (about("release").is_some()
        && about("release") == finding["release"].as_str())
        || (about("deployment").is_some() && about("deployment") == object_name);
    same_target.then(|| (step.tool.clone(), step.args.clone()))
}

/// The current turn as the planner sees it: the request and the tool results since.
pub(crate) struct Progress {
    pub request: String,
    /// The results, in order.
    pub results: Vec<Seen>,
}

/// One tool result: the text the person is shown and the typed result (null when the call
/// failed or was declined).
#[derive(Default)]
pub(crate) struct Seen {
    pub text: String,
    pub data: Value,
}

fn progress(messages: &[Message]) -> Progress {
    let start = messages
        .iter()
        .rposition(|m| matches!(m, Message::User { .. }))
        .unwrap_or(0);
    let request = match messages.get(start) {
        Some(Message::User { content }) => content.clone(),
        _ => String::new(),
    };
    let results = messages[start..]
        .iter()
        .filter_map(|m| match m {
            Message::Tool { content, data, .. } => Some(Seen {
                text: content.clone(),
                data: data.clone().unwrap_or_default(),
            }),
            _ => None,
        })
        .collect();
    Progress { request, results }
}

pub(crate) fn call(step: usize, name: &str, args: Value) -> ModelTurn {
    ModelTurn {
        text: String::new(),
        tool_calls: vec![ToolCall {
            id: format!("planner_{step}"),
            name: name.into(),
            arguments: args.to_string(),
        }],
        ..Default::default()
    }
}

pub(crate) fn answer(text: String) -> ModelTurn {
    ModelTurn {
        text,
        tool_calls: Vec::new(),
        ..Default::default()
    }
}

/// The lookups every request about the cluster starts with, in every namespace.
const LOOKUPS: [&str; 3] = ["list_deployments", "list_pods", "list_services"];

/// The next step for `p`: a tool call, or the answer.
fn next(p: &Progress, playbooks: &[crate::core::playbook::Playbook]) -> ModelTurn {
    let intent = intent(&p.request);
    match &intent {
        Intent::Help => return answer(HELP.into()),
        Intent::Unknown => return answer(format!("I did not understand that. {HELP}")),
        Intent::Deploy => {
            return answer(
                "Deploying is a command rather than a chat step: `todo-ops demo` installs the chatbot \
on a local kubesim; on a cluster, `helm upgrade --install todo-backend charts/todo-backend` and \
the same for todo-frontend (see the README)."
                    .into(),
            );
        }
        Intent::PortForward => {
            return answer(
                "A port-forward runs until you stop it, so it is a command of its own: \
`kubectl port-forward svc/NAME LOCAL:PORT` (or `todo-ops sim port-forward svc/NAME LOCAL:PORT` on kubesim)."
                    .into(),
            );
        }
        Intent::Playbook(name) if name.is_empty() => {
            return answer(
                "Which playbook? /playbooks lists them; /run NAME follows one here (changes still ask first).".into(),
            );
        }
        Intent::Playbook(name) => {
            return answer(format!(
                "Playbooks run step by step with their checks: type /run {name} here, or run `todo-ops playbook run {name}` in a shell; /playbooks lists them."
            ));
        }
        _ => {}
    }
    let step = p.results.len();
    if step < LOOKUPS.len() {
        return call(step, LOOKUPS[step], json!({"all_namespaces": true}));
    }
    let data = |i: usize| &p.results[i].data;
    let world = World::from_rows(data(0), data(1), data(2));
    let words = intent::words(&p.request);
    let ctx = steps::Context {
        world: &world,
        namespace: world.namespace_in(&words),
        words: &words,
        done: &p.results[LOOKUPS.len()..],
        first_step: LOOKUPS.len(),
        playbooks,
    };
    steps::act(&intent, &ctx)
}

impl Brain for OfflinePlanner {
    fn name(&self) -> &str {
        "offline planner"
    }
    fn turn<'a>(
        &'a self,
        messages: &'a [Message],
        _tools: &'a [ToolSpec],
        on_text: &'a mut (dyn FnMut(&str) + Send),
    ) -> BrainTurn<'a> {
        Box::pin(async move {
            let turn = next(&progress(messages), &self.playbooks);
            if !turn.text.is_empty() {
                on_text(&turn.text);
            }
            Ok(turn)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fix_comes_from_diagnose_s_own_suggestion() {
        let diagnosis = json!({"namespace": "default", "pods": 2, "findings": [
            {"id": "single-replica", "object": "deployment/todo-frontend", "release": "todo-frontend",
             "suggested_patch": null, "playbook": "scale"},
            {"id": "oom-killed", "object": "deployment/todo-backend", "release": "todo-backend",
             "suggested_patch": {"resources": {"limits": {"memory": "512Mi"}}}, "playbook": "oom"}
        ]});
        let (release, patch) = suggested_patch(&diagnosis).unwrap();
        assert_eq!(release, "todo-backend");
        assert_eq!(patch["resources"]["limits"]["memory"], "512Mi");
        assert!(suggested_patch(&json!({"namespace": "default", "findings": []})).is_none());
        // A text result (no typed data) suggests nothing rather than something scraped.
        assert!(suggested_patch(&Value::Null).is_none());
    }

    fn seen(data: Value) -> Seen {
        Seen {
            text: data.to_string(),
            data,
        }
    }

    /// The lookups' rows: one deployment `web` in `shop` with its pod and Service.
    fn looked_up() -> Vec<Seen> {
        vec![
            seen(json!([{"namespace": "shop", "name": "web", "desired": 1, "ready": 0}])),
            seen(json!([{"namespace": "shop", "name": "web-1", "ready": "0/1"}])),
            seen(json!([{"namespace": "shop", "name": "web", "selector": {"app": "web"}}])),
        ]
    }

    fn diagnosis(findings: Value) -> Seen {
        seen(json!({"namespace": "shop", "pods": 1, "findings": findings}))
    }

    fn probe_error(field: &str) -> Value {
        json!({"id": "probe", "object": "deployment/web", "severity": "error", "changes": [
            {"object": "deployment/web", "container": "web", "field": format!("{field}.httpGet.path"),
             "current": "/x", "proposed": "/"}]})
    }

    fn replicas_warning() -> Value {
        json!({"id": "single-replica", "object": "deployment/web", "severity": "warning", "changes": [
            {"object": "deployment/web", "field": "replicas", "current": 1, "proposed": 2}]})
    }

    fn next_call(results: Vec<Seen>) -> ModelTurn {
        next(
            &Progress {
                request: "please fix web in shop".into(),
                results,
            },
            &[],
        )
    }

    #[test]
    fn fix_repairs_what_the_first_repair_uncovers_and_stops_when_nothing_is_broken() {
        let mut results = looked_up();
        results.push(diagnosis(json!([
            probe_error("readinessProbe"),
            replicas_warning()
        ])));
        // Round one: the error's repair only, not the warning's extra replica.
        let turn = next_call(std::mem::take(&mut results));
        let args: Value = serde_json::from_str(&turn.tool_calls[0].arguments).unwrap();
        assert_eq!(turn.tool_calls[0].name, "patch");
        assert!(args["patch"]["spec"]["replicas"].is_null(), "{args}");
        let mut results = looked_up();
        results.push(diagnosis(json!([
            probe_error("readinessProbe"),
            replicas_warning()
        ])));
        results.push(seen(json!({"patched": "deployment/web"})));
        assert_eq!(
            next_call(looked_up_with(&results)).tool_calls[0].name,
            "diagnose"
        );
        // The new diagnosis shows the next fault: round two repairs it.
        results.push(diagnosis(json!([
            probe_error("livenessProbe"),
            replicas_warning()
        ])));
        let turn = next_call(looked_up_with(&results));
        assert_eq!(turn.tool_calls[0].name, "patch");
        assert!(turn.tool_calls[0].arguments.contains("livenessProbe"));
        results.push(seen(json!({"patched": "deployment/web"})));
        results.push(diagnosis(json!([replicas_warning()])));
        // Nothing broken: the warning waits, and the answer lists both changes.
        let turn = next_call(looked_up_with(&results));
        assert!(turn.tool_calls.is_empty(), "{:?}", turn.tool_calls);
        assert_eq!(
            turn.text.matches("patch applied").count(),
            2,
            "{}",
            turn.text
        );
    }

    fn looked_up_with(results: &[Seen]) -> Vec<Seen> {
        results
            .iter()
            .map(|s| Seen {
                text: s.text.clone(),
                data: s.data.clone(),
            })
            .collect()
    }

    #[test]
    fn fix_stops_when_a_round_brings_the_same_changes_again() {
        let mut results = looked_up();
        results.push(diagnosis(json!([probe_error("readinessProbe")])));
        results.push(seen(json!({"patched": "deployment/web"})));
        results.push(diagnosis(json!([probe_error("readinessProbe")])));
        let turn = next_call(results);
        assert!(turn.tool_calls.is_empty(), "no second identical patch");
        assert!(turn.text.contains("Afterwards"), "{}", turn.text);
    }

    #[test]
    fn a_pod_that_has_only_just_started_is_watched_before_its_quiet_log_is_believed() {
        let ask = |age: &str| {
            let results = vec![
                seen(json!([])),
                seen(
                    json!([{"namespace": "calc", "name": "calc-pod", "ready": "1/1", "age": age}]),
                ),
                seen(json!([])),
                diagnosis(json!([])),
            ];
            let turn = next(
                &Progress {
                    request: "What is wrong with my calc-pod in the calc namespace?".into(),
                    results,
                },
                &[],
            );
            assert_eq!(turn.tool_calls[0].name, "get_logs");
            serde_json::from_str::<Value>(&turn.tool_calls[0].arguments).unwrap()
        };
        assert_eq!(ask("2s")["follow_seconds"], 8);
        assert!(ask("45s")["follow_seconds"].is_null());
        assert!(ask("3m20s")["follow_seconds"].is_null());
    }
}
