//! The confirmation gate's decision, made in one place and free of IO: whether a tool call
//! runs at once, waits for the person's yes, or is refused. Whatever text the cluster
//! returned (logs, events) never reaches this decision; only the policy and the tool do.

use todo_ops_tools::tool::Tool;

/// How mutations are treated in this session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MutationPolicy {
    /// Each mutating call waits for the person's yes (the default).
    #[default]
    Ask,
    /// `--yes`: automation asked for mutations to run without asking.
    AutoApprove,
    /// `--read-only`: mutations are refused in the dispatcher.
    ReadOnly,
}

/// What happens to one tool call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    /// Run it now.
    Run,
    /// Show what will change and wait for the person's answer.
    Ask,
    /// Refuse it; the message goes back to the model.
    Forbid(String),
}

/// What the model is told when the person says no; it must not try again.
pub const DECLINED: &str = "The person declined this call. Do not retry it or an equivalent \
call; explain what you would have done and ask how they want to proceed.";

/// Decides for a call of `name`; `tool` is `None` when no such tool exists.
pub fn decide(policy: MutationPolicy, name: &str, tool: Option<&dyn Tool>) -> Approval {
    let mutates = match tool {
        Some(t) => t.mutates(),
        // A tool we do not know could do anything: it is treated as a mutation.
        None => true,
    };
    match (mutates, policy) {
        (false, _) => Approval::Run,
        (true, MutationPolicy::ReadOnly) => Approval::Forbid(format!(
            "{name} changes the cluster and this session is read-only (--read-only); \
             do not retry it: tell the person what you would change instead"
        )),
        (true, MutationPolicy::AutoApprove) if tool.is_some() => Approval::Run,
        (true, _) => Approval::Ask,
    }
}

/// The person's answer to one change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Apply this one.
    Yes,
    /// Apply this one and, for the rest of this session, every call of this tool on this
    /// object.
    Always,
    /// Anything else: declined.
    No,
}

/// Reads what the person typed: `y`/`yes`, `a`/`always`; anything else is no.
pub fn parse_answer(line: &str) -> Answer {
    match line.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Answer::Yes,
        "a" | "always" => Answer::Always,
        _ => Answer::No,
    }
}

/// The object a change is to, from its arguments (release, deployment, pod or chart).
pub fn target_of(args: &serde_json::Value) -> String {
    let object = ["release", "deployment", "pod", "chart", "object"]
        .iter()
        .find_map(|k| args[*k].as_str().map(|v| format!("{k} {v}")))
        .or_else(|| {
            // A manifest is its own object: "always" covers that same text only.
            args["manifest"].as_str().map(|m| {
                use sha2::Digest;
                let digest = sha2::Sha256::digest(m.as_bytes());
                let short: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
                format!("manifest {short}")
            })
        })
        .unwrap_or_else(|| "the namespace".into());
    // The same name in another namespace is another object.
    match args[todo_ops_tools::tool::NAMESPACE_ARG].as_str() {
        Some(ns) => format!("{object} in namespace {ns}"),
        None => object,
    }
}

/// "Always" answers of this session, per tool and target object; they die with the session.
#[derive(Debug, Default)]
pub struct SessionApprovals(std::sync::Mutex<std::collections::HashSet<(String, String)>>);

impl SessionApprovals {
    /// Whether the person already said "always" for this tool on this object.
    pub fn covers(&self, tool: &str, args: &serde_json::Value) -> bool {
        let set = self.0.lock().unwrap_or_else(|p| p.into_inner());
        set.contains(&(tool.to_string(), target_of(args)))
    }

    /// Remembers an "always" answer.
    pub fn remember(&self, tool: &str, args: &serde_json::Value) {
        let mut set = self.0.lock().unwrap_or_else(|p| p.into_inner());
        set.insert((tool.to_string(), target_of(args)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use todo_ops_tools::tools::find;

    fn decision(policy: MutationPolicy, name: &str) -> Approval {
        let tool = find(name);
        decide(policy, name, tool.as_deref())
    }

    #[test]
    fn always_covers_one_tool_on_one_object_for_the_session() {
        use serde_json::json;
        assert_eq!(parse_answer(" Y\n"), Answer::Yes);
        assert_eq!(parse_answer("always"), Answer::Always);
        assert_eq!(parse_answer("sure"), Answer::No);
        let s = SessionApprovals::default();
        let backend = json!({"deployment": "todo-backend", "replicas": 3});
        assert!(!s.covers("scale", &backend));
        // Another namespace, or another patched object, is another approval.
        s.remember("patch", &json!({"object": "deployment/a", "patch": {}}));
        assert!(!s.covers("patch", &json!({"object": "deployment/b", "patch": {}})));
        s.remember(
            "scale",
            &json!({"deployment": "web", "namespace": "shop", "replicas": 2}),
        );
        assert!(!s.covers("scale", &json!({"deployment": "web", "replicas": 2})));
        assert!(s.covers(
            "scale",
            &json!({"deployment": "web", "namespace": "shop", "replicas": 3})
        ));
        s.remember("scale", &backend);
        assert!(s.covers(
            "scale",
            &json!({"deployment": "todo-backend", "replicas": 5})
        ));
        assert!(!s.covers(
            "scale",
            &json!({"deployment": "todo-frontend", "replicas": 3})
        ));
        assert!(!s.covers("rollout_restart", &json!({"deployment": "todo-backend"})));
        assert!(
            !SessionApprovals::default().covers("scale", &backend),
            "a new session starts empty"
        );
    }

    #[test]
    fn reads_run_mutations_ask_by_default() {
        assert_eq!(decision(MutationPolicy::Ask, "list_pods"), Approval::Run);
        for name in ["scale", "helm_upgrade", "delete_pod", "helm_rollback"] {
            assert_eq!(decision(MutationPolicy::Ask, name), Approval::Ask, "{name}");
        }
    }

    #[test]
    fn read_only_forbids_every_mutation_and_says_why() {
        assert_eq!(
            decision(MutationPolicy::ReadOnly, "get_logs"),
            Approval::Run
        );
        match decision(MutationPolicy::ReadOnly, "scale") {
            Approval::Forbid(m) => assert!(m.contains("scale") && m.contains("--read-only"), "{m}"),
            other => panic!("expected Forbid, got {other:?}"),
        }
    }

    #[test]
    fn yes_runs_known_mutations_but_an_unknown_tool_still_asks() {
        assert_eq!(
            decision(MutationPolicy::AutoApprove, "scale"),
            Approval::Run
        );
        assert_eq!(
            decision(MutationPolicy::AutoApprove, "kubectl_exec"),
            Approval::Ask
        );
        assert!(matches!(
            decision(MutationPolicy::ReadOnly, "kubectl_exec"),
            Approval::Forbid(_)
        ));
    }
}
