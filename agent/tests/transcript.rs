//! `todo-ops chat --record` and `todo-ops replay`: a session recorded against kubesim
//! replays green on the same deployment (even with new pod names), and fails with a
//! readable diff once the cluster no longer shows what the recording saw.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chat_support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chat_support::*;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams};
use serde_json::json;
use todo_e2e::scripted_llm::{ScriptedLlm, Turn};
use todo_ops::core::transcript::read;
use todo_ops::protocol::Event as Entry;

/// Waits until `todo-backend` has `n` pods, all Ready, none of them in `not`.
async fn backend_ready(pods: &Api<Pod>, n: usize, not: &[String]) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let list = pods
            .list(&ListParams::default().labels("app.kubernetes.io/name=todo-backend"))
            .await
            .unwrap();
        let ready: Vec<String> = list
            .items
            .iter()
            .filter(|p| {
                p.status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
            })
            .filter_map(|p| p.metadata.name.clone())
            .collect();
        if ready.len() == n && list.items.len() == n && !ready.iter().any(|r| not.contains(r)) {
            return ready;
        }
        assert!(
            Instant::now() < deadline,
            "todo-backend never had {n} Ready pods: {ready:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn replay(kc: &std::path::Path, file: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_todo-ops"))
        .arg("replay")
        .arg(file)
        .arg("--kubeconfig")
        .arg(kc)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_session_replays_and_a_changed_cluster_fails_with_a_diff() {
    let (_sim, ctx, kc) = setup_with_kubeconfig().await;
    let pods: Api<Pod> = Api::namespaced(ctx.cluster.client.clone(), "default");
    let first = backend_ready(&pods, 2, &[]).await;
    let llm = std::sync::Arc::new(ScriptedLlm::start().await.unwrap());
    llm.push(Turn::tool("list_pods", json!({})));
    llm.push(Turn::tool(
        "describe",
        json!({"kind": "pod", "name": first[0]}),
    ));
    llm.push(Turn::tool(
        "helm_values",
        json!({"release": "todo-backend"}),
    ));
    // No terminal to ask on: the change is declined, and the recording says so.
    llm.push(Turn::tool(
        "scale",
        json!({"deployment": "todo-backend", "replicas": 3}),
    ));
    llm.push(Turn::text(
        "The backend runs two Ready pods; I did not scale it.",
    ));
    let file = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("transcript-{}.jsonl", std::process::id()));
    let (l2, kc2, f2) = (llm.clone(), kc.clone(), file.clone());
    let out = tokio::task::spawn_blocking(move || {
        todo_ops(
            &l2,
            &kc2,
            &[
                "-p",
                "look at the backend",
                "--record",
                f2.to_str().unwrap(),
            ],
            "",
        )
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains(PLANTED), "a secret reached the transcript");
    let entries = read(&file).unwrap();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| match e {
            Entry::Input { .. } => "input",
            Entry::ModelTurn { .. } => "model",
            Entry::Confirmation { .. } => "confirm",
            Entry::ToolResult { .. } => "result",
            other => panic!("a passing event was written to the transcript: {other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "input", "model", "result", "model", "result", "model", "result", "model", "confirm",
            "result", "model"
        ]
    );
    assert!(matches!(
        &entries[8],
        Entry::Confirmation { tool, approved: false, .. } if tool == "scale"
    ));

    // The backend pod is replaced: the recorded pod name maps onto the new one.
    pods.delete(&first[0], &DeleteParams::default())
        .await
        .unwrap();
    backend_ready(&pods, 2, &first[..1]).await;
    let (kc2, f2) = (kc.clone(), file.clone());
    let out = tokio::task::spawn_blocking(move || replay(&kc2, &f2))
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("passed, 4 tool results still hold"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(llm.remaining() == 0, "replay must not call the model");
    assert_eq!(
        replicas(&ctx).await,
        2,
        "the recorded decline holds on replay"
    );

    // Scaled to zero: the pods the recording saw are gone, and the diff says so.
    Api::<Deployment>::namespaced(ctx.cluster.client.clone(), "default")
        .patch(
            "todo-backend",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 0}})),
        )
        .await
        .unwrap();
    backend_ready(&pods, 0, &[]).await;
    let out = tokio::task::spawn_blocking(move || replay(&kc, &file))
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAILED")
            && stdout.contains("#1 list_pods")
            && stdout.contains("-    \"ready\": \"1/1\""),
        "{stdout}"
    );
}
