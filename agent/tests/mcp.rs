//! `todo-ops mcp` driven by a real rmcp client over stdio against kubesim: reads always,
//! changes only with --allow-mutations and then only with the client's person's yes
//! (elicitation), every result with its schema, secrets masked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chat_support;

use chat_support::*;
use std::sync::{Arc, Mutex};

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, ElicitRequestParams,
    ElicitResult, ElicitationAction, Implementation,
};
use rmcp::service::RequestContext;
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, ErrorData, RoleClient, ServiceExt};
use serde_json::json;

fn args(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn text(r: &CallToolResult) -> String {
    r.content
        .iter()
        .filter_map(|c| c.as_text())
        .map(|t| t.text.clone())
        .collect()
}

async fn client(
    kc: &std::path::Path,
    extra: &[&str],
) -> rmcp::service::RunningService<rmcp::RoleClient, ClientConfig> {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_todo-ops"));
    cmd.arg("mcp").args(extra).arg("--kubeconfig").arg(kc);
    let transport = TokioChildProcess::new(cmd).unwrap();
    tokio::time::timeout(
        std::time::Duration::from_secs(30),
        ClientConfig::default().serve(transport),
    )
    .await
    .expect("the MCP handshake timed out")
    .expect("MCP initialize")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mcp_client_reads_and_changes_only_when_allowed() {
    let (_sim, ctx, kc) = setup_with_kubeconfig().await;
    let c = client(&kc, &[]).await;
    let names: Vec<String> = c
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    assert!(
        names.iter().any(|n| n == "list_pods") && names.iter().any(|n| n == "diagnose"),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n == "scale" || n == "helm_upgrade"),
        "{names:?}"
    );

    let pods = c
        .call_tool(CallToolRequestParams::new("list_pods").with_arguments(args(json!({}))))
        .await
        .unwrap();
    assert_ne!(pods.is_error, Some(true), "{}", text(&pods));
    // Older protocol versions get the structured result as a JSON text block beside ours.
    assert_eq!(
        text(&pods).matches("1/1 Running restarts=0").count(),
        2,
        "{}",
        text(&pods)
    );

    let values = c
        .call_tool(
            CallToolRequestParams::new("helm_values")
                .with_arguments(args(json!({"release": "todo-backend"}))),
        )
        .await
        .unwrap();
    assert!(text(&values).contains("databaseUrl"), "{}", text(&values));
    assert!(
        !text(&values).contains(PLANTED),
        "a secret reached the MCP client"
    );

    // A Secret created after the server started, its value copied into a ConfigMap.
    {
        use k8s_openapi::api::core::v1::{ConfigMap, Secret};
        use kube::api::{Api, PostParams};
        let late = "late-mcp-secret-4d3c2b1a";
        let client = ctx.cluster.client.clone();
        let secret: Secret = serde_json::from_value(
            json!({"metadata": {"name": "late"}, "stringData": {"TOKEN": late}}),
        )
        .unwrap();
        Api::<Secret>::namespaced(client.clone(), "default")
            .create(&PostParams::default(), &secret)
            .await
            .unwrap();
        let cm: ConfigMap = serde_json::from_value(
            json!({"metadata": {"name": "careless"}, "data": {"token": late}}),
        )
        .unwrap();
        Api::<ConfigMap>::namespaced(client, "default")
            .create(&PostParams::default(), &cm)
            .await
            .unwrap();
        let shown = c
            .call_tool(
                CallToolRequestParams::new("get_config")
                    .with_arguments(args(json!({"name": "careless"}))),
            )
            .await
            .unwrap();
        assert!(text(&shown).contains("careless"), "{}", text(&shown));
        assert!(
            !text(&shown).contains(late),
            "a late Secret reached the MCP client"
        );
    }

    // Not listed, and refused when called anyway.
    let refused = c
        .call_tool(
            CallToolRequestParams::new("scale")
                .with_arguments(args(json!({"deployment": "todo-backend", "replicas": 3}))),
        )
        .await
        .unwrap();
    assert_eq!(refused.is_error, Some(true));
    assert!(text(&refused).contains("read-only"), "{}", text(&refused));
    assert_eq!(replicas(&ctx).await, 2);
    c.cancel().await.unwrap();

    // A client that cannot ask its person: refused, saying why and the way out.
    let c = client(&kc, &["--allow-mutations"]).await;
    let scale = || {
        CallToolRequestParams::new("scale")
            .with_arguments(args(json!({"deployment": "todo-backend", "replicas": 3})))
    };
    let refused = c.call_tool(scale()).await.unwrap();
    assert_eq!(refused.is_error, Some(true));
    assert!(
        text(&refused).contains("elicitation") && text(&refused).contains("--unconfirmed allow"),
        "{}",
        text(&refused)
    );
    assert_eq!(replicas(&ctx).await, 2);
    c.cancel().await.unwrap();

    // ...unless the server is told the client asks before every call itself.
    let c = client(&kc, &["--allow-mutations", "--unconfirmed", "allow"]).await;
    let scaled = c.call_tool(scale()).await.unwrap();
    assert_ne!(scaled.is_error, Some(true), "{}", text(&scaled));
    assert_eq!(replicas(&ctx).await, 3);
    // Secrets are off limits over MCP unless the person lifts that.
    let delete_secret = || {
        CallToolRequestParams::new("delete").with_arguments(args(json!({"object": "secret/late"})))
    };
    let refused = c.call_tool(delete_secret()).await.unwrap();
    assert_eq!(refused.is_error, Some(true));
    assert!(
        text(&refused).contains("--deny-kinds"),
        "{}",
        text(&refused)
    );
    c.cancel().await.unwrap();
    let c = client(
        &kc,
        &[
            "--allow-mutations",
            "--unconfirmed",
            "allow",
            "--deny-kinds",
            "none",
        ],
    )
    .await;
    let deleted = c.call_tool(delete_secret()).await.unwrap();
    assert_ne!(deleted.is_error, Some(true), "{}", text(&deleted));
    c.cancel().await.unwrap();
}

/// A client whose person answers the server's elicitations from a script.
#[derive(Clone, Default)]
struct AskingClient {
    answers: Arc<Mutex<Vec<bool>>>,
    asked: Arc<Mutex<Vec<String>>>,
}

impl ClientHandler for AskingClient {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::builder().enable_elicitation().build(),
            Implementation::new("asking-test-client", "1"),
        )
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        if let ElicitRequestParams::FormElicitationParams { message, .. } = request {
            self.asked.lock().unwrap().push(message);
        }
        let yes = self.answers.lock().unwrap().remove(0);
        Ok(ElicitResult::new(ElicitationAction::Accept).with_content(json!({"approve": yes})))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_is_put_to_the_clients_person_and_every_result_has_a_schema() {
    let (_sim, ctx, kc) = setup_with_kubeconfig().await;
    let person = AskingClient {
        answers: Arc::new(Mutex::new(vec![false, true])),
        ..Default::default()
    };
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_todo-ops"));
    cmd.args(["mcp", "--allow-mutations", "--kubeconfig"])
        .arg(&kc);
    let c = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        person.clone().serve(TokioChildProcess::new(cmd).unwrap()),
    )
    .await
    .expect("the MCP handshake timed out")
    .expect("MCP initialize");

    // Every tool says what its result looks like, as an object.
    let tools = c.list_all_tools().await.unwrap();
    for t in &tools {
        let schema = t
            .output_schema
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no outputSchema", t.name));
        assert_eq!(schema["type"], "object", "{}: {schema:?}", t.name);
    }
    // A list result comes wrapped as its schema says; an object result as it is.
    let events = c
        .call_tool(CallToolRequestParams::new("get_events").with_arguments(args(json!({}))))
        .await
        .unwrap();
    let structured = events.structured_content.clone().unwrap();
    assert!(structured["result"].is_array(), "{structured}");
    let pods = c
        .call_tool(CallToolRequestParams::new("list_pods").with_arguments(args(json!({}))))
        .await
        .unwrap();
    let pods_schema = tools
        .iter()
        .find(|t| t.name == "list_pods")
        .unwrap()
        .output_schema
        .clone()
        .unwrap();
    let structured = pods.structured_content.clone().unwrap();
    for key in pods_schema["required"].as_array().unwrap() {
        assert!(
            structured.get(key.as_str().unwrap()).is_some(),
            "{key} missing from {structured}"
        );
    }

    // The person says no, then yes; each time they read the change.
    let scale = |n: i32| {
        CallToolRequestParams::new("scale")
            .with_arguments(args(json!({"deployment": "todo-backend", "replicas": n})))
    };
    let declined = c.call_tool(scale(4)).await.unwrap();
    assert_eq!(declined.is_error, Some(true));
    assert!(text(&declined).contains("declined"), "{}", text(&declined));
    assert_eq!(replicas(&ctx).await, 2);
    let approved = c.call_tool(scale(3)).await.unwrap();
    assert_ne!(approved.is_error, Some(true), "{}", text(&approved));
    assert_eq!(replicas(&ctx).await, 3);
    let asked = person.asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert!(
        asked[1].contains("scale") && asked[1].contains("replicas"),
        "{}",
        asked[1]
    );
    // Reads are never asked about.
    assert!(person.answers.lock().unwrap().is_empty());
    c.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_http_a_token_is_needed_and_changes_are_still_asked() {
    use tokio::io::AsyncBufReadExt;
    let (_sim, ctx, kc) = setup_with_kubeconfig().await;
    let token = "mcp-http-test-token-5f4e3d2c1b";
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_todo-ops"))
        .args([
            "mcp",
            "--http",
            "127.0.0.1:0",
            "--allow-mutations",
            "--kubeconfig",
        ])
        .arg(&kc)
        .env("TODO_OPS_MCP_TOKEN", token)
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(server.stderr.take().unwrap()).lines();
    let url = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(url) = line.strip_prefix("serving MCP on ") {
                return url.to_string();
            }
        }
        panic!("the server ended before it listened");
    })
    .await
    .expect("the server never said where it listens");

    // No token, or a wrong one: 401 before anything else.
    let http = reqwest::Client::new();
    for auth in [None, Some("Bearer not-the-token")] {
        let mut req = http
            .post(&url)
            .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 401, "{auth:?}");
        assert!(resp.text().await.unwrap().contains("bearer token"));
    }

    let person = AskingClient {
        answers: Arc::new(Mutex::new(vec![true])),
        ..Default::default()
    };
    let transport = rmcp::transport::StreamableHttpClientTransport::with_client(
        reqwest::Client::new(),
        rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig::with_uri(url)
            .auth_header(token),
    );
    let c = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        person.clone().serve(transport),
    )
    .await
    .expect("the MCP handshake over HTTP timed out")
    .expect("MCP initialize over HTTP");
    let tools = c.list_all_tools().await.unwrap();
    assert!(tools.iter().all(|t| t.output_schema.is_some()));
    let scaled = c
        .call_tool(
            CallToolRequestParams::new("scale")
                .with_arguments(args(json!({"deployment": "todo-backend", "replicas": 3}))),
        )
        .await
        .unwrap();
    assert_ne!(scaled.is_error, Some(true), "{}", text(&scaled));
    assert_eq!(replicas(&ctx).await, 3);
    assert_eq!(person.asked.lock().unwrap().len(), 1);
    c.cancel().await.unwrap();
    server.kill().await.unwrap();
}
