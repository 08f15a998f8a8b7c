//! A call in a second kubeconfig context: listed by list_contexts, acted on there (not in
//! the session's cluster), named in the question and in the audit log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chat_support;

use std::sync::Arc;

use chat_support::*;
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, PostParams};
use kube::config::Kubeconfig;
use kubesim::server::RunningSim;
use serde_json::json;
use todo_ops::core::approval::MutationPolicy;
use todo_ops::core::audit::{AuditLog, read};
use todo_ops::core::dispatch::{Dispatcher, SessionRules};
use todo_ops::protocol::CallStatus;

/// `second`'s kubeconfig with every entry renamed `NAME-b`, merged into `first`'s file.
fn merge_as_b(first: &std::path::Path, second: &RunningSim) -> String {
    let mut b = Kubeconfig::from_yaml(&second.kubeconfig()).unwrap();
    for c in &mut b.clusters {
        c.name = format!("{}-b", c.name);
    }
    for u in &mut b.auth_infos {
        u.name = format!("{}-b", u.name);
    }
    let mut names = Vec::new();
    for c in &mut b.contexts {
        c.name = format!("{}-b", c.name);
        names.push(c.name.clone());
        if let Some(inner) = c.context.as_mut() {
            inner.cluster = format!("{}-b", inner.cluster);
            inner.user = inner.user.as_ref().map(|u| format!("{u}-b"));
        }
    }
    let a = Kubeconfig::read_from(first).unwrap();
    let merged = a.merge(b).unwrap();
    std::fs::write(first, serde_norway::to_string(&merged).unwrap()).unwrap();
    let current = merged.current_context.unwrap();
    names
        .into_iter()
        .find(|n| *n == format!("{current}-b"))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_in_a_second_context_happens_there_and_says_so() {
    let (_sim, ctx, kc) = setup_with_kubeconfig().await;
    let second = start_sim().await;
    let other = merge_as_b(&kc, &second);
    // A Deployment only the second cluster has.
    let b_client = kube::Client::try_from(
        kube::Config::from_custom_kubeconfig(
            Kubeconfig::from_yaml(&second.kubeconfig()).unwrap(),
            &Default::default(),
        )
        .await
        .unwrap(),
    )
    .unwrap();
    let web: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "web"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}
    }))
    .unwrap();
    let b_deployments: Api<Deployment> = Api::namespaced(b_client, "default");
    b_deployments
        .create(&PostParams::default(), &web)
        .await
        .unwrap();

    // The session connects to the merged kubeconfig's current context (the first cluster).
    let target = todo_ops_tools::cluster::ClusterTarget {
        kubeconfig: Some(kc.clone()),
        namespace: Some("default".into()),
        ..Default::default()
    };
    let session_ctx = todo_ops::ops::connect::tool_context(&target, None)
        .await
        .unwrap();
    let path = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("audit-contexts-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let d = Dispatcher {
        ctx: session_ctx,
        policy: MutationPolicy::Ask,
        rules: SessionRules {
            audit: Some(Arc::new(AuditLog::open(&path, "s-ctx").unwrap())),
            ..Default::default()
        },
    };
    let person = Person::answering(&[true]);
    let listed = d
        .dispatch(&call("1", "list_contexts", json!({})), &person)
        .await
        .unwrap();
    assert!(listed.content.contains(&other), "{}", listed.content);
    assert!(
        listed
            .content
            .lines()
            .any(|l| l.starts_with("* ") && !l.contains(&other)),
        "the session's context is marked: {}",
        listed.content
    );
    // The first cluster has no "web"; the second does, and is scaled there.
    let here = d
        .dispatch(&call("2", "list_deployments", json!({})), &person)
        .await
        .unwrap();
    assert!(!here.content.contains("web "), "{}", here.content);
    let r = d
        .dispatch(
            &call(
                "3",
                "scale",
                json!({"deployment": "web", "replicas": 3, "context": other}),
            ),
            &person,
        )
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Done, "{}", r.content);
    assert_eq!(
        b_deployments
            .get("web")
            .await
            .unwrap()
            .spec
            .unwrap()
            .replicas,
        Some(3)
    );
    assert_eq!(
        replicas(&ctx).await,
        2,
        "the session's cluster is untouched"
    );
    let shown = person.shown();
    assert_eq!(shown[0].context.as_deref(), Some(other.as_str()));
    assert!(
        todo_ops::commands::terminal::render_preview(&shown[0])
            .contains(&format!("(context {other})")),
        "the question names the context"
    );
    // A context the kubeconfig lacks goes back to the model with the way out.
    let r = d
        .dispatch(
            &call("4", "list_pods", json!({"context": "nowhere"})),
            &person,
        )
        .await
        .unwrap();
    assert_eq!(r.status, CallStatus::Failed);
    assert!(
        r.content.contains("nowhere") && r.content.contains("list_contexts"),
        "{}",
        r.content
    );

    let log = read(&path).unwrap();
    let scaled = log.entries.iter().find(|e| e.tool == "scale").unwrap();
    assert_eq!(scaled.context, other);
    assert_eq!(scaled.arguments["context"], other.as_str());
    assert!(
        scaled.changed[0].before.is_some() && scaled.changed[0].after != scaled.changed[0].before
    );
    let listed = log
        .entries
        .iter()
        .find(|e| e.tool == "list_deployments")
        .unwrap();
    assert_ne!(listed.context, other);
    let _ = std::fs::remove_file(path);
}
