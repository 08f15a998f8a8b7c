//! The model client against the scripted OpenAI-compatible server, over real HTTP and SSE,
//! through the real async-openai client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::{Value, json};
use todo_e2e::scripted_llm::{ScriptedLlm, Turn};
use todo_ops::brains::native_or_shim::NativeOrShim;
use todo_ops::brains::openai::{Model, ModelConfig, ModelError};
use todo_ops::core::brain::Brain;
use todo_ops::core::session::tool_specs;
use todo_ops::protocol::Message;
use todo_ops_tools::tools::registry;

fn model(base_url: &str, attempts: u32) -> Model {
    Model::new(ModelConfig {
        api_key: "sk-test-not-a-secret".into(),
        base_url: Some(base_url.into()),
        model: "scripted-1".into(),
        request_timeout: Duration::from_secs(5),
        attempts,
    })
    .unwrap()
}

fn ask(text: &str) -> Vec<Message> {
    vec![Message::user(text)]
}

#[tokio::test]
async fn text_streams_in_pieces_and_the_request_carries_the_tool_schemas() {
    let llm = ScriptedLlm::start().await.unwrap();
    let answer = "The backend is crash-looping because DATABASE_URL is wrong.";
    llm.push(Turn::text(answer));
    let tools = tool_specs(&registry());
    let mut pieces = Vec::new();
    let turn = model(&llm.base_url, 1)
        .turn(&ask("why is the backend down?"), &tools, &mut |p| {
            pieces.push(p.to_string())
        })
        .await
        .unwrap();
    assert_eq!(turn.text, answer);
    assert!(
        pieces.len() > 3,
        "the answer should arrive in pieces: {pieces:?}"
    );
    assert_eq!(pieces.concat(), answer);
    assert_eq!(turn.usage, Some((10, 5)));
    assert!(turn.tool_calls.is_empty());

    let req = &llm.requests()[0];
    assert_eq!(req["stream"], true);
    assert_eq!(req["model"], "scripted-1");
    let names: Vec<&str> = req["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"list_pods") && names.contains(&"helm_upgrade"),
        "{names:?}"
    );
    let scale = req["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["function"]["name"] == "scale")
        .unwrap();
    assert!(scale["function"]["parameters"]["properties"]["replicas"].is_object());
}

#[tokio::test]
async fn parallel_tool_calls_are_assembled_from_their_deltas() {
    let llm = ScriptedLlm::start().await.unwrap();
    let upgrade =
        json!({"release": "todo-backend", "patch": {"resources": {"limits": {"memory": "512Mi"}}}});
    llm.push(Turn::ToolCalls(vec![
        (
            "list_pods".into(),
            json!({"label_selector": "app.kubernetes.io/name=todo-backend"}),
        ),
        ("helm_upgrade".into(), upgrade.clone()),
    ]));
    let turn = model(&llm.base_url, 1)
        .turn(&ask("fix the OOM"), &[], &mut |_| {})
        .await
        .unwrap();
    assert_eq!(turn.tool_calls.len(), 2, "{turn:?}");
    assert_eq!(turn.tool_calls[0].name, "list_pods");
    assert_eq!(turn.tool_calls[1].name, "helm_upgrade");
    assert_ne!(turn.tool_calls[0].id, turn.tool_calls[1].id);
    let args: Value = serde_json::from_str(&turn.tool_calls[1].arguments).unwrap();
    assert_eq!(args, upgrade);
    // No tools offered: the request must not carry an empty list some servers reject.
    assert!(llm.requests()[0].get("tools").is_none());
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retried_then_answered() {
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(Turn::Error(429, "slow down".into()));
    llm.push(Turn::Error(503, "overloaded".into()));
    llm.push(Turn::text("ok"));
    let turn = model(&llm.base_url, 3)
        .turn(&ask("hi"), &[], &mut |_| {})
        .await
        .unwrap();
    assert_eq!(turn.text, "ok");
    assert_eq!(llm.requests().len(), 3);

    // A server that keeps failing: retried with back-off, then named with its last words.
    for _ in 0..10 {
        llm.push(Turn::Error(500, "still down".into()));
    }
    let err = model(&llm.base_url, 1)
        .turn(&ask("hi"), &[], &mut |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, ModelError::Unavailable { .. }), "{err}");
    let retried = llm.requests().len() - 3;
    assert!(
        (2..10).contains(&retried),
        "{retried} requests for one failing turn"
    );
    assert!(err.to_string().contains("still down"), "{err}");
}

#[tokio::test]
async fn a_bad_key_or_unknown_model_says_what_to_change_without_retrying() {
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(Turn::Error(401, "Incorrect API key provided".into()));
    let err = model(&llm.base_url, 3)
        .turn(&ask("hi"), &[], &mut |_| {})
        .await
        .unwrap_err();
    assert!(err.to_string().contains("OPENAI_API_KEY"), "{err}");
    assert!(!err.to_string().contains("sk-test-not-a-secret"), "{err}");
    assert_eq!(llm.requests().len(), 1, "a bad key is not retried");

    llm.push(Turn::Error(
        404,
        "The model `scripted-1` does not exist".into(),
    ));
    let err = model(&llm.base_url, 3)
        .turn(&ask("hi"), &[], &mut |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, ModelError::UnknownModel { .. }), "{err}");
    assert!(err.to_string().contains("--model"), "{err}");
}

#[tokio::test]
async fn an_endpoint_that_is_not_there_is_named() {
    // Bind and drop: a loopback port with nothing listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}/v1");
    let err = model(&base, 2)
        .turn(&ask("hi"), &[], &mut |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, ModelError::Unavailable { .. }), "{err}");
    assert!(err.to_string().contains(&base), "{err}");
}

/// An SSE body of `chat.completion.chunk` events as a server sends them, then `[DONE]`.
fn raw_sse(chunks: &[Value], done: bool) -> String {
    let mut body: String = chunks.iter().map(|c| format!("data: {c}\n\n")).collect();
    if done {
        body.push_str("data: [DONE]\n\n");
    }
    body
}

fn chunk(delta: Value, finish: Option<&str>) -> Value {
    json!({"id": "chatcmpl-x", "object": "chat.completion.chunk", "created": 0, "model": "m",
           "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
}

/// What llama-cpp-python's server sends when the request fails inside it (a prompt over
/// the context window): 200, an event stream, and nothing in it — or only the role chunk
/// and `[DONE]` when the stream is interrupted. Neither may read as a blank answer.
#[tokio::test]
async fn a_stream_without_an_answer_is_an_error_that_says_why() {
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(Turn::Raw(String::new()));
    llm.push(Turn::Raw(raw_sse(
        &[chunk(json!({"role": "assistant"}), None)],
        true,
    )));
    llm.push(Turn::Raw(raw_sse(
        &[chunk(
            json!({"role": "assistant", "content": "The backend is"}),
            None,
        )],
        false,
    )));
    for expected in [
        "an empty event stream",
        "without text, tool calls or a finish reason",
        "before the model finished",
    ] {
        let err = model(&llm.base_url, 1)
            .turn(&ask("why?"), &[], &mut |_| {})
            .await
            .unwrap_err();
        assert!(matches!(err, ModelError::NoAnswer { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(
            msg.contains(expected) && msg.contains("context window"),
            "{msg}"
        );
    }
}

/// llama.cpp with a forced tool choice repeats the whole name in every delta and sends no
/// id; a split name arrives in pieces. Both assemble into one call with the right name.
#[tokio::test]
async fn tool_names_repeated_or_split_across_deltas_assemble_once() {
    let llm = ScriptedLlm::start().await.unwrap();
    let call = |name: &str, args: &str| json!({"tool_calls": [{"index": 0, "function": {"name": name, "arguments": args}}]});
    llm.push(Turn::Raw(raw_sse(
        &[
            chunk(json!({"role": "assistant"}), None),
            chunk(call("list_pods", "{\"namesp"), None),
            chunk(call("list_pods", "ace\": \"default\"}"), None),
            chunk(json!({}), Some("tool_calls")),
        ],
        true,
    )));
    llm.push(Turn::Raw(raw_sse(
        &[
            chunk(json!({"tool_calls": [{"index": 0, "id": "c1", "type": "function", "function": {"name": "get_", "arguments": ""}}]}), None),
            chunk(json!({"tool_calls": [{"index": 0, "function": {"name": "logs", "arguments": "{}"}}]}), None),
            chunk(json!({}), Some("tool_calls")),
        ],
        true,
    )));
    let m = model(&llm.base_url, 1);
    let t = m.turn(&ask("pods?"), &[], &mut |_| {}).await.unwrap();
    assert_eq!(t.tool_calls.len(), 1);
    assert_eq!(t.tool_calls[0].name, "list_pods");
    assert_eq!(t.tool_calls[0].arguments, "{\"namespace\": \"default\"}");
    assert_eq!(
        t.tool_calls[0].id, "call_0",
        "made up when the server sends none"
    );
    let t = m.turn(&ask("logs?"), &[], &mut |_| {}).await.unwrap();
    assert_eq!(
        (t.tool_calls[0].name.as_str(), t.tool_calls[0].id.as_str()),
        ("get_logs", "c1")
    );

    // An absurd index is refused instead of allocating for it.
    llm.push(Turn::Raw(raw_sse(
        &[chunk(json!({"tool_calls": [{"index": 4_000_000_000u32, "function": {"name": "x", "arguments": "{}"}}]}), Some("tool_calls"))],
        true,
    )));
    let err = m
        .turn(&ask("x"), &[], &mut |_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("at most 64 calls"), "{err}");
}

/// A model slower than `--timeout-secs` is reported as such, not as a server that is down.
#[tokio::test]
async fn a_timeout_says_it_timed_out_and_which_flag_to_raise() {
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push_delayed(Turn::text("too late"), Duration::from_secs(3));
    let m = Model::new(ModelConfig {
        api_key: "sk-test-not-a-secret".into(),
        base_url: Some(llm.base_url.clone()),
        model: "scripted-1".into(),
        request_timeout: Duration::from_secs(1),
        attempts: 3,
    })
    .unwrap();
    let started = std::time::Instant::now();
    let err = m.turn(&ask("hi"), &[], &mut |_| {}).await.unwrap_err();
    assert!(
        matches!(err, ModelError::TimedOut { secs: 1, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("--timeout-secs"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "a timeout is not retried"
    );
}

#[tokio::test]
async fn a_server_that_cannot_stream_tool_calls_gets_whole_answers_from_then_on() {
    // llama-cpp-python: tools only with tool_choice, and no streamed tool choice (500).
    let llm = ScriptedLlm::start().await.unwrap();
    llm.refuse_when(
        500,
        "Automatic streaming tool choice is not supported",
        |body| body["stream"] == true && body.get("tool_choice").is_some(),
    );
    llm.push(Turn::tool("list_pods", json!({})));
    llm.push(Turn::text("Two pods are running."));
    let m = model(&llm.base_url, 1);
    let tools = tool_specs(&registry());
    let mut shown = String::new();
    let first = m
        .turn(&ask("list pods"), &tools, &mut |t| shown.push_str(t))
        .await
        .unwrap();
    assert_eq!(first.tool_calls.len(), 1, "{first:?}");
    assert_eq!(first.tool_calls[0].name, "list_pods");
    let second = m
        .turn(&ask("and now?"), &tools, &mut |t| shown.push_str(t))
        .await
        .unwrap();
    assert_eq!(second.text, "Two pods are running.");
    assert_eq!(
        shown, "Two pods are running.",
        "the whole answer is shown once"
    );
    let requests = llm.requests();
    let answered: Vec<&Value> = requests.iter().filter(|r| r["stream"] != true).collect();
    assert_eq!(answered.len(), 2, "both turns were asked whole");
    assert!(answered.iter().all(|r| r["tool_choice"] == "auto"));
    // The refusal was learned once: only the first turn tried streaming.
    let streamed_after_first = requests
        .iter()
        .skip_while(|r| r["stream"] == true)
        .filter(|r| r["stream"] == true)
        .count();
    assert_eq!(streamed_after_first, 0, "{requests:?}");
    // Without tools the answer streams as before.
    llm.push(Turn::text("plain"));
    let plain = m.turn(&ask("hi"), &[], &mut |_| {}).await.unwrap();
    assert_eq!(plain.text, "plain");
    assert_eq!(llm.requests().last().unwrap()["stream"], true);
}

#[tokio::test]
async fn a_server_without_auto_tool_choice_is_asked_without_it_then_told_to_use_the_shim() {
    // vLLM started without --enable-auto-tool-choice refuses "auto" (400).
    let refusal =
        "\"auto\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set";
    let llm = ScriptedLlm::start().await.unwrap();
    llm.refuse_when(400, refusal, |body| body["tool_choice"] == "auto");
    llm.push(Turn::tool("list_pods", json!({})));
    let m = model(&llm.base_url, 1);
    let tools = tool_specs(&registry());
    let turn = m
        .turn(&ask("list pods"), &tools, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(turn.tool_calls[0].name, "list_pods");
    assert!(llm.requests().last().unwrap().get("tool_choice").is_none());

    // A server that refuses tools whatever the request: a clear error naming the way out.
    let llm = ScriptedLlm::start().await.unwrap();
    llm.refuse_when(400, refusal, |body| body.get("tools").is_some());
    let err = model(&llm.base_url, 1)
        .turn(&ask("list pods"), &tools, &mut |_| {})
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("--tool-shim") && text.contains("enable-auto-tool-choice"),
        "{text}"
    );
    assert!(
        llm.requests().len() <= 3,
        "{} requests",
        llm.requests().len()
    );

    // The chat's brain does not stop there: it goes on through the tool shim, and stays on it.
    let llm = ScriptedLlm::start().await.unwrap();
    llm.refuse_when(400, refusal, |body| body.get("tools").is_some());
    llm.push(Turn::text(
        r#"{"tool_calls": [{"name": "list_pods", "arguments": {}}]}"#,
    ));
    llm.push(Turn::text(r#"{"answer": "two pods"}"#));
    let brain = NativeOrShim::new(model(&llm.base_url, 1));
    let turn = brain
        .turn(&ask("list pods"), &tools, &mut |_| {})
        .await
        .expect("the shim answers where native tools were refused");
    assert_eq!(turn.tool_calls[0].name, "list_pods");
    assert!(brain.name().contains("tool shim"), "{}", brain.name());
    let refused_so_far = llm.requests().len();
    let answer = brain
        .turn(&ask("and now?"), &tools, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(answer.text, "two pods");
    assert_eq!(
        llm.requests().len(),
        refused_so_far + 1,
        "the second turn went straight to the shim"
    );
    assert!(
        llm.requests()
            .iter()
            .rev()
            .take(2)
            .all(|r| r.get("tools").is_none())
    );
}

#[tokio::test]
async fn a_server_without_usage_gets_an_estimate_marked_as_such() {
    // llama-cpp-python reports no usage in its stream.
    let llm = ScriptedLlm::start().await.unwrap();
    let chunk = |delta: Value, finish: Value| {
        format!(
            "data: {}\n\n",
            json!({"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m",
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
        )
    };
    let body = [
        chunk(json!({"role": "assistant"}), Value::Null),
        chunk(json!({"content": "All eight pods are fine."}), Value::Null),
        chunk(json!({}), json!("stop")),
        "data: [DONE]\n\n".to_string(),
    ]
    .concat();
    llm.push(Turn::Raw(body));
    let turn = model(&llm.base_url, 1)
        .turn(&ask("status?"), &[], &mut |_| {})
        .await
        .unwrap();
    assert_eq!(turn.text, "All eight pods are fine.");
    assert!(turn.usage_estimated);
    let (prompt, completion) = turn.usage.unwrap();
    assert_eq!(completion, 6, "24 bytes of answer, four per token");
    assert!(prompt > 0);

    // A server that reports usage is taken at its word.
    llm.push(Turn::text("ok"));
    let turn = model(&llm.base_url, 1)
        .turn(&ask("hi"), &[], &mut |_| {})
        .await
        .unwrap();
    assert_eq!((turn.usage, turn.usage_estimated), (Some((10, 5)), false));
}

#[tokio::test]
async fn a_stream_that_dies_when_the_model_starts_a_call_is_asked_again_whole() {
    // llama-cpp-python's chatml-function-calling: the streamed tool choice fails inside the
    // stream, so the client gets a 200 with nothing in it.
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(Turn::Raw(String::new()));
    llm.push(Turn::tool("list_pods", json!({})));
    llm.push(Turn::text("done"));
    let m = model(&llm.base_url, 1);
    let tools = tool_specs(&registry());
    let turn = m
        .turn(&ask("list pods"), &tools, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(turn.tool_calls[0].name, "list_pods");
    let second = m.turn(&ask("and?"), &tools, &mut |_| {}).await.unwrap();
    assert_eq!(second.text, "done");
    let streams: Vec<bool> = llm.requests().iter().map(|r| r["stream"] == true).collect();
    assert_eq!(
        streams,
        [true, false, false],
        "learned once, then whole answers"
    );

    // Without tools an empty stream stays an error: there is nothing to change.
    llm.push(Turn::Raw(String::new()));
    let err = m.turn(&ask("hi"), &[], &mut |_| {}).await.unwrap_err();
    assert!(matches!(err, ModelError::NoAnswer { .. }), "{err}");
}
