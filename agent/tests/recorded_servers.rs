//! The model adapter against answers recorded byte for byte from real servers
//! (tests/recordings/<server>/<chat format>/*.json: status, content type, body), replayed by
//! the scripted server. Each recording's `what` says what the server did.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};
use todo_e2e::scripted_llm::{ScriptedLlm, Turn};
use todo_ops::brains::openai::{Model, ModelConfig, ModelError};
use todo_ops::protocol::{Message, ToolSpec};

fn recording(path: &str) -> Turn {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/recordings")
        .join(path);
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    Turn::Recorded {
        status: r["status"].as_u64().unwrap() as u16,
        content_type: r["content_type"].as_str().unwrap().into(),
        body: r["body"].as_str().unwrap().into(),
    }
}

fn model(llm: &ScriptedLlm) -> Model {
    Model::new(ModelConfig {
        api_key: "local".into(),
        base_url: Some(llm.base_url.clone()),
        model: "smollm2".into(),
        request_timeout: Duration::from_secs(10),
        attempts: 1,
    })
    .unwrap()
}

fn list_pods() -> Vec<ToolSpec> {
    vec![ToolSpec {
        name: "list_pods".into(),
        description: "List the pods.".into(),
        parameters: json!({"type": "object", "properties": {}}),
    }]
}

const LLAMA: &str = "llama-cpp-python-0.3.36";

#[tokio::test]
async fn a_streamed_answer_without_usage_is_shown_and_its_tokens_estimated() {
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(recording(&format!(
        "{LLAMA}/chatml-function-calling/stream-text.json"
    )));
    let mut shown = String::new();
    let turn = model(&llm)
        .turn(&[Message::user("Say hi in three words.")], &[], &mut |t| {
            shown.push_str(t)
        })
        .await
        .unwrap();
    assert!(!turn.text.trim().is_empty());
    assert_eq!(shown, turn.text);
    assert!(turn.usage_estimated, "the server sent no usage chunk");
}

#[tokio::test]
async fn a_forced_tool_call_with_the_name_in_every_delta_is_one_call() {
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(recording(&format!(
        "{LLAMA}/chatml-function-calling/forced.json"
    )));
    let turn = model(&llm)
        .turn(
            &[Message::user("List the pods.")],
            &list_pods(),
            &mut |_| {},
        )
        .await
        .unwrap();
    assert_eq!(turn.tool_calls.len(), 1, "{turn:?}");
    assert_eq!(turn.tool_calls[0].name, "list_pods");
    let args: Value = serde_json::from_str(&turn.tool_calls[0].arguments).unwrap();
    assert_eq!(args, json!({}));
}

#[tokio::test]
async fn an_empty_stream_after_a_long_prompt_says_how_big_the_prompt_was() {
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(recording(&format!(
        "{LLAMA}/chatml-function-calling/overflow.json"
    )));
    let long = "pod web-1 OOMKilled exit 137 ".repeat(900);
    let err = model(&llm)
        .turn(
            &[Message::user(format!("Explain: {long}"))],
            &[],
            &mut |_| {},
        )
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ModelError::NoAnswer { .. }), "{text}");
    assert!(text.contains("empty event stream"), "{text}");
    assert!(
        text.contains("the largest part message 1 (the person's)"),
        "{text}"
    );
}

#[tokio::test]
async fn a_model_that_offers_nothing_for_tools_is_an_error_that_points_to_the_shim() {
    // Streamed, then (as the adapter asks again whole) the whole answer: both empty.
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(recording(&format!(
        "{LLAMA}/chatml-function-calling/stream-tools.json"
    )));
    llm.push(recording(&format!(
        "{LLAMA}/chatml-function-calling/whole-tools.json"
    )));
    let err = model(&llm)
        .turn(
            &[Message::user("List the pods.")],
            &list_pods(),
            &mut |_| {},
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("--tool-shim"), "{err}");
    let streams: Vec<bool> = llm.requests().iter().map(|r| r["stream"] == true).collect();
    assert_eq!(streams, [true, false]);
    // The model's own template shows no tools: it answers in text, which is an answer.
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(recording(&format!(
        "{LLAMA}/model-template/stream-tools.json"
    )));
    let turn = model(&llm)
        .turn(
            &[Message::user("List the pods.")],
            &list_pods(),
            &mut |_| {},
        )
        .await
        .unwrap();
    assert!(turn.tool_calls.is_empty() && !turn.text.is_empty());
}

#[tokio::test]
async fn the_template_failure_of_a_missing_content_key_is_named_and_never_provoked() {
    let llm = ScriptedLlm::start().await.unwrap();
    // The server answers every retry the same way.
    for _ in 0..10 {
        llm.push(recording(&format!("{LLAMA}/model-template/nocontent.json")));
    }
    let err = model(&llm)
        .turn(&[Message::user("hi")], &[], &mut |_| {})
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("has no attribute 'content'"),
        "{err}"
    );
    // What the adapter sends always carries it.
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(Turn::text("ok"));
    let history = [
        Message::user("List the pods."),
        Message::Assistant {
            content: String::new(),
            tool_calls: vec![todo_ops::protocol::ToolCall {
                id: "c1".into(),
                name: "list_pods".into(),
                arguments: "{}".into(),
            }],
        },
        Message::Tool {
            tool_call_id: "c1".into(),
            content: "web-1 Running".into(),
            data: None,
        },
    ];
    model(&llm)
        .turn(&history, &list_pods(), &mut |_| {})
        .await
        .unwrap();
    let requests = llm.requests();
    let sent = &requests.last().unwrap()["messages"][1];
    assert_eq!(sent["content"], "", "{sent}");
}

// Ollama's and vLLM's OpenAI endpoints, from their documented shapes (tests/recordings/
// documented/: read from their source, not recorded here, each file says which).

const OLLAMA: &str = "documented/ollama-0.33";
const VLLM: &str = "documented/vllm-0.11";

async fn tool_turn(path: &str) -> Result<todo_ops::protocol::ModelTurn, ModelError> {
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(recording(path));
    model(&llm)
        .turn(
            &[Message::user("List the pods.")],
            &list_pods(),
            &mut |_| {},
        )
        .await
}

#[tokio::test]
async fn whole_and_split_tool_call_deltas_each_make_one_call() {
    for path in [
        format!("{OLLAMA}/stream-tools.json"),
        format!("{VLLM}/stream-tools.json"),
    ] {
        let turn = tool_turn(&path).await.unwrap();
        assert_eq!(turn.tool_calls.len(), 1, "{path}: {turn:?}");
        assert_eq!(turn.tool_calls[0].name, "list_pods", "{path}");
        let args: Value = serde_json::from_str(&turn.tool_calls[0].arguments).unwrap();
        assert_eq!(args, json!({}), "{path}");
        assert!(!turn.tool_calls[0].id.is_empty(), "{path}");
    }
}

#[tokio::test]
async fn a_usage_chunk_with_no_choices_is_counted_not_estimated() {
    let turn = tool_turn(&format!("{OLLAMA}/stream-tools-usage.json"))
        .await
        .unwrap();
    assert_eq!(turn.usage, Some((412, 17)));
    assert!(!turn.usage_estimated);
    assert_eq!(turn.tool_calls.len(), 1);
}

#[tokio::test]
async fn refusals_and_broken_streams_are_errors_that_say_what_happened() {
    let unknown = tool_turn(&format!("{VLLM}/model-not-found.json"))
        .await
        .unwrap_err();
    assert!(
        matches!(unknown, ModelError::UnknownModel { .. }),
        "{unknown:?}"
    );
    let unknown = tool_turn(&format!("{OLLAMA}/model-not-found.json"))
        .await
        .unwrap_err();
    assert!(
        matches!(unknown, ModelError::UnknownModel { .. }),
        "{unknown:?}"
    );
    let too_long = tool_turn(&format!("{VLLM}/context-too-long.json"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        too_long.contains("maximum context length is 8192"),
        "{too_long}"
    );
    // vLLM sends an error object inside the stream; Ollama's stream just stops.
    let died = tool_turn(&format!("{VLLM}/stream-error.json"))
        .await
        .unwrap_err()
        .to_string();
    assert!(died.contains("The engine died unexpectedly"), "{died}");
    let cut = tool_turn(&format!("{OLLAMA}/stream-error.json"))
        .await
        .unwrap_err();
    assert!(matches!(cut, ModelError::NoAnswer { .. }), "{cut:?}");
}
