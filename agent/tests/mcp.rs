//! `todo-ops mcp` driven by a real rmcp client over stdio against kubesim: reads always,
//! changes only with --allow-mutations, secrets masked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chat_support;

use chat_support::*;
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, CallToolResult, ClientConfig};
use rmcp::transport::TokioChildProcess;
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

    let c = client(&kc, &["--allow-mutations"]).await;
    let scaled = c
        .call_tool(
            CallToolRequestParams::new("scale")
                .with_arguments(args(json!({"deployment": "todo-backend", "replicas": 3}))),
        )
        .await
        .unwrap();
    assert_ne!(scaled.is_error, Some(true), "{}", text(&scaled));
    assert_eq!(replicas(&ctx).await, 3);
    c.cancel().await.unwrap();
}
