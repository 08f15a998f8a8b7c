//! The chat turn loop with the scripted model over real HTTP/SSE against kubesim.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chat_support;

use chat_support::*;
use serde_json::{Value, json};
use todo_e2e::scripted_llm::{ScriptedLlm, Turn};
use todo_ops::core::approval::{DECLINED, MutationPolicy};
use todo_ops::core::dispatch::Dispatcher;
use todo_ops::core::session::{Limits, Session};
use todo_ops::protocol::CallStatus;
use todo_ops::protocol::{Event, TurnEnd};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turn_looks_through_tools_then_answers_and_the_model_sees_each_result() {
    let (_sim, ctx) = setup().await;
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(Turn::ToolCalls(vec![
        ("list_deployments".into(), json!({})),
        ("get_config".into(), json!({})),
    ]));
    llm.push(Turn::text("Both replicas of todo-backend are up."));
    let mut s = session(&llm, ctx, MutationPolicy::Ask, 5);
    let mut events = Vec::new();
    let answer = s
        .turn("is the backend up?", &Person::answering(&[]), &mut |e| {
            events.push(e)
        })
        .await
        .unwrap();
    assert_eq!(answer, "Both replicas of todo-backend are up.");

    let finished: Vec<(&str, &CallStatus)> = events
        .iter()
        .filter_map(|e| match e {
            Event::ToolResult { name, status, .. } => Some((name.as_str(), status)),
            _ => None,
        })
        .collect();
    assert_eq!(
        finished,
        [
            ("list_deployments", &CallStatus::Done),
            ("get_config", &CallStatus::Done)
        ]
    );
    assert!(matches!(
        events.last(),
        Some(Event::TurnFinished {
            reason: TurnEnd::Answered,
            model_calls: 2,
            ..
        })
    ));

    let requests = llm.requests();
    assert_eq!(requests.len(), 2);
    let first = requests[0]["messages"].as_array().unwrap();
    assert_eq!(first[0]["role"], "system");
    assert!(
        first[0]["content"]
            .as_str()
            .unwrap()
            .contains("look before you change")
    );
    // The second request answers both calls, by id, with what the tools returned.
    let second = requests[1]["messages"].as_array().unwrap();
    let assistant = &second[2];
    let ids: Vec<&str> = assistant["tool_calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let replies: Vec<&Value> = second.iter().filter(|m| m["role"] == "tool").collect();
    assert_eq!(replies.len(), 2);
    assert_eq!(replies[0]["tool_call_id"], ids[0]);
    assert!(
        replies[0]["content"]
            .as_str()
            .unwrap()
            .contains("todo-backend ready")
    );
    assert!(
        replies[1]["content"]
            .as_str()
            .unwrap()
            .contains("databaseUrl")
            || replies[1]["content"]
                .as_str()
                .unwrap()
                .contains("DATABASE_URL")
    );
    let sent = serde_json::to_string(&requests).unwrap();
    assert!(!sent.contains(PLANTED), "a secret value reached the model");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_change_reaches_the_model_as_final_and_nothing_changes() {
    let (_sim, ctx) = setup().await;
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(Turn::tool(
        "scale",
        json!({"deployment": "todo-backend", "replicas": 5}),
    ));
    // A model that tries again with other arguments is not allowed to ask twice.
    llm.push(Turn::tool(
        "scale",
        json!({"deployment": "todo-backend", "replicas": 4}),
    ));
    llm.push(Turn::text("Understood, I left it at 2 replicas."));
    let mut s = session(&llm, ctx.clone(), MutationPolicy::Ask, 5);
    let person = Person::answering(&[false]);
    s.turn("scale the backend to 5", &person, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(
        person.shown().len(),
        1,
        "a no is final for the turn: asked once"
    );
    assert_eq!(replicas(&ctx).await, 2);
    let second = &llm.requests()[1]["messages"];
    let reply = second.as_array().unwrap().last().unwrap();
    assert_eq!(reply["role"], "tool");
    assert_eq!(reply["content"], DECLINED);
    let third = &llm.requests()[2]["messages"];
    let reply = third.as_array().unwrap().last().unwrap();
    assert_eq!(
        reply["content"],
        todo_ops::core::loop_guard::DECLINED_BEFORE
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_model_call_bound_stops_a_turn_and_says_why() {
    let (_sim, ctx) = setup().await;
    let llm = ScriptedLlm::start().await.unwrap();
    for _ in 0..5 {
        llm.push(Turn::tool("list_pods", json!({})));
    }
    let mut s = session(&llm, ctx, MutationPolicy::Ask, 3);
    let mut events = Vec::new();
    let answer = s
        .turn("loop forever", &Person::answering(&[]), &mut |e| {
            events.push(e)
        })
        .await
        .unwrap();
    assert!(answer.contains("3 model calls"), "{answer}");
    assert_eq!(llm.requests().len(), 3);
    assert!(matches!(
        events.last(),
        Some(Event::TurnFinished {
            reason: TurnEnd::ModelCallLimit,
            ..
        })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_call_a_third_time_in_a_turn_is_refused_to_the_model() {
    let (_sim, ctx) = setup().await;
    let llm = ScriptedLlm::start().await.unwrap();
    for _ in 0..3 {
        llm.push(Turn::tool("list_pods", json!({})));
    }
    llm.push(Turn::text("Two pods, both Running."));
    let mut s = session(&llm, ctx, MutationPolicy::Ask, 10);
    let mut events = Vec::new();
    s.turn("list pods", &Person::answering(&[]), &mut |e| {
        events.push(e)
    })
    .await
    .unwrap();
    let statuses: Vec<CallStatus> = events
        .iter()
        .filter_map(|e| match e {
            Event::ToolResult { status, .. } => Some(status.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        statuses,
        [CallStatus::Done, CallStatus::Done, CallStatus::Forbidden]
    );
    let last = llm.requests()[3]["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["content"], todo_ops::core::loop_guard::REPEATED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_turns_leave_the_context_whole_and_are_summed_up() {
    let (_sim, ctx) = setup().await;
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(Turn::tool("list_pods", json!({})));
    llm.push(Turn::text("Two pods, both ready."));
    llm.push(Turn::text("Nothing else to report."));
    llm.push(Turn::text("Still fine."));
    let mut s = session(&llm, ctx, MutationPolicy::Ask, 5);
    s.set_context_chars(300);
    let person = Person::answering(&[]);
    for prompt in ["how many pods?", "anything else?", "and now?"] {
        s.turn(prompt, &person, &mut |_| {}).await.unwrap();
    }
    let requests = llm.requests();
    assert_eq!(requests.len(), 4);
    // The turn in progress is never cut: its tool reply keeps its call.
    let second = requests[1]["messages"].as_array().unwrap();
    assert_eq!(second.last().unwrap()["role"], "tool");
    assert_eq!(
        second[second.len() - 2]["tool_calls"][0]["function"]["name"],
        "list_pods"
    );
    // By the third question the first turn (with its tool output) is out, and summed up;
    // the short second turn still fits.
    let last = requests[3]["messages"].as_array().unwrap();
    let contents: Vec<&str> = last[1..]
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        contents,
        ["anything else?", "Nothing else to report.", "and now?"]
    );
    let system = last[0]["content"].as_str().unwrap();
    assert!(
        system.contains("the person asked: \"how many pods?\"; tools called: list_pods."),
        "{system}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_created_during_the_session_is_masked_from_the_next_turn() {
    use k8s_openapi::api::core::v1::{ConfigMap, Secret};
    use kube::api::{Api, PostParams};
    let (_sim, ctx) = setup().await;
    let late = "late-secret-9a8b7c6d";
    let client = ctx.cluster.client.clone();
    let secret: Secret = serde_json::from_value(
        json!({"metadata": {"name": "late"}, "stringData": {"TOKEN": late}}),
    )
    .unwrap();
    Api::<Secret>::namespaced(client.clone(), "default")
        .create(&PostParams::default(), &secret)
        .await
        .unwrap();
    // Someone copied the value into a ConfigMap, which get_config shows in full.
    let cm: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "careless"}, "data": {"token": late}}))
            .unwrap();
    Api::<ConfigMap>::namespaced(client, "default")
        .create(&PostParams::default(), &cm)
        .await
        .unwrap();
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(Turn::tool("get_config", json!({"name": "careless"})));
    llm.push(Turn::text("done"));
    let mut s = session(&llm, ctx, MutationPolicy::Ask, 5);
    s.turn(
        "show the careless config",
        &Person::answering(&[]),
        &mut |_| {},
    )
    .await
    .unwrap();
    let sent = serde_json::to_string(&llm.requests()).unwrap();
    assert!(sent.contains("careless"), "the tool ran: {sent}");
    assert!(
        !sent.contains(late),
        "a Secret value created mid-session reached the model"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offline_planner_s_requests_all_reach_their_tools() {
    let (_sim, ctx) = setup().await;
    let mut s = Session::new(
        Box::new(todo_ops::brains::planner::OfflinePlanner::default()),
        Dispatcher {
            ctx,
            policy: MutationPolicy::ReadOnly,
            rules: Default::default(),
        },
        Limits::default(),
        "",
    );
    let person = Person::answering(&[]);
    let cases = [
        ("status", "list_deployments", "todo-backend"),
        (
            "describe the backend",
            "describe",
            "\"kind\": \"deployment\"",
        ),
        ("show values of the backend", "helm_values", "[REDACTED]"),
        (
            "diff values of backend with replicaCount=3",
            "diff_values",
            "+  \"replicaCount\": 3,",
        ),
        ("show backend logs", "get_logs", ""),
        ("events for the backend", "get_events", ""),
        ("list pods", "list_pods", "todo-backend"),
        ("why is the backend down?", "diagnose", "namespace default"),
    ];
    for (request, tool, words) in cases {
        let mut calls = Vec::new();
        let answer = s
            .turn(request, &person, &mut |e| {
                if let Event::ToolResult {
                    name,
                    status,
                    content,
                    ..
                } = e
                {
                    let summary = content.lines().next().unwrap_or("").to_string();
                    calls.push((name, status, summary));
                }
            })
            .await
            .unwrap();
        let last = calls
            .last()
            .unwrap_or_else(|| panic!("{request}: no tool ran"));
        assert_eq!(
            (last.0.as_str(), &last.1),
            (tool, &CallStatus::Done),
            "{request}: {calls:?}"
        );
        assert!(answer.contains(words), "{request}: {answer}");
        assert!(!answer.contains(PLANTED), "{request}: {answer}");
    }
    // A change under --read-only is refused, and the answer says so.
    let answer = s
        .turn("scale the backend to 3", &person, &mut |_| {})
        .await
        .unwrap();
    assert!(answer.contains("read-only"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compact_folds_the_conversation_into_the_system_prompt() {
    let (_sim, ctx) = setup().await;
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(Turn::tool("list_pods", json!({})));
    llm.push(Turn::text("Two backend pods, both Running."));
    llm.push(Turn::text("Nothing else to report."));
    let mut s = session(&llm, ctx, MutationPolicy::Ask, 5);
    let person = Person::answering(&[]);
    s.turn("how many pods?", &person, &mut |_| {})
        .await
        .unwrap();
    let kept = s.compact();
    assert!(
        kept.contains("asked \"how many pods?\"; tools: list_pods; answered: \"Two backend pods, both Running.\""),
        "{kept}"
    );
    s.turn("anything else?", &person, &mut |_| {})
        .await
        .unwrap();
    let sent = llm.requests()[2]["messages"].as_array().unwrap().clone();
    assert_eq!(sent.len(), 2, "system and the new prompt only: {sent:?}");
    let system = sent[0]["content"].as_str().unwrap();
    assert!(
        system.contains("Earlier in this session (compacted)") && system.contains("how many pods?"),
        "{system}"
    );
}

/// Regression: each turn used to replace the redactor, forgetting the values `${random:N}`
/// generated in earlier turns. A generated value that lands outside a Secret (here a chart
/// setting that goes into a ConfigMap) must stay hidden from the model, the transcript and
/// the screen in every later turn.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_secret_stays_hidden_across_turns() {
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::api::Api;
    let (_sim, ctx) = setup().await;
    let client = ctx.cluster.client.clone();
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(Turn::tool(
        "helm_upgrade",
        json!({"release": "todo-backend", "patch": {"config": {"openaiModel": "${random:32}"}}}),
    ));
    llm.push(Turn::text("upgraded"));
    llm.push(Turn::tool("get_config", json!({})));
    llm.push(Turn::text("here is the config"));
    llm.push(Turn::tool(
        "helm_values",
        json!({"release": "todo-backend"}),
    ));
    llm.push(Turn::text("and the values"));
    let mut s = session(&llm, ctx, MutationPolicy::AutoApprove, 5);
    /// Keeps every transcript entry, serialised as a recording would write it.
    struct Recorder(std::sync::Mutex<Vec<String>>);
    impl todo_ops::core::transcript::Observer for Recorder {
        fn observe(&self, entry: &todo_ops::protocol::Event) {
            self.0
                .lock()
                .unwrap()
                .push(serde_json::to_string(entry).unwrap());
        }
    }
    let recorder = std::sync::Arc::new(Recorder(std::sync::Mutex::new(Vec::new())));
    s.add_observer(recorder.clone());
    let mut screen = Vec::new();
    for prompt in [
        "set a fresh model name",
        "show the config",
        "show the values",
    ] {
        s.turn(prompt, &Person::answering(&[]), &mut |e| {
            screen.push(format!("{e:?}"))
        })
        .await
        .unwrap();
    }
    // The value really was generated and stored outside any Secret.
    let cms = Api::<ConfigMap>::namespaced(client, "default")
        .list(&Default::default())
        .await
        .unwrap();
    let generated = cms
        .items
        .iter()
        .filter_map(|c| c.data.as_ref()?.get("OPENAI_MODEL").cloned())
        .find(|v| v.len() == 32)
        .expect("the generated value is in the backend's ConfigMap");
    let sent = serde_json::to_string(&llm.requests()).unwrap();
    assert!(
        sent.contains("[REDACTED]"),
        "the later turns saw the masked value: {sent}"
    );
    assert!(
        !sent.contains(&generated),
        "a generated secret reached the model"
    );
    let shown = screen.join("\n");
    assert!(
        !shown.contains(&generated),
        "a generated secret reached the screen"
    );
    let recorded = recorder.0.lock().unwrap().join("\n");
    assert!(recorded.contains("helm_upgrade"), "{recorded}");
    assert!(
        !recorded.contains(&generated),
        "a generated secret reached the transcript"
    );
    let saved = serde_json::to_string(&s.transcript()).unwrap();
    assert!(
        !saved.contains(&generated),
        "a generated secret reached the saved session"
    );
}

/// Regression: a turn that failed after a tool call left that call in the history without
/// its result, and OpenAI refuses such a conversation, so every later turn failed too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_turn_is_taken_back_and_the_next_one_starts_clean() {
    let (_sim, ctx) = setup().await;
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(Turn::tool("list_pods", json!({})));
    llm.push(Turn::Error(400, "context length exceeded".into()));
    llm.push(Turn::text("all pods are running"));
    let mut s = session(&llm, ctx, MutationPolicy::Ask, 5);
    let err = s
        .turn("list the pods", &Person::answering(&[]), &mut |_| {})
        .await
        .unwrap_err();
    assert!(err.to_string().contains("context length exceeded"), "{err}");
    assert_eq!(
        s.turns(),
        0,
        "the failed turn is gone from the conversation"
    );
    let answer = s
        .turn("how are the pods?", &Person::answering(&[]), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(answer, "all pods are running");
    let last = llm.requests().pop().unwrap();
    let messages = last["messages"].as_array().unwrap();
    assert!(
        !messages
            .iter()
            .any(|m| m["role"] == "tool" || m["tool_calls"].is_array()),
        "{messages:?}"
    );
    assert!(
        !serde_json::to_string(messages)
            .unwrap()
            .contains("list the pods")
    );
}
