//! `/mcp` with a real rmcp client over streamable HTTP, authenticated by the session token.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod common;

use common::{Engine, TestDb, User, backend};
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, ClientConfig};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::{Value, json};

fn args(v: Value) -> serde_json::Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn text(r: &rmcp::model::CallToolResult) -> String {
    r.content
        .iter()
        .filter_map(|c| c.as_text())
        .map(|t| t.text.clone())
        .collect()
}

#[tokio::test]
async fn rmcp_client_lists_and_calls_the_task_tools() {
    let db = TestDb::new(Engine::Postgres).await;
    let be = backend(&db, &[]).await;
    let u = User::sign_up(&be.url).await;
    let other = User::sign_up(&be.url).await;
    let (_, theirs) = other
        .call("POST", "/api/tasks", Some(json!({"title": "secret plan"})))
        .await;

    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(format!("{}/mcp", be.url))
            .auth_header(u.token.clone()),
    );
    let client = ClientConfig::default()
        .serve(transport)
        .await
        .expect("MCP initialize");
    let mut names: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "add_task",
            "complete_task",
            "delete_task",
            "list_tasks",
            "update_task"
        ]
    );

    let added = client
        .call_tool(
            CallToolRequestParams::new("add_task")
                .with_arguments(args(json!({"title": "buy milk"}))),
        )
        .await
        .unwrap();
    assert_ne!(added.is_error, Some(true));
    let task: Value = serde_json::from_str(&text(&added)).unwrap();
    assert_eq!(task["title"], "buy milk");

    let listed = client
        .call_tool(
            CallToolRequestParams::new("list_tasks")
                .with_arguments(args(json!({"status": "pending"}))),
        )
        .await
        .unwrap();
    let tasks: Value = serde_json::from_str(&text(&listed)).unwrap();
    assert_eq!(tasks.as_array().unwrap().len(), 1);

    // The row is the user's own, visible through the REST API.
    let (_, rest) = u.call("GET", "/api/tasks", None).await;
    assert_eq!(rest[0]["title"], "buy milk");

    // Numbers are per user: this user's #1 is their own task, though another user made a
    // task first; a number they lack is a tool error that says how to see theirs.
    assert_eq!(task["number"], 1);
    assert_eq!(theirs["number"], 1);
    let refused = client
        .call_tool(
            CallToolRequestParams::new("delete_task").with_arguments(args(json!({"number": 2}))),
        )
        .await
        .unwrap();
    assert_eq!(refused.is_error, Some(true));
    assert!(text(&refused).contains("no task #2"), "{}", text(&refused));
    let _ = client.cancel().await;

    // Without a token the endpoint answers 401.
    let r = common::http()
        .post(format!("{}/mcp", be.url))
        .header("accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
