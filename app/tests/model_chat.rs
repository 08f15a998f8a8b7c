//! The chat through an OpenAI-compatible model (the scripted server speaking the real
//! protocol), graceful shutdown with a request in flight, and two replicas sharing one
//! conversation.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod common;

use std::time::Duration;

use common::{Engine, TestDb, User, backend};
use serde_json::{Value, json};
use todo_e2e::scripted_llm::{ScriptedLlm, Turn};

const KEY: &str = "sk-test-key-do-not-leak-123";

async fn model_backend(db: &TestDb, llm: &ScriptedLlm) -> common::Process {
    backend(
        db,
        &[
            ("OPENAI_API_KEY", KEY),
            ("OPENAI_BASE_URL", &llm.base_url),
            ("OPENAI_MODEL", "scripted-1"),
        ],
    )
    .await
}

#[tokio::test]
async fn tool_call_creates_a_row_and_the_model_sees_the_result() {
    let db = TestDb::new(Engine::Postgres).await;
    let llm = ScriptedLlm::start().await.unwrap();
    let be = model_backend(&db, &llm).await;
    let u = User::sign_up(&be.url).await;

    llm.push(Turn::tool("add_task", json!({"title": "buy milk"})));
    llm.push(Turn::text("Added buy milk to your list."));
    let r = u.chat(None, "please remember milk").await;
    assert_eq!(r["reply"], "Added buy milk to your list.");
    assert_eq!(r["actions"][0]["tool"], "add_task");
    assert_eq!(r["actions"][0]["ok"], true);

    let pool = db.pool().await;
    let titles: Vec<String> = sqlx::query_scalar("SELECT title FROM tasks")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(titles, vec!["buy milk".to_string()]);

    let reqs = llm.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0]["model"], "scripted-1");
    let tools: Vec<&str> = reqs[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        tools,
        [
            "add_task",
            "list_tasks",
            "complete_task",
            "update_task",
            "delete_task"
        ]
    );
    assert_eq!(
        reqs[0]["tools"][0]["function"]["parameters"]["required"],
        json!(["title"])
    );
    // The second request carries the assistant's tool call and the tool's result.
    let msgs = reqs[1]["messages"].as_array().unwrap();
    let tool_msg = msgs
        .iter()
        .find(|m| m["role"] == "tool")
        .expect("tool message");
    assert_eq!(tool_msg["tool_call_id"], "call_0_add_task");
    let result: Value = serde_json::from_str(tool_msg["content"].as_str().unwrap()).unwrap();
    assert_eq!(result["title"], "buy milk");
    assert!(
        llm.auth_headers()
            .iter()
            .all(|h| h == &format!("Bearer {KEY}"))
    );

    // Bad arguments go back to the model as a tool error it can correct.
    llm.push(Turn::tool("complete_task", json!({"id": "one"})));
    llm.push(Turn::text("Which task?"));
    let r = u.chat(None, "done").await;
    assert_eq!(r["reply"], "Which task?");
    let reqs = llm.requests();
    let last = reqs.last().unwrap()["messages"].as_array().unwrap().clone();
    let err = last.iter().find(|m| m["role"] == "tool").unwrap()["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(err.contains("invalid arguments for complete_task"), "{err}");

    // A model error is a 503 in the error shape, and the key never appears in it.
    llm.push(Turn::Error(401, "Incorrect API key provided".into()));
    let (status, body) = u
        .call("POST", "/api/chat", Some(json!({"message": "hi"})))
        .await;
    assert_eq!(status, 503);
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("OPENAI_API_KEY") && !msg.contains(KEY),
        "{msg}"
    );
    assert!(!be.log_text().contains(KEY));
}

#[tokio::test]
async fn in_flight_request_survives_sigterm() {
    let db = TestDb::new(Engine::Sqlite).await;
    let llm = ScriptedLlm::start().await.unwrap();
    let mut be = model_backend(&db, &llm).await;
    let u = User::sign_up(&be.url).await;
    llm.push_delayed(Turn::text("Here you go."), Duration::from_millis(1500));
    let pending = tokio::spawn({
        let u = u.clone();
        async move {
            u.call("POST", "/api/chat", Some(json!({"message": "list"})))
                .await
        }
    });
    // The request is in flight once the model has it.
    llm.wait_for_requests(1, Duration::from_secs(10))
        .await
        .unwrap();
    be.terminate();
    let (status, body) = pending.await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["reply"], "Here you go.");
    let exit = be.wait_exit(Duration::from_secs(30)).await;
    assert!(exit.success(), "{}", be.log_text());
    assert!(be.log_text().contains("stopped cleanly"));
    // New connections are refused after shutdown.
    assert!(
        common::http()
            .get(format!("{}/health", be.url))
            .send()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn two_backends_continue_one_conversation() {
    let db = TestDb::new(Engine::Postgres).await;
    let llm = ScriptedLlm::start().await.unwrap();
    let a = model_backend(&db, &llm).await;
    let b = model_backend(&db, &llm).await;
    let on_a = User::sign_up(&a.url).await;
    let on_b = User {
        base: b.url.clone(),
        ..on_a.clone()
    };

    llm.push(Turn::text("Noted: you like tea."));
    let first = on_a.chat(None, "remember that I like tea").await;
    let conv = first["conversation_id"].as_i64().unwrap();
    llm.push(Turn::text("You said you like tea."));
    let second = on_b.chat(Some(conv), "what do I like?").await;
    assert_eq!(second["conversation_id"], conv);

    // Replica B sent the model the turn that replica A handled.
    let reqs = llm.requests();
    let msgs = reqs[1]["messages"].as_array().unwrap();
    let contents: Vec<&str> = msgs.iter().filter_map(|m| m["content"].as_str()).collect();
    assert!(
        contents.contains(&"remember that I like tea"),
        "{contents:?}"
    );
    assert!(contents.contains(&"Noted: you like tea."), "{contents:?}");
    assert_eq!(contents.last(), Some(&"what do I like?"));
}
