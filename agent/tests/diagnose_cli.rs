//! `todo-ops diagnose` as a program: exit codes, the unreachable-cluster and 403 messages,
//! and the JSON report against its checked-in schema (validated with a JSON Schema
//! validator).
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::path::{Path, PathBuf};
use std::process::Command;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kubesim::resources::DEPLOYMENT;
use kubesim::server::{RunningSim, SimConfig};
use serde_json::{Value, json};
use todo_ops_tools::cluster::ClusterTarget;

fn todo_ops(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_todo-ops"))
        .args(args)
        .env_remove("KUBECONFIG")
        .output()
        .unwrap()
}

fn tmp(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()))
}

#[test]
fn unreachable_cluster_exits_2_naming_the_server() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let kc = tmp("unreachable-kubeconfig");
    std::fs::write(
        &kc,
        format!("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:{port}\n    insecure-skip-tls-verify: true\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: t\n"),
    )
    .unwrap();
    let out = todo_ops(&["diagnose", "--kubeconfig", kc.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("127.0.0.1:{port}")) && err.contains("unreachable"),
        "{err}"
    );

    let out = todo_ops(&["diagnose", "--kubeconfig", "/nonexistent/kubeconfig"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("cannot read the kubeconfig /nonexistent/kubeconfig")
    );
}

#[tokio::test]
async fn forbidden_names_verb_and_resource() {
    let sim = RunningSim::start(SimConfig::default()).await.unwrap();
    let kc = tmp("forbidden-kubeconfig");
    sim.write_kubeconfig(&kc).unwrap();
    let viewer = ClusterTarget {
        kubeconfig: Some(kc.clone()),
        context: Some("kubesim-viewer".into()),
        namespace: None,
        ..Default::default()
    }
    .connect()
    .await
    .unwrap();
    let admin = ClusterTarget {
        kubeconfig: Some(kc),
        context: None,
        namespace: None,
        ..Default::default()
    }
    .connect()
    .await
    .unwrap();
    let cm: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "c"}, "data": {"a": "b"}})).unwrap();
    Api::<ConfigMap>::namespaced(admin.client.clone(), "default")
        .create(&PostParams::default(), &cm)
        .await
        .unwrap();
    let err = Api::<ConfigMap>::namespaced(viewer.client.clone(), "default")
        .patch(
            "c",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"a": "x"}})),
        )
        .await
        .unwrap_err();
    let msg = viewer.error(err).to_string();
    assert!(
        msg.contains("cannot patch resource \"configmaps\"") && msg.contains("kubesim-viewer"),
        "{msg}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_report_matches_its_schema() {
    // The checked-in schema is the generated one (UPDATE_SCHEMAS=1 rewrites it).
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/diagnose.schema.json");
    let generated = todo_ops_tools::diagnose::schema();
    todo_e2e::checked_in::assert_current(
        &path,
        &generated,
        "cargo nextest run -p todo-ops json_report_matches_its_schema",
    );
    let schema: Value = serde_json::from_str(&generated).unwrap();

    // A report with findings: a Deployment with one replica that may run as root.
    let sim = RunningSim::start(SimConfig::default()).await.unwrap();
    let kc = tmp("schema-kubeconfig");
    sim.write_kubeconfig(&kc).unwrap();
    sim.store
        .create(
            &DEPLOYMENT,
            "default",
            json!({"metadata": {"name": "solo"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "solo"}},
                   "template": {"metadata": {"labels": {"app": "solo"}}, "spec": {"containers": [{"name": "c", "image": "x:1"}]}}}}),
        )
        .unwrap();
    let kc2 = kc.clone();
    let out = tokio::task::spawn_blocking(move || {
        todo_ops(&[
            "diagnose",
            "--kubeconfig",
            kc2.to_str().unwrap(),
            "-o",
            "json",
        ])
    })
    .await
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    for id in [
        "single-replica",
        "missing-limits",
        "missing-probes",
        "may-run-as-root",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    todo_e2e::checked_in::validate(&schema, &report).unwrap();
    // And the validator does reject what does not fit.
    assert!(
        todo_e2e::checked_in::validate(
            &schema,
            &json!({"namespace": "default", "pods": "three", "findings": []})
        )
        .is_err()
    );

    // --resource narrows the report; markdown renders it.
    let kc3 = kc.clone();
    let out = tokio::task::spawn_blocking(move || {
        todo_ops(&[
            "diagnose",
            "--kubeconfig",
            kc3.to_str().unwrap(),
            "--resource",
            "service/none",
            "-o",
            "markdown",
        ])
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("# Diagnosis of namespace `default`"));
}
