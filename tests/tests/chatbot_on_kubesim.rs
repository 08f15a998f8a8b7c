//! The chatbot deployed by the real Helm SDK into kubesim with pods as real processes:
//! both charts Ready, a chat round trip through the frontend and the service proxy, logs
//! through `kubectl logs`, and the failure modes the agent will diagnose.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use kubesim::controllers::{ControllerConfig, PodRuntime};
use kubesim::kubelet::images::ImageTable;
use kubesim::resources::{DEPLOYMENT, POD};
use kubesim::server::{RunningSim, SimConfig};
use serde_json::{Value, json};
use todo_ops_tools::helm::{self, ActionOptions, Chart, ClusterOptions, HelmClient};

fn bin(name: &str) -> PathBuf {
    // target/debug/deps/<test> → target/debug/<bin>
    let dir = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let p = dir.join(name);
    assert!(
        p.is_file(),
        "{} is missing: build the app first (`cargo build -p todo-app --bins`; scripts/test builds the whole workspace)",
        p.display()
    );
    p
}

async fn sim() -> (RunningSim, PathBuf) {
    let mut images = ImageTable::default();
    for app in ["todo-backend", "todo-frontend"] {
        images.add_built(app, &bin(app));
    }
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
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("e2e-{}", sim.addr.port()));
    sim.write_kubeconfig(&kubeconfig).unwrap();
    (sim, kubeconfig)
}

fn kubectl(kubeconfig: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

use todo_e2e::wait::until;

fn chart_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../charts")
        .join(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helm_installs_the_chatbot_and_it_answers() {
    let (sim, kubeconfig) = sim().await;
    let db = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("e2e-{}.db", sim.addr.port()));
    let _ = std::fs::remove_file(&db);
    let client = Arc::new(
        HelmClient::new(&ClusterOptions {
            kubeconfig_path: Some(kubeconfig.clone()),
            namespace: Some("default".into()),
            ..Default::default()
        })
        .unwrap(),
    );
    let wait = ActionOptions {
        wait: Some("watcher".into()),
        timeout_secs: Some(90),
        ..Default::default()
    };
    for (chart, values) in [
        (
            "todo-backend",
            // The SQLite file's folder is mounted into the pod (the chart's /tmp is a volume
            // of its own, which would hide a checkout under /tmp).
            json!({"image": {"pullPolicy": "Never"}, "secrets": {"databaseUrl": format!("sqlite://{}", db.display())},
                   "sqliteHostPath": db.parent().unwrap().display().to_string()}),
        ),
        ("todo-frontend", json!({"image": {"pullPolicy": "Never"}})),
    ] {
        let (c, w) = (client.clone(), wait.clone());
        let ch = Chart::load(chart_dir(chart)).unwrap();
        helm::blocking("install", move || c.install(&ch, chart, &values, &w))
            .await
            .unwrap();
    }
    for name in ["todo-backend", "todo-frontend"] {
        let d = sim.store.get(&DEPLOYMENT, "default", name).unwrap();
        assert_eq!(d["status"]["readyReplicas"], 2, "{name}");
    }

    // The frontend Service forwarded to a local port; /api goes on to a backend pod through
    // the cluster network.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let _forward = kubesim::port_forward::forward_service(
        sim.store.clone(),
        sim.network.clone(),
        "default".into(),
        "todo-frontend".into(),
        3000,
        listener,
    );
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let r: Value = http
        .post(format!("{url}/api/auth/sign-up/email"))
        .json(&json!({"email": "sim@example.com", "password": "kubesim-pass"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = r["token"].as_str().unwrap().to_string();
    for (msg, check) in [
        ("add buy milk", "Added task"),
        ("what's on my list", "buy milk"),
        ("mark the milk task as done", "as done"),
        ("rename task 1 to buy oat milk", "buy oat milk"),
        ("delete task 1", "Deleted task"),
    ] {
        let r: Value = http
            .post(format!("{url}/api/chat"))
            .bearer_auth(&token)
            .json(&json!({"message": msg}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            r["reply"].as_str().unwrap_or_default().contains(check),
            "{msg}: {r}"
        );
    }

    // The same in headless Chromium, through the frontend pod.
    let profile = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("chrome-kubesim-{}", sim.addr.port()));
    let b = todo_e2e::browser::start(profile).await;
    let shots = todo_e2e::browser::screenshot_dir(env!("CARGO_TARGET_TMPDIR"));
    todo_e2e::browser::todo_flow(&b.client, &url, "browser@example.com", &shots, "kubesim").await;
    b.client.clone().close().await.unwrap();

    // kubectl logs shows the app's own lines.
    let pods = sim.store.all(&POD);
    let backend = pods
        .iter()
        .find(|p| p["metadata"]["labels"]["app.kubernetes.io/name"] == "todo-backend")
        .unwrap();
    let name = backend["metadata"]["name"].as_str().unwrap();
    let (ok, out, err) = kubectl(&kubeconfig, &["logs", name, "--tail=20"]);
    assert!(ok, "{err}");
    assert!(out.contains("todo-backend listening"), "{out}");
    sim.stop().await;
}

const CRASHING: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: crashy}
spec:
  replicas: 1
  selector: {matchLabels: {app: crashy}}
  template:
    metadata: {labels: {app: crashy}}
    spec:
      containers:
      - name: backend
        image: todo-backend:latest
        env:
        - {name: DATABASE_URL, value: "sqlite:///tmp/crashy.db"}
        - {name: BETTER_AUTH_SECRET, value: "too-short"}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_show_real_symptoms() {
    let (sim, kubeconfig) = sim().await;
    let pods_rt = &POD;
    let apply = |yaml: &str| {
        let mut child = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["apply", "-f", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(yaml.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success());
    };

    // A bad setting: the process exits 1, restarts with back-off, kubectl logs --previous shows why.
    apply(CRASHING);
    let name = until("CrashLoopBackOff", Duration::from_secs(30), || {
        sim.store.all(pods_rt).into_iter().find(|p| {
            p["metadata"]["labels"]["app"] == "crashy"
                && p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"]
                    == "CrashLoopBackOff"
        })
    })
    .await;
    let cs = &name["status"]["containerStatuses"][0];
    assert_eq!(cs["lastState"]["terminated"]["exitCode"], 1);
    assert_eq!(cs["lastState"]["terminated"]["reason"], "Error");
    let pod = name["metadata"]["name"].as_str().unwrap().to_string();
    let (_, table, _) = kubectl(&kubeconfig, &["get", "pod", &pod]);
    assert!(table.contains("CrashLoopBackOff"), "{table}");
    let (ok, prev, err) = kubectl(&kubeconfig, &["logs", &pod, "--previous"]);
    assert!(ok, "{err}");
    assert!(prev.contains("BETTER_AUTH_SECRET is too short"), "{prev}");
    let (_, events, _) = kubectl(
        &kubeconfig,
        &[
            "get",
            "events",
            "--field-selector",
            &format!("involvedObject.name={pod}"),
        ],
    );
    assert!(
        events.contains("BackOff")
            && events.contains("Back-off restarting failed container backend"),
        "{events}"
    );

    // An image that is not in the table: ErrImagePull then ImagePullBackOff.
    apply(
        &CRASHING
            .replace("crashy", "noimage")
            .replace("todo-backend:latest", "todo-backend:v9.9.9"),
    );
    until("ImagePullBackOff", Duration::from_secs(30), || {
        sim.store.all(pods_rt).into_iter().find(|p| {
            p["metadata"]["labels"]["app"] == "noimage"
                && p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"]
                    == "ImagePullBackOff"
        })
    })
    .await;

    // A Secret that does not exist: CreateContainerConfigError with the kubelet's message.
    let missing = CRASHING
        .replace("crashy", "nosecret")
        .replace(r#"- {name: BETTER_AUTH_SECRET, value: "too-short"}"#, "- {name: BETTER_AUTH_SECRET, valueFrom: {secretKeyRef: {name: app-secrets, key: BETTER_AUTH_SECRET}}}");
    apply(&missing);
    let p = until(
        "CreateContainerConfigError",
        Duration::from_secs(30),
        || {
            sim.store.all(pods_rt).into_iter().find(|p| {
                p["metadata"]["labels"]["app"] == "nosecret"
                    && p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"]
                        == "CreateContainerConfigError"
            })
        },
    )
    .await;
    assert_eq!(
        p["status"]["containerStatuses"][0]["state"]["waiting"]["message"],
        "secret \"app-secrets\" not found"
    );

    // Deleting the Deployments stops every process.
    for d in ["crashy", "noimage", "nosecret"] {
        assert!(kubectl(&kubeconfig, &["delete", "deployment", d]).0);
    }
    sim.stop().await;
}
