//! kubesim judged by kube-rs: typed Api calls, a watcher and `await_condition`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::path::PathBuf;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::wait::{await_condition, conditions};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, Config};
use kubesim::server::{RunningSim, SimConfig};
use serde_json::json;

async fn client(sim: &RunningSim) -> Client {
    let path =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("kube-rs-{}", sim.addr.port()));
    sim.write_kubeconfig(&path).unwrap();
    let kc = Kubeconfig::read_from(&path).unwrap();
    let cfg = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .unwrap();
    Client::try_from(cfg).unwrap()
}

fn configmap(name: &str, tier: &str) -> ConfigMap {
    serde_json::from_value(
        json!({"metadata": {"name": name, "labels": {"tier": tier}}, "data": {"k": "v"}}),
    )
    .unwrap()
}

#[tokio::test]
async fn typed_api_calls() {
    let sim = RunningSim::start(SimConfig::default()).await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(client(&sim).await, "default");
    cms.create(&PostParams::default(), &configmap("a", "backend"))
        .await
        .unwrap();
    cms.create(&PostParams::default(), &configmap("b", "frontend"))
        .await
        .unwrap();
    let err = cms
        .create(&PostParams::default(), &configmap("a", "backend"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 409 && s.reason == "AlreadyExists"),
        "{err:?}"
    );

    let back = cms
        .list(&ListParams::default().labels("tier=backend"))
        .await
        .unwrap();
    assert_eq!(back.items.len(), 1);
    let by_name = cms
        .list(&ListParams::default().fields("metadata.name=b"))
        .await
        .unwrap();
    assert_eq!(by_name.items[0].metadata.name.as_deref(), Some("b"));

    let patched = cms
        .patch(
            "a",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"k": "w"}})),
        )
        .await
        .unwrap();
    assert_eq!(patched.data.unwrap()["k"], "w");

    // Optimistic concurrency: a replace with a stale resourceVersion is a 409 Conflict.
    let mut stale = cms.get("b").await.unwrap();
    cms.patch(
        "b",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"k": "x"}})),
    )
    .await
    .unwrap();
    stale.data = Some([("k".to_string(), "y".to_string())].into());
    let err = cms
        .replace("b", &PostParams::default(), &stale)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 409 && s.reason == "Conflict"),
        "{err:?}"
    );

    cms.delete("a", &DeleteParams::default()).await.unwrap();
    let err = cms.get("a").await.unwrap_err();
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 404),
        "{err:?}"
    );
}

#[tokio::test]
async fn watcher_and_await_condition() {
    let sim = RunningSim::start(SimConfig::default()).await.unwrap();
    let client = client(&sim).await;
    let deploys: Api<Deployment> = Api::namespaced(client.clone(), "default");

    // A watcher started before the Deployment sees it appear.
    let mut names = watcher(deploys.clone(), watcher::Config::default())
        .applied_objects()
        .boxed();
    let d: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}
    }))
    .unwrap();
    deploys.create(&PostParams::default(), &d).await.unwrap();
    let seen = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(ev) = names.next().await {
            if ev.unwrap().metadata.name.as_deref() == Some("web") {
                return true;
            }
        }
        false
    })
    .await
    .unwrap();
    assert!(seen);

    // await_condition on a real readiness condition the controllers produce.
    let available = tokio::time::timeout(
        Duration::from_secs(20),
        await_condition(
            deploys.clone(),
            "web",
            conditions::is_deployment_completed(),
        ),
    )
    .await
    .expect("deployment did not complete within 20 s")
    .unwrap()
    .unwrap();
    assert_eq!(available.status.unwrap().available_replicas, Some(2));
}
