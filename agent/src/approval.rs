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

#[cfg(test)]
mod tests {
    use super::*;
    use todo_ops_tools::tools::find;

    fn decision(policy: MutationPolicy, name: &str) -> Approval {
        let tool = find(name);
        decide(policy, name, tool.as_deref())
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
