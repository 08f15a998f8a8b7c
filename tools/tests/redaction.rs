//! A planted Secret value must not appear in any diagnose output, even when the app prints
//! it into its own log and the log ends up in the evidence.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use kubesim::controllers::{ControllerConfig, PodRuntime};
use kubesim::kubelet::images::ImageTable;
use kubesim::resources::{DEPLOYMENT, POD, SECRET};
use kubesim::server::{RunningSim, SimConfig};
use serde_json::json;
use todo_ops_tools::cluster::ClusterTarget;
use todo_ops_tools::diagnose::diagnose;

const PLANTED: &str = "planted-Secret-value-8d1f0c";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_values_never_leave_the_tool() {
    let mut images = ImageTable::default();
    images.add("leaky-shell=/bin/sh").unwrap();
    let sim = RunningSim::start(SimConfig {
        controllers: ControllerConfig {
            time_scale: 20.0,
            runtime: PodRuntime::Processes,
            ..Default::default()
        },
        images,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let kubeconfig =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("redaction-{}", sim.addr.port()));
    sim.write_kubeconfig(&kubeconfig).unwrap();
    let store = sim.store.clone();
    // base64(PLANTED)
    let encoded = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(PLANTED)
    };
    store
        .create(
            &SECRET,
            "default",
            json!({"metadata": {"name": "leaky"}, "data": {"API_KEY": encoded}}),
        )
        .unwrap();
    store
        .create(
            &DEPLOYMENT,
            "default",
            json!({
                "metadata": {"name": "leaky"},
                "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "leaky"}}, "template": {"metadata": {"labels": {"app": "leaky"}}, "spec": {"containers": [{
                    "name": "app", "image": "leaky-shell:latest",
                    "args": ["-c", "echo \"ERROR: starting with key $API_KEY failed\"; exit 3"],
                    "env": [{"name": "API_KEY", "valueFrom": {"secretKeyRef": {"name": "leaky", "key": "API_KEY"}}}],
                }]}}}
            }),
        )
        .unwrap();
    let cluster = ClusterTarget {
        kubeconfig: Some(kubeconfig),
        context: None,
        namespace: Some("default".into()),
        ..Default::default()
    }
    .connect()
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let d = loop {
        let d = diagnose(&cluster).await.unwrap();
        if d.findings.iter().any(|f| {
            f.id == "crash-loop" && f.evidence.iter().any(|e| e.contains("starting with key"))
        }) {
            break d;
        }
        assert!(
            Instant::now() < deadline,
            "no crash-loop finding with the log line: {:#?}",
            d.findings
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let json = serde_json::to_string(&d).unwrap();
    assert!(
        json.contains("[REDACTED]"),
        "the log line should be there, masked: {json}"
    );
    assert!(!json.contains(PLANTED), "the secret leaked: {json}");
    // The app really did print it: the raw pod log (not a tool output) has it.
    let pod = store
        .all(&POD)
        .into_iter()
        .find(|p| p["metadata"]["labels"]["app"] == "leaky")
        .unwrap();
    // The container restarts at once: its current instance may not have printed yet, so
    // the previous one is read too.
    let raw_log = |previous: bool| {
        let out = std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(
                PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
                    .join(format!("redaction-{}", sim.addr.port())),
            )
            .args(["logs", pod["metadata"]["name"].as_str().unwrap()])
            .args(previous.then_some("--previous"))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(
        raw_log(false).contains(PLANTED) || raw_log(true).contains(PLANTED),
        "the planted value must be in the raw log for this test to mean anything"
    );
    sim.stop().await;
}
