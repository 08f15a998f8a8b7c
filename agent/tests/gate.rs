//! The confirmation gate: tool calls as a model sends them, dispatched against kubesim.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chat_support;

use chat_support::*;
use serde_json::json;
use todo_ops::core::approval::{DECLINED, MutationPolicy};
use todo_ops::core::dispatch::Dispatcher;
use todo_ops::protocol::{CallStatus, ToolCall};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_run_mutations_wait_for_yes_and_no_is_final() {
    let (_sim, ctx) = setup().await;
    let d = Dispatcher {
        ctx: ctx.clone(),
        policy: MutationPolicy::Ask,
        rules: Default::default(),
    };

    // A read runs without asking.
    let person = Person::answering(&[]);
    let r = d
        .dispatch(&call("1", "list_deployments", json!({})), &person)
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Done);
    assert!(r.content.contains("todo-backend"), "{}", r.content);
    assert!(person.shown().is_empty());

    // A "no" changes nothing and tells the model not to retry.
    let person = Person::answering(&[false]);
    let r = d
        .dispatch(
            &call(
                "2",
                "scale",
                json!({"deployment": "todo-backend", "replicas": 4}),
            ),
            &person,
        )
        .await
        .unwrap();
    assert_eq!(
        (r.status, r.content.as_str()),
        (CallStatus::Declined, DECLINED)
    );
    assert_eq!(r.call_id, "2");
    assert_eq!(person.shown().len(), 1);
    assert_eq!(
        replicas(&ctx).await,
        2,
        "a declined scale must not reach the cluster"
    );

    // A Helm upgrade shows both diffs, secrets masked, and runs after yes.
    let person = Person::answering(&[true]);
    let r = d
        .dispatch(
            &call(
                "3",
                "helm_upgrade",
                json!({"release": "todo-backend", "patch": {"replicaCount": 3}}),
            ),
            &person,
        )
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Done, "{}", r.content);
    let shown = person.shown();
    let values = shown[0].values_diff.as_deref().unwrap();
    let manifest = shown[0].manifest_diff.as_deref().unwrap();
    assert!(
        values.contains("+") && values.contains("replicaCount"),
        "{values}"
    );
    assert!(manifest.contains("replicas"), "{manifest}");
    let everything = format!(
        "{values}\n{manifest}\n{}",
        serde_json::to_string(&r).unwrap()
    );
    assert!(
        !everything.contains(PLANTED),
        "a secret reached the preview or the reply"
    );
    assert_eq!(replicas(&ctx).await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn model_mistakes_come_back_as_text_and_never_reach_the_person() {
    let (_sim, ctx) = setup().await;
    let d = Dispatcher {
        ctx: ctx.clone(),
        policy: MutationPolicy::Ask,
        rules: Default::default(),
    };
    let person = Person::answering(&[]);
    // Truncated JSON, and a tool that does not exist.
    let cases = [
        ("scale", r#"{"deployment": "#, "not valid JSON"),
        ("kubectl_exec", "{}", "no tool named"),
    ];
    for (name, args, words) in cases {
        let bad = ToolCall {
            id: "x".into(),
            name: name.into(),
            arguments: args.into(),
        };
        let r = d.dispatch(&bad, &person).await.unwrap();
        assert_eq!(r.status, CallStatus::Failed);
        assert!(r.content.contains(words), "{}", r.content);
    }
    // A patch the chart's schema rejects is the model's to fix: nobody is asked.
    let r = d
        .dispatch(
            &call(
                "3",
                "helm_upgrade",
                json!({"release": "todo-backend", "patch": {"replicaCount": "many"}}),
            ),
            &person,
        )
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Failed);
    assert!(r.content.contains("replicaCount"), "{}", r.content);
    assert!(person.shown().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_refuses_in_the_dispatcher_and_yes_runs_without_asking() {
    let (_sim, ctx) = setup().await;
    let person = Person::answering(&[]);
    let read_only = Dispatcher {
        ctx: ctx.clone(),
        policy: MutationPolicy::ReadOnly,
        rules: Default::default(),
    };
    let r = read_only
        .dispatch(
            &call(
                "1",
                "scale",
                json!({"deployment": "todo-backend", "replicas": 0}),
            ),
            &person,
        )
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Forbidden);
    assert!(r.content.contains("--read-only"), "{}", r.content);
    assert_eq!(replicas(&ctx).await, 2);

    let auto = Dispatcher {
        ctx: ctx.clone(),
        policy: MutationPolicy::AutoApprove,
        rules: Default::default(),
    };
    let r = auto
        .dispatch(
            &call(
                "2",
                "scale",
                json!({"deployment": "todo-backend", "replicas": 1}),
            ),
            &person,
        )
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Done);
    assert_eq!(replicas(&ctx).await, 1);
    assert!(person.shown().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_s_mistakes_go_back_to_it_and_the_session_goes_on() {
    let (_sim, ctx) = setup().await;
    let d = Dispatcher {
        ctx: ctx.clone(),
        policy: MutationPolicy::AutoApprove,
        rules: Default::default(),
    };
    let person = Person::answering(&[]);
    // Two megabytes of arguments: refused before any request, the size named.
    let huge = json!({"pod": "x".repeat(2 * 1024 * 1024), "tail": 10});
    let r = d
        .dispatch(&call("1", "get_logs", huge), &person)
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Failed);
    assert!(
        r.content.contains("bytes") && r.content.contains("16384"),
        "{}",
        r.content
    );
    assert!(
        r.content.len() < 400,
        "the refusal does not echo the arguments"
    );

    // An object that does not exist, a name the API server refuses: the model is told.
    for (tool, args) in [
        ("get_logs", json!({"pod": "no-such-pod", "tail": 5})),
        (
            "scale",
            json!({"deployment": "Not_A_Valid_Name", "replicas": 1}),
        ),
    ] {
        let r = d.dispatch(&call("2", tool, args), &person).await;
        let r = r.unwrap_or_else(|e| panic!("{tool} ended the session: {e}"));
        assert_eq!(r.status, CallStatus::Failed, "{tool}: {}", r.content);
    }
}

/// The person's policy file at work on real calls: a deny rule refuses with the rule named
/// (the person is never asked and nothing changes), an allow rule runs without asking, the
/// paranoid preset asks even for a read, and with changes only in playbooks a change is
/// refused in the chat and asked for while a playbook runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_file_allows_asks_and_denies_by_rule() {
    use std::sync::Arc;
    use todo_ops::core::dispatch::SessionRules;
    use todo_ops::core::policy::Policy;

    let (_sim, ctx) = setup().await;
    let policy: Policy = toml::from_str(
        r#"
[[rule]]
tool = "rollout_restart"
name = "todo-backend"
decision = "allow"

[[rule]]
kind = "deployment"
name = "todo-backend"
verb = "update"
decision = "deny"
"#,
    )
    .unwrap();
    let with = |policy: Policy, in_playbook: bool| Dispatcher {
        ctx: ctx.clone(),
        policy: MutationPolicy::Ask,
        rules: SessionRules {
            policy: Arc::new(policy),
            in_playbook,
            audit: None,
        },
    };
    let d = with(policy, false);
    let person = Person::answering(&[]);
    let r = d
        .dispatch(
            &call(
                "1",
                "scale",
                json!({"deployment": "todo-backend", "replicas": 5}),
            ),
            &person,
        )
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Forbidden);
    assert!(r.content.contains("rule 2"), "{}", r.content);
    assert!(person.shown().is_empty(), "a denied call is never shown");
    assert_eq!(replicas(&ctx).await, 2);
    let r = d
        .dispatch(
            &call(
                "2",
                "rollout_restart",
                json!({"deployment": "todo-backend"}),
            ),
            &person,
        )
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Done, "{}", r.content);
    assert!(
        person.shown().is_empty(),
        "an allowed call is not asked about, though rule 2 would deny it: first match wins"
    );

    let paranoid = with(Policy::paranoid(), false);
    let person = Person::answering(&[false]);
    let r = paranoid
        .dispatch(&call("3", "list_pods", json!({})), &person)
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Declined);
    assert_eq!(person.shown().len(), 1, "even a read is asked about");

    let playbooks_only = Policy {
        changes_only_in_playbooks: true,
        ..Policy::default()
    };
    let person = Person::answering(&[true]);
    let scale = call(
        "4",
        "scale",
        json!({"deployment": "todo-backend", "replicas": 3}),
    );
    let r = with(playbooks_only.clone(), false)
        .dispatch(&scale, &person)
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Forbidden);
    assert!(r.content.contains("playbook"), "{}", r.content);
    let r = with(playbooks_only, false)
        .for_playbook()
        .dispatch(&scale, &person)
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Done, "{}", r.content);
    assert_eq!(person.shown().len(), 1, "asked, then applied");
    assert_eq!(replicas(&ctx).await, 3);
}
