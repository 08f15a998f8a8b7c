//! The offline planner: without an LLM endpoint, plain requests ("why is the backend
//! down?", "scale the frontend to 3", "show backend logs", "fix it") map to the same typed
//! tools a model would call, through the same gate, and the answer quotes what they found.

use serde_json::{Value, json};

use crate::core::brain::{Brain, BrainTurn};
use crate::protocol::{Message, ModelTurn, ToolCall, ToolSpec};

mod intent;
pub use intent::{Intent, intent};

/// What the planner understands, said when it does not understand.
pub const HELP: &str = "Without a model I understand plain requests like: \"why is the backend down?\", \
\"status\", \"fix it\", \"scale the frontend to 3\", \"restart the backend\", \"roll back the \
backend\", \"show backend logs\", \"show warning events\", \"describe the backend\", \"show values of \
the frontend\", \"diff values of backend with replicaCount=3\", \"list pods\". Set OPENAI_API_KEY \
(and OPENAI_BASE_URL for a local server) for free-form questions.";

/// The first suggested values patch in a diagnose result's findings: (release, patch).
pub fn suggested_patch(diagnosis: &Value) -> Option<(String, Value)> {
    findings(diagnosis).find_map(|f| {
        let release = f["release"].as_str()?;
        let patch = f.get("suggested_patch").filter(|p| !p.is_null())?;
        Some((release.to_string(), patch.clone()))
    })
}

/// The findings of a diagnose result, in its order.
fn findings(diagnosis: &Value) -> impl Iterator<Item = &Value> {
    diagnosis["findings"].as_array().into_iter().flatten()
}

/// The planner; with playbooks it can also apply the repair a finding's playbook names
/// when diagnose suggests no values patch.
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

/// The change the playbook of the first finding in a diagnose result makes, as a tool
/// call: (tool, arguments).
pub fn playbook_repair(
    diagnosis: &Value,
    playbooks: &[crate::core::playbook::Playbook],
) -> Option<(String, Value)> {
    let name = findings(diagnosis).next()?["playbook"].as_str()?;
    let step = playbooks.iter().find(|p| p.name == name)?.repair()?;
    Some((step.tool.clone(), step.args.clone()))
}

/// The current turn as the planner sees it: the request and the tool results since.
struct Progress {
    request: String,
    /// The results, in order.
    results: Vec<Seen>,
}

/// One tool result: the tool, the text the person is shown, the typed result it is read from.
#[derive(Default)]
struct Seen {
    name: String,
    text: String,
    data: Value,
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
    let mut names = std::collections::HashMap::new();
    let mut results = Vec::new();
    for m in &messages[start..] {
        match m {
            Message::Assistant { tool_calls, .. } => {
                for c in tool_calls {
                    names.insert(c.id.clone(), c.name.clone());
                }
            }
            Message::Tool {
                tool_call_id,
                content,
                data,
            } => results.push(Seen {
                name: names.get(tool_call_id).cloned().unwrap_or_default(),
                text: content.clone(),
                data: data.clone().unwrap_or_default(),
            }),
            _ => {}
        }
    }
    Progress { request, results }
}

fn call(step: usize, name: &str, args: Value) -> ModelTurn {
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

fn answer(text: String) -> ModelTurn {
    ModelTurn {
        text,
        tool_calls: Vec::new(),
        ..Default::default()
    }
}

/// The next step for `p`: a tool call, or the answer.
fn next(p: &Progress, playbooks: &[crate::core::playbook::Playbook]) -> ModelTurn {
    let step = p.results.len();
    let empty = Seen::default();
    let seen = p.results.last().unwrap_or(&empty);
    let last = seen.text.as_str();
    let single = |name: &str, args: Value, done: &str| {
        if step == 0 {
            call(0, name, args)
        } else {
            answer(if done.is_empty() {
                last.to_string()
            } else {
                format!("{done}\n{last}")
            })
        }
    };
    match intent(&p.request) {
        Intent::Help => answer(HELP.into()),
        Intent::Unknown => answer(format!("I did not understand that. {HELP}")),
        Intent::Diagnose => single("diagnose", json!({}), "Diagnosis:"),
        Intent::Status => single("list_deployments", json!({}), "Deployments:"),
        Intent::Pods => single("list_pods", json!({}), "Pods:"),
        Intent::Events {
            warnings_only,
            object,
        } => single(
            "get_events",
            json!({"warnings_only": warnings_only, "object": object}),
            "Events:",
        ),
        Intent::Describe { kind, name } => {
            single("describe", json!({"kind": kind, "name": name}), "")
        }
        Intent::Values { release, all } => single(
            "helm_values",
            json!({"release": release, "all": all}),
            "Values:",
        ),
        Intent::DiffValues { release, patch } => single(
            "diff_values",
            json!({"release": release, "patch": patch}),
            "What would change:",
        ),
        Intent::Deploy => answer(
            "Deploying is a command rather than a chat step: `todo-ops demo` installs the chatbot \
on a local kubesim; on a cluster, `helm upgrade --install todo-backend charts/todo-backend` and \
the same for todo-frontend (see the README)."
                .into(),
        ),
        Intent::PortForward(svc) => {
            let port = if svc == "todo-frontend" { 3000 } else { 8000 };
            answer(format!(
                "A port-forward runs until you stop it, so it is a command of its own: \
`kubectl port-forward svc/{svc} {port}` (or `todo-ops sim port-forward svc/{svc} {port}` on kubesim)."
            ))
        }
        Intent::Playbook(name) if name.is_empty() => answer(
            "Which playbook? /playbooks lists them; /run NAME follows one here (changes still ask first).".into(),
        ),
        Intent::Playbook(name) => answer(format!(
            "Playbooks run step by step with their checks: type /run {name} here, or run `todo-ops playbook run {name}` in a shell; /playbooks lists them."
        )),
        Intent::Scale {
            deployment,
            replicas,
        } => single(
            "scale",
            json!({"deployment": deployment, "replicas": replicas}),
            "Scale:",
        ),
        Intent::Restart(d) => single("rollout_restart", json!({"deployment": d}), "Restart:"),
        Intent::Rollback(r) => single("helm_rollback", json!({"release": r}), "Rollback:"),
        // A pod named outright needs no lookup.
        Intent::Logs(pod) if pod.matches('-').count() >= 2 => single(
            "get_logs",
            json!({"pod": pod, "tail": 50}),
            "Last log lines:",
        ),
        Intent::Logs(app) => match step {
            0 => call(
                0,
                "list_pods",
                json!({"label_selector": format!("app.kubernetes.io/name={app}")}),
            ),
            1 => match seen.data[0]["name"].as_str() {
                Some(pod) => call(1, "get_logs", json!({"pod": pod, "tail": 50})),
                _ => answer(format!("There are no {app} pods to read logs from.")),
            },
            _ => answer(format!("Last log lines of {app}:\n{last}")),
        },
        Intent::Fix => match step {
            0 => call(0, "diagnose", json!({})),
            1 => match (
                suggested_patch(&seen.data),
                playbook_repair(&seen.data, playbooks),
            ) {
                (Some((release, patch)), _) => call(
                    1,
                    "helm_upgrade",
                    json!({"release": release, "patch": patch}),
                ),
                (None, Some((tool, args))) => call(1, &tool, args),
                (None, None) => answer(format!("I found no change I can apply myself.\n{last}")),
            },
            2 => call(2, "diagnose", json!({})),
            _ => answer(format!(
                "{}: {}\nAfterwards:\n{last}",
                p.results.get(1).map_or("", |r| r.name.as_str()),
                p.results.get(1).map_or("", |r| r.text.as_str())
            )),
        },
    }
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
}
