//! The offline planner: without an LLM endpoint, plain requests ("why is the backend
//! down?", "scale the frontend to 3", "show backend logs", "fix it") map to the same typed
//! tools a model would call, through the same gate, and the answer quotes what they found.

use async_openai::types::chat::{
    ChatCompletionMessageToolCalls, ChatCompletionRequestAssistantMessage,
    ChatCompletionRequestMessage, ChatCompletionRequestToolMessageContent,
    ChatCompletionRequestUserMessageContent, ChatCompletionTools,
};
use serde_json::{Value, json};

use crate::brain::{Brain, BrainTurn};
use crate::dispatch::ToolCall;
use crate::model::ModelTurn;

mod intent;
pub use intent::{Intent, intent};

/// What the planner understands, said when it does not understand.
pub const HELP: &str = "Without a model I understand plain requests like: \"why is the backend down?\", \
\"status\", \"fix it\", \"scale the frontend to 3\", \"restart the backend\", \"roll back the \
backend\", \"show backend logs\", \"show warning events\", \"describe the backend\", \"show values of \
the frontend\", \"diff values of backend with replicaCount=3\", \"list pods\". Set OPENAI_API_KEY \
(and OPENAI_BASE_URL for a local server) for free-form questions.";

/// The first suggested values patch in a diagnose result: (release, patch).
pub fn suggested_patch(diagnosis_text: &str) -> Option<(String, Value)> {
    diagnosis_text.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("suggested helm_upgrade of ")?;
        let (release, patch) = rest.split_once(": ")?;
        Some((release.to_string(), serde_json::from_str(patch).ok()?))
    })
}

/// The planner; with playbooks it can also apply the repair a finding's playbook names
/// when diagnose suggests no values patch.
#[derive(Debug, Default)]
pub struct OfflinePlanner {
    playbooks: Vec<crate::playbook::Playbook>,
}

impl OfflinePlanner {
    /// A planner that knows `playbooks`.
    pub fn with_playbooks(playbooks: Vec<crate::playbook::Playbook>) -> Self {
        Self { playbooks }
    }
}

/// The change the playbook of the first finding in `diagnosis_text` makes, as a tool call:
/// (tool, arguments).
pub fn playbook_repair(
    diagnosis_text: &str,
    playbooks: &[crate::playbook::Playbook],
) -> Option<(String, Value)> {
    diagnosis_text.lines().find_map(|l| {
        let name = l.trim().strip_prefix("playbook: ")?;
        let pb = playbooks.iter().find(|p| p.name == name)?;
        let step = pb.repair()?;
        Some((step.tool.clone(), step.args.clone()))
    })
}

/// The current turn as the planner sees it: the request and the tool results since.
struct Progress {
    request: String,
    /// (tool name, result text), in order.
    results: Vec<(String, String)>,
}

fn progress(messages: &[ChatCompletionRequestMessage]) -> Progress {
    let start = messages
        .iter()
        .rposition(|m| matches!(m, ChatCompletionRequestMessage::User(_)))
        .unwrap_or(0);
    let request = match messages.get(start) {
        Some(ChatCompletionRequestMessage::User(u)) => match &u.content {
            ChatCompletionRequestUserMessageContent::Text(t) => t.clone(),
            ChatCompletionRequestUserMessageContent::Array(_) => String::new(),
        },
        _ => String::new(),
    };
    let mut names = std::collections::HashMap::new();
    let mut results = Vec::new();
    for m in &messages[start..] {
        match m {
            ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage {
                tool_calls: Some(calls),
                ..
            }) => {
                for c in calls {
                    if let ChatCompletionMessageToolCalls::Function(f) = c {
                        names.insert(f.id.clone(), f.function.name.clone());
                    }
                }
            }
            ChatCompletionRequestMessage::Tool(t) => {
                let text = match &t.content {
                    ChatCompletionRequestToolMessageContent::Text(s) => s.clone(),
                    ChatCompletionRequestToolMessageContent::Array(_) => String::new(),
                };
                let name = names.get(&t.tool_call_id).cloned().unwrap_or_default();
                results.push((name, text));
            }
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
        usage: None,
    }
}

fn answer(text: String) -> ModelTurn {
    ModelTurn {
        text,
        tool_calls: Vec::new(),
        usage: None,
    }
}

/// The next step for `p`: a tool call, or the answer.
fn next(p: &Progress, playbooks: &[crate::playbook::Playbook]) -> ModelTurn {
    let step = p.results.len();
    let last = p.results.last().map(|(_, t)| t.as_str()).unwrap_or("");
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
            1 => match last
                .lines()
                .next()
                .and_then(|l| l.split_whitespace().next())
            {
                Some(pod) if pod != "no" => call(1, "get_logs", json!({"pod": pod, "tail": 50})),
                _ => answer(format!("There are no {app} pods to read logs from.")),
            },
            _ => answer(format!("Last log lines of {app}:\n{last}")),
        },
        Intent::Fix => match step {
            0 => call(0, "diagnose", json!({})),
            1 => match (suggested_patch(last), playbook_repair(last, playbooks)) {
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
                p.results.get(1).map_or("", |(n, _)| n.as_str()),
                p.results.get(1).map_or("", |(_, t)| t.as_str())
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
        messages: &'a [ChatCompletionRequestMessage],
        _tools: &'a [ChatCompletionTools],
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
        let text = "namespace default: 1 finding(s) over 2 pods\n- [error] oom-killed deployment/todo-backend: OOMKilled\n  cause: too little memory\n  suggested helm_upgrade of todo-backend: {\"resources\":{\"limits\":{\"memory\":\"512Mi\"}}}\n  playbook: oom";
        let (release, patch) = suggested_patch(text).unwrap();
        assert_eq!(release, "todo-backend");
        assert_eq!(patch["resources"]["limits"]["memory"], "512Mi");
        assert!(suggested_patch("namespace default: healthy").is_none());
    }
}
