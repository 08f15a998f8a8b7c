//! The chatbot on kubesim, for end-to-end tests: the app as real processes (the
//! `todo-backend` and `todo-frontend` binaries built beside the test), installed by the
//! Helm SDK, its UI forwarded to localhost, and the checks that it is healthy.
#![allow(clippy::unwrap_used, clippy::expect_used)] // A fixture fails loudly by design.

use std::path::PathBuf;
use std::time::Duration;

use kubesim::controllers::{ControllerConfig, PodRuntime};
use kubesim::resources::{DEPLOYMENT, POD};
use kubesim::server::{RunningSim, SimConfig};
use serde_json::{Value, json};
use todo_ops::ops::install;

/// A running kubesim with the chatbot installed.
pub struct Env {
    pub sim: RunningSim,
    pub kubeconfig: PathBuf,
    pub charts: PathBuf,
    pub db_url: String,
    /// The frontend Service forwarded to localhost (a ready pod per connection).
    pub ui: String,
}

/// Starts kubesim (20× time) and installs the chatbot with SQLite and one database attempt;
/// returns once both Deployments are rolled out and a chat works.
pub async fn setup() -> Env {
    let images = install::app_images()
        .expect("the app binaries beside the test (the workspace test run builds them)");
    let sim = RunningSim::start(SimConfig {
        controllers: ControllerConfig {
            time_scale: 20.0,
            runtime: PodRuntime::Processes,
            ..Default::default()
        },
        images,
        // On the pod network a backend pod started by a rollout sometimes cannot open the
        // shared SQLite file (SQLITE_CANTOPEN) for its first requests; until that is found,
        // the repair tests run the chatbot on this machine's network (`--host-network`).
        pod_network: false,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let tmp = crate::scratch_dir().join(format!(
        "todo-e2e-chatbot-{}-{}",
        std::process::id(),
        sim.addr.port()
    ));
    std::fs::create_dir_all(&tmp).unwrap();
    let kubeconfig = tmp.join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig).unwrap();
    let db_url = format!("sqlite://{}", tmp.join("todo.db").display());
    let charts = install::charts_dir(None).unwrap();
    install::install_chatbot(
        &kubeconfig,
        &charts,
        &db_url,
        json!({"config": {"databaseConnectAttempts": 1}}),
    )
    .await
    .unwrap();
    let _ = STORE.set(sim.store.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ui = format!("http://{}", listener.local_addr().unwrap());
    // The forwarder task lives as long as the test's runtime.
    let _forward = kubesim::port_forward::forward_service(
        sim.store.clone(),
        sim.network.clone(),
        "default".into(),
        "todo-frontend".into(),
        3000,
        listener,
    );
    let env = Env {
        sim,
        kubeconfig,
        charts,
        db_url,
        ui,
    };
    healthy(&env, "the first install").await;
    env
}

/// What the backend pods look like, for failure messages.
pub fn dump(store: &kubesim::store::Store) -> String {
    store
        .all(&POD)
        .iter()
        .map(|p| {
            format!(
                "{} {} {}",
                p["metadata"]["name"], p["status"]["phase"], p["status"]["containerStatuses"]
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The store of the last environment set up, for failure messages.
pub static STORE: std::sync::OnceLock<std::sync::Arc<kubesim::store::Store>> =
    std::sync::OnceLock::new();

/// Polls `f` for up to 45 s; on timeout the failure shows every pod's state.
pub async fn until<T>(what: &str, f: impl FnMut() -> Option<T>) -> T {
    let timeout = Duration::from_secs(45);
    match crate::wait::poll(timeout, f).await {
        Some(v) => v,
        None => panic!(
            "timed out after {timeout:?} waiting for {what}; pods:\n{}",
            STORE.get().map(|s| dump(s)).unwrap_or_default()
        ),
    }
}

/// The pods of app `app` (its `app.kubernetes.io/name`).
pub fn pods(env: &Env, app: &str) -> Vec<Value> {
    env.sim
        .store
        .all(&POD)
        .into_iter()
        .filter(|p| p["metadata"]["labels"]["app.kubernetes.io/name"] == app)
        .collect()
}

/// Whether Deployment `name` is fully rolled out.
pub fn rolled_out(env: &Env, name: &str) -> bool {
    let Ok(d) = env.sim.store.get(&DEPLOYMENT, "default", name) else {
        return false;
    };
    let want = d["spec"]["replicas"].as_i64().unwrap_or(0);
    let s = &d["status"];
    want > 0
        && s["observedGeneration"] == d["metadata"]["generation"]
        && s["updatedReplicas"].as_i64() == Some(want)
        && s["readyReplicas"].as_i64() == Some(want)
        && s["replicas"].as_i64() == Some(want)
}

/// A chat through a ready frontend pod's own port; the HTTP status and body.
pub async fn chat(env: &Env) -> (u16, String) {
    // Through the Service, one connection per request, as a browser behind a port-forward.
    let http = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let url = &env.ui;
    let email = format!("u{}@example.com", rand_ish());
    let r = match http
        .post(format!("{url}/api/auth/sign-up/email"))
        .json(&json!({"email": email, "password": "scenario-pass"}))
        .send()
        .await
    {
        Ok(r) => r,
        Err(e) => return (0, e.to_string()),
    };
    let status = r.status().as_u16();
    let body = r.text().await.unwrap_or_default();
    if status != 200 {
        return (status, body);
    }
    let token = serde_json::from_str::<Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    match http
        .post(format!("{url}/api/chat"))
        .bearer_auth(token)
        .json(&json!({"message": "add check the chatbot"}))
        .send()
        .await
    {
        Ok(r) => (r.status().as_u16(), r.text().await.unwrap_or_default()),
        Err(e) => (0, e.to_string()),
    }
}

/// A number unlikely to repeat, for unique names.
pub fn rand_ish() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// Waits for both Deployments to roll out, then checks that a chat works.
pub async fn healthy(env: &Env, after: &str) {
    until(
        &format!("both Deployments rolled out after {after}"),
        || (rolled_out(env, "todo-backend") && rolled_out(env, "todo-frontend")).then_some(()),
    )
    .await;
    let (status, body) = chat(env).await;
    if status != 200 {
        // What the backends said, for the failure message.
        let logs = std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&env.kubeconfig)
            .args([
                "logs",
                "-l",
                "app.kubernetes.io/part-of=todo-chatbot",
                "--prefix",
                "--tail=15",
            ])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        panic!("chat after {after}: {status} {body}\nbackend logs:\n{logs}");
    }
    assert!(body.contains("Added task"), "{body}");
}
