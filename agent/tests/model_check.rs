//! `todo-ops model check` against servers that behave as real ones do: it says what works,
//! recommends the mode, and exits 0 (tools work), 1 (shim only) or 2 (unreachable).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;

use serde_json::{Value, json};
use todo_e2e::scripted_llm::{ScriptedLlm, Turn};

async fn check(base_url: &str, extra: &[&str]) -> Output {
    let base_url = base_url.to_string();
    let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_todo-ops"))
            .args([
                "model",
                "check",
                "--model",
                "smollm2",
                "--timeout-secs",
                "10",
            ])
            .args(&extra)
            .env("OPENAI_BASE_URL", base_url)
            .env("OPENAI_API_KEY", "sk-local")
            // No settings file: only the environment and flags count.
            .env(
                "XDG_CONFIG_HOME",
                std::env::temp_dir().join("todo-ops-model-check-none"),
            )
            .env_remove("TODO_OPS_CONFIG")
            .env_remove("OPENAI_MODEL")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test]
async fn a_server_that_refuses_streamed_tool_calls_is_told_to_use_whole_answers() {
    // As llama-cpp-python: streamed tool_choice refused, whole answers work, no usage.
    let llm = ScriptedLlm::start().await.unwrap();
    llm.set_models(json!([{"id": "smollm2", "object": "model", "meta": {"n_ctx_train": 8192}}]));
    llm.refuse_when(
        500,
        "Automatic streaming tool choice is not supported",
        |b| b["stream"] == true && b.get("tool_choice").is_some(),
    );
    llm.push(Turn::tool("ping", json!({})));
    let out = check(&llm.base_url, &[]).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("models: smollm2"), "{t}");
    assert!(t.contains("context window: 8192 tokens"), "{t}");
    assert!(
        t.contains("tool calls, streamed: no (") && t.contains("Automatic streaming"),
        "{t}"
    );
    assert!(t.contains("tool calls, whole answer: yes"), "{t}");
    assert!(t.contains("switches to them by itself"), "{t}");
    // The probe offered one tool and asked for it.
    let req = &llm.requests()[1];
    assert_eq!(req["tool_choice"], "auto");
    assert_eq!(req["tools"][0]["function"]["name"], "ping");
}

#[tokio::test]
async fn a_model_that_only_talks_needs_the_shim_and_an_unreachable_one_says_so() {
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(Turn::text("I cannot call tools."));
    llm.push(Turn::text("Pong!"));
    let out = check(&llm.base_url, &["--json"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["streamed_tools"]["outcome"], "answered");
    assert_eq!(report["whole_tools"]["outcome"], "answered");
    assert!(
        report["models"]["Err"].as_str().unwrap().contains("404"),
        "{report}"
    );
    assert_eq!(report["usage_reported"], true);

    // Nothing listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = check(&format!("http://127.0.0.1:{port}/v1"), &[]).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(t.contains("check OPENAI_BASE_URL"), "{t}");
    assert!(!t.contains("panicked"), "{t}");
}
