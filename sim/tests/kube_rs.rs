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

/// The kinds charts and operators use, through kube-rs's typed Api: create, list by label,
/// patch, server-side apply, the `default` ServiceAccount, a self access review, delete.
#[tokio::test]
async fn typed_calls_on_rbac_batch_and_networking_kinds() {
    use k8s_openapi::api::authorization::v1::SelfSubjectAccessReview;
    use k8s_openapi::api::batch::v1::{CronJob, Job};
    use k8s_openapi::api::core::v1::ServiceAccount;
    use k8s_openapi::api::networking::v1::NetworkPolicy;
    use k8s_openapi::api::rbac::v1::{ClusterRole, Role, RoleBinding};
    let sim = RunningSim::start(SimConfig::default()).await.unwrap();
    let c = client(&sim).await;
    let roles: Api<Role> = Api::namespaced(c.clone(), "default");
    let role: Role = serde_json::from_value(json!({
        "metadata": {"name": "reader", "labels": {"team": "a"}},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}],
    }))
    .unwrap();
    roles.create(&PostParams::default(), &role).await.unwrap();
    let listed = roles
        .list(&ListParams::default().labels("team=a"))
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    let patched = roles
        .patch("reader", &PatchParams::default(), &Patch::Merge(json!({"rules": [{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list"]}]})))
        .await
        .unwrap();
    assert_eq!(
        patched.rules.unwrap()[0].resources.as_ref().unwrap().len(),
        2
    );
    let bindings: Api<RoleBinding> = Api::namespaced(c.clone(), "default");
    let rb: RoleBinding = serde_json::from_value(json!({
        "metadata": {"name": "bob-reads"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
        "subjects": [{"kind": "User", "name": "bob", "apiGroup": "rbac.authorization.k8s.io"}],
    }))
    .unwrap();
    bindings
        .patch(
            "bob-reads",
            &PatchParams::apply("kube-rs-test"),
            &Patch::Apply(&rb),
        )
        .await
        .unwrap();
    let view: Api<ClusterRole> = Api::all(c.clone());
    let view = view.get("view").await.unwrap();
    assert!(
        !view.rules.unwrap_or_default().is_empty(),
        "the aggregated view role has rules"
    );

    let jobs: Api<Job> = Api::namespaced(c.clone(), "default");
    let job: Job = serde_json::from_value(json!({
        "metadata": {"name": "once"},
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox:1.36"}]}}},
    }))
    .unwrap();
    let job = jobs.create(&PostParams::default(), &job).await.unwrap();
    assert_eq!(job.spec.unwrap().backoff_limit, Some(6));
    let crons: Api<CronJob> = Api::namespaced(c.clone(), "default");
    let cron: CronJob = serde_json::from_value(json!({
        "metadata": {"name": "hourly"},
        "spec": {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "busybox:1.36"}]}}}}},
    }))
    .unwrap();
    let cron = crons.create(&PostParams::default(), &cron).await.unwrap();
    assert_eq!(
        cron.spec.unwrap().concurrency_policy.as_deref(),
        Some("Allow")
    );
    let policies: Api<NetworkPolicy> = Api::namespaced(c.clone(), "default");
    let np: NetworkPolicy = serde_json::from_value(
        json!({"metadata": {"name": "deny-all"}, "spec": {"podSelector": {}}}),
    )
    .unwrap();
    let np = policies.create(&PostParams::default(), &np).await.unwrap();
    assert_eq!(
        np.spec.unwrap().policy_types,
        Some(vec!["Ingress".to_string()])
    );

    let accounts: Api<ServiceAccount> = Api::namespaced(c.clone(), "default");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while accounts.get_opt("default").await.unwrap().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "no default ServiceAccount"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let reviews: Api<SelfSubjectAccessReview> = Api::all(c.clone());
    let review: SelfSubjectAccessReview = serde_json::from_value(json!({
        "spec": {"resourceAttributes": {"verb": "delete", "resource": "nodes"}},
    }))
    .unwrap();
    let answer = reviews
        .create(&PostParams::default(), &review)
        .await
        .unwrap();
    assert!(answer.status.unwrap().allowed);

    roles
        .delete("reader", &DeleteParams::default())
        .await
        .unwrap();
    assert!(roles.get_opt("reader").await.unwrap().is_none());
}
