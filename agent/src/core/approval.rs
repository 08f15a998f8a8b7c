//! The confirmation gate's decision, made in one place and free of IO: whether a tool call
//! runs at once, waits for the person's yes, or is refused. Whatever text the cluster
//! returned (logs, events) never reaches this decision; only the policy and the tool do.

use todo_ops_tools::tool::Tool;

use crate::core::policy::{Call, Decision, Policy};

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
    /// Nobody can be asked (an MCP client without elicitation, under `--unconfirmed deny`):
    /// what would ask is refused, saying why; what a rule allows still runs.
    Unattended,
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

/// What the gate knows about a session besides the call: the person's mode, their policy
/// file, and whether a playbook is running.
#[derive(Debug, Clone, Copy)]
pub struct Gate<'a> {
    /// `--yes`, `--read-only` or asking.
    pub mode: MutationPolicy,
    /// The rules.
    pub policy: &'a Policy,
    /// A playbook is running (changes-only-in-playbooks lets changes through then).
    pub in_playbook: bool,
}

/// Why the gate decided as it did: a rule of the person's policy, a preset or the mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// Rule `number` (1-based) of the policy file, in its own words.
    Rule {
        /// Its place in the file.
        number: usize,
        /// The rule as the policy file says it.
        rule: String,
    },
    /// `--read-only` refuses every change.
    ReadOnly,
    /// The policy allows changes only while a playbook runs.
    PlaybookOnly,
    /// `--paranoid` asks for reads too.
    Paranoid,
    /// Reads run without asking.
    Read,
    /// `--yes` lets changes run without asking.
    AutoApprove,
    /// Changes ask by default.
    ChangesAsk,
    /// Nobody can be asked in this session.
    Unattended,
    /// The call names a kind the policy denies.
    DeniedKind(String),
}

impl std::fmt::Display for Basis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Basis::Rule { number, rule } => write!(f, "policy rule {number} ({rule})"),
            Basis::ReadOnly => f.write_str("--read-only"),
            Basis::PlaybookOnly => f.write_str("policy: changes only in playbooks"),
            Basis::Paranoid => f.write_str("--paranoid"),
            Basis::Read => f.write_str("reads run"),
            Basis::AutoApprove => {
                f.write_str("approved in advance (--yes, or the rollback of an approved fix)")
            }
            Basis::ChangesAsk => f.write_str("changes ask"),
            Basis::DeniedKind(kind) => write!(f, "--deny-kinds ({kind})"),
            Basis::Unattended => {
                f.write_str("nobody to ask (an MCP client without elicitation; --unconfirmed deny)")
            }
        }
    }
}

/// The gate's decision and what made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Run, ask or refuse.
    pub approval: Approval,
    /// Why.
    pub basis: Basis,
}

/// Decides for a call of `name`; `tool` is `None` when no such tool exists. See [`verdict`].
pub fn decide(gate: Gate, name: &str, tool: Option<&dyn Tool>, call: &Call) -> Approval {
    verdict(gate, name, tool, call).approval
}

/// Decides for a call of `name`, saying why. In order: the first matching rule of the
/// policy (read-only still refuses every change, and `--yes`, with no person to ask,
/// refuses what a rule says to ask about); then the presets (playbook-only changes,
/// paranoid); then reads run and changes ask.
pub fn verdict(gate: Gate, name: &str, tool: Option<&dyn Tool>, call: &Call) -> Verdict {
    let mutates = match tool {
        Some(t) => t.mutates(),
        // A tool we do not know could do anything: it is treated as a mutation.
        None => true,
    };
    let v = |approval, basis| Verdict { approval, basis };
    if mutates && gate.mode == MutationPolicy::ReadOnly {
        return v(
            Approval::Forbid(format!(
                "{name} changes the cluster and this session is read-only (--read-only); \
                 do not retry it: tell the person what you would change instead"
            )),
            Basis::ReadOnly,
        );
    }
    if let Some(kind) = gate.policy.denied_kind(call) {
        return v(
            Approval::Forbid(format!(
                "{name} names a {kind}, and this session may not touch that kind \
                 (--deny-kinds); do not retry it or work around it: tell the person what you \
                 wanted to do"
            )),
            Basis::DeniedKind(kind.to_string()),
        );
    }
    if let Some((n, rule)) = gate.policy.rule_for(call) {
        let basis = Basis::Rule {
            number: n,
            rule: rule.describe(),
        };
        let approval = match rule.decision {
            Decision::Deny => Approval::Forbid(format!(
                "{name} is refused by the person's policy (rule {n}: {}); do not retry it or \
                 work around it: tell the person what you wanted to do",
                rule.describe()
            )),
            Decision::Allow if tool.is_some() => Approval::Run,
            Decision::Allow | Decision::Ask
                if !matches!(
                    gate.mode,
                    MutationPolicy::AutoApprove | MutationPolicy::Unattended
                ) =>
            {
                Approval::Ask
            }
            _ => Approval::Forbid(format!(
                "{name} needs a person's yes (policy rule {n}: {}) and this run has nobody to \
                 ask (--yes, or an MCP client without elicitation); tell the person what you \
                 wanted to do",
                rule.describe()
            )),
        };
        return v(approval, basis);
    }
    if mutates && gate.policy.changes_only_in_playbooks && !gate.in_playbook {
        return v(
            Approval::Forbid(format!(
                "{name} changes the cluster, and the person's policy allows changes only while a \
                 playbook runs; name the playbook that fits (they run it with /run NAME)"
            )),
            Basis::PlaybookOnly,
        );
    }
    match (mutates, gate.mode) {
        (false, _) if gate.policy.paranoid && gate.mode == MutationPolicy::Ask => {
            v(Approval::Ask, Basis::Paranoid)
        }
        (false, _) => v(Approval::Run, Basis::Read),
        (true, MutationPolicy::AutoApprove) if tool.is_some() => {
            v(Approval::Run, Basis::AutoApprove)
        }
        (true, MutationPolicy::Unattended) => v(
            Approval::Forbid(format!(
                "{name} changes the cluster and needs a person's yes, but this MCP client cannot \
                 ask its person (it does not support elicitation) and the server refuses \
                 unconfirmed changes; tell the person what you would change, or they restart \
                 the server with --unconfirmed allow if their client asks them itself"
            )),
            Basis::Unattended,
        ),
        (true, _) => v(Approval::Ask, Basis::ChangesAsk),
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
    use crate::core::policy::call_of;
    use todo_ops_tools::tools::find;

    fn decision(policy: MutationPolicy, name: &str) -> Approval {
        with(
            policy,
            &Policy::default(),
            false,
            name,
            serde_json::json!({}),
        )
    }

    fn with(
        mode: MutationPolicy,
        policy: &Policy,
        in_playbook: bool,
        name: &str,
        args: serde_json::Value,
    ) -> Approval {
        let tool = find(name);
        let call = call_of(name, tool.as_deref(), &args, "default");
        let gate = Gate {
            mode,
            policy,
            in_playbook,
        };
        decide(gate, name, tool.as_deref(), &call)
    }

    #[test]
    fn a_denied_kind_is_refused_whatever_names_it_and_others_pass() {
        use serde_json::json;
        let p = Policy {
            deny_kinds: vec!["Secrets".into()],
            ..Policy::default()
        };
        let auto = MutationPolicy::AutoApprove;
        let refused = |tool: &str, args: serde_json::Value| matches!(with(auto, &p, false, tool, args), Approval::Forbid(m) if m.contains("--deny-kinds"));
        assert!(refused(
            "patch",
            json!({"object": "secret/db", "patch": {}})
        ));
        assert!(refused("delete", json!({"object": "secrets/db"})));
        let manifest =
            "kind: ConfigMap\nmetadata: {name: a}\n---\nkind: Secret\nmetadata: {name: b}\n";
        assert!(refused("apply", json!({"manifest": manifest})));
        assert!(!refused(
            "patch",
            json!({"object": "configmap/db", "patch": {}})
        ));
        assert!(!refused(
            "scale",
            json!({"deployment": "web", "replicas": 2})
        ));
        let tool = find("delete");
        let call = call_of(
            "delete",
            tool.as_deref(),
            &json!({"object": "secret/db"}),
            "default",
        );
        let gate = Gate {
            mode: auto,
            policy: &p,
            in_playbook: false,
        };
        assert_eq!(
            verdict(gate, "delete", tool.as_deref(), &call).basis,
            Basis::DeniedKind("secret".into())
        );
    }

    #[test]
    fn rules_decide_before_the_mode_and_read_only_still_refuses() {
        use serde_json::json;
        let p: Policy = toml::from_str(
            "[[rule]]\nverb = \"delete\"\nnamespace = \"prod\"\ndecision = \"deny\"\n\
             [[rule]]\ntool = \"scale\"\nnamespace = \"staging\"\ndecision = \"allow\"\n\
             [[rule]]\ntool = \"rollout_restart\"\ndecision = \"ask\"\n",
        )
        .unwrap();
        let ask = MutationPolicy::Ask;
        let del = json!({"object": "pod/x", "namespace": "prod"});
        match with(ask, &p, false, "delete", del.clone()) {
            Approval::Forbid(m) => assert!(
                m.contains("rule 1") && m.contains("verb = \"delete\""),
                "{m}"
            ),
            other => panic!("{other:?}"),
        }
        // Denied even with --yes; allowed without asking; read-only wins over allow.
        assert!(matches!(
            with(MutationPolicy::AutoApprove, &p, false, "delete", del),
            Approval::Forbid(_)
        ));
        let scale = json!({"deployment": "web", "namespace": "staging", "replicas": 2});
        assert_eq!(with(ask, &p, false, "scale", scale.clone()), Approval::Run);
        assert!(matches!(
            with(MutationPolicy::ReadOnly, &p, false, "scale", scale),
            Approval::Forbid(_)
        ));
        // An ask rule under --yes has nobody to ask: refused, fail closed.
        let restart = json!({"deployment": "web"});
        assert_eq!(
            with(ask, &p, false, "rollout_restart", restart.clone()),
            Approval::Ask
        );
        match with(
            MutationPolicy::AutoApprove,
            &p,
            false,
            "rollout_restart",
            restart,
        ) {
            Approval::Forbid(m) => assert!(m.contains("--yes"), "{m}"),
            other => panic!("{other:?}"),
        }
        // Nothing matches: the mode decides, as without a policy.
        assert_eq!(
            with(ask, &p, false, "scale", json!({"deployment": "web"})),
            Approval::Ask
        );
    }

    #[test]
    fn paranoid_asks_for_reads_and_playbook_only_refuses_changes_outside_playbooks() {
        use serde_json::json;
        let paranoid = Policy::paranoid();
        assert_eq!(
            with(
                MutationPolicy::Ask,
                &paranoid,
                false,
                "list_pods",
                json!({})
            ),
            Approval::Ask
        );
        assert_eq!(
            with(MutationPolicy::Ask, &paranoid, false, "scale", json!({})),
            Approval::Ask
        );
        let playbooks = Policy {
            changes_only_in_playbooks: true,
            ..Policy::default()
        };
        match with(MutationPolicy::Ask, &playbooks, false, "scale", json!({})) {
            Approval::Forbid(m) => assert!(m.contains("playbook"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            with(MutationPolicy::Ask, &playbooks, true, "scale", json!({})),
            Approval::Ask
        );
        assert_eq!(
            with(
                MutationPolicy::Ask,
                &playbooks,
                false,
                "list_pods",
                json!({})
            ),
            Approval::Run
        );
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
