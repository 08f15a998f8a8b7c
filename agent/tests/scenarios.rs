//! Every fault scenario on kubesim with real processes: it produces the real symptoms
//! (statuses, events, logs, failing requests) and its documented repair brings the chatbot
//! back to Ready and answering.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use kubesim::controllers::{ControllerConfig, PodRuntime, rt};
use kubesim::kubelet::images::ImageTable;
use kubesim::server::{RunningSim, SimConfig};
use serde_json::{Value, json};
use todo_ops::{deploy, scenarios};

struct Env {
    sim: RunningSim,
    kubeconfig: PathBuf,
    charts: PathBuf,
    db_url: String,
}

async fn setup() -> Env {
    let dir = PathBuf::from(env!("CARGO_BIN_EXE_todo-ops"))
        .parent()
        .unwrap()
        .to_path_buf();
    let mut images = ImageTable::default();
    for app in ["todo-backend", "todo-frontend"] {
        let bin = dir.join(app);
        assert!(
            bin.is_file(),
            "{} missing: build the app (the workspace test run does)",
            bin.display()
        );
        images.add(&format!("{app}={}", bin.display())).unwrap();
    }
    let sim = RunningSim::start(SimConfig {
        controllers: ControllerConfig {
            time_scale: 20.0,
            runtime: PodRuntime::Processes,
        },
        images,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let tmp =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("scenario-{}", sim.addr.port()));
    std::fs::create_dir_all(&tmp).unwrap();
    let kubeconfig = tmp.join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig).unwrap();
    let db_url = format!("sqlite://{}", tmp.join("todo.db").display());
    let charts = deploy::charts_dir(None).unwrap();
    deploy::install_chatbot(
        &kubeconfig,
        &charts,
        &db_url,
        json!({"config": {"databaseConnectAttempts": 1}}),
    )
    .await
    .unwrap();
    let _ = STORE.set(sim.store.clone());
    let env = Env {
        sim,
        kubeconfig,
        charts,
        db_url,
    };
    healthy(&env, "the first install").await;
    env
}

/// What the backend pods look like, for failure messages.
fn dump(store: &kubesim::store::Store) -> String {
    store
        .all(rt("", "pods"))
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

static STORE: std::sync::OnceLock<std::sync::Arc<kubesim::store::Store>> =
    std::sync::OnceLock::new();

async fn until<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(45);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; pods:\n{}",
            STORE.get().map(|s| dump(s)).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn pods(env: &Env, app: &str) -> Vec<Value> {
    env.sim
        .store
        .all(rt("", "pods"))
        .into_iter()
        .filter(|p| p["metadata"]["labels"]["app.kubernetes.io/name"] == app)
        .collect()
}

fn rolled_out(env: &Env, name: &str) -> bool {
    let Ok(d) = env
        .sim
        .store
        .get(rt("apps", "deployments"), "default", name)
    else {
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
async fn chat(env: &Env) -> (u16, String) {
    let fe = pods(env, "todo-frontend")
        .into_iter()
        .find(kubesim::controllers::replicaset::pod_ready)
        .expect("a ready frontend pod");
    let ports: Value = serde_json::from_str(
        fe["metadata"]["annotations"]["kubesim.dev/host-ports"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let url = format!("http://127.0.0.1:{}", ports["3000"]);
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let email = format!(
        "u{}@example.com",
        Instant::now().elapsed().as_nanos() ^ u128::from(std::process::id()) ^ rand_ish()
    );
    let r = http
        .post(format!("{url}/api/auth/sign-up/email"))
        .json(&json!({"email": email, "password": "scenario-pass"}))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let body = r.text().await.unwrap();
    if status != 200 {
        return (status, body);
    }
    let token = serde_json::from_str::<Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = http
        .post(format!("{url}/api/chat"))
        .bearer_auth(token)
        .json(&json!({"message": "add check the chatbot"}))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn rand_ish() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

async fn healthy(env: &Env, after: &str) {
    until(
        &format!("both Deployments rolled out after {after}"),
        || (rolled_out(env, "todo-backend") && rolled_out(env, "todo-frontend")).then_some(()),
    )
    .await;
    let (status, body) = chat(env).await;
    assert_eq!(status, 200, "chat after {after}: {body}");
    assert!(body.contains("Added task"), "{body}");
}

fn waiting(env: &Env, reason: &str) -> Option<Value> {
    pods(env, "todo-backend")
        .into_iter()
        .find(|p| p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == reason)
}

fn event(env: &Env, reason: &str, contains: &str) -> Option<Value> {
    env.sim.store.all(rt("", "events")).into_iter().find(|e| {
        e["reason"] == reason && e["message"].as_str().unwrap_or_default().contains(contains)
    })
}

fn kubectl_logs(env: &Env, pod: &str, previous: bool) -> String {
    let mut args = vec!["logs", pod];
    if previous {
        args.push("--previous");
    }
    let out = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&env.kubeconfig)
        .args(&args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn run(name: &str) {
    let env = setup().await;
    let s = scenarios::find(name).unwrap();
    scenarios::apply(s, &env.kubeconfig, &env.charts)
        .await
        .unwrap();
    match name {
        "image-tag-missing" => {
            until("ImagePullBackOff", || waiting(&env, "ImagePullBackOff")).await;
            assert!(
                event(
                    &env,
                    "Failed",
                    "Failed to pull image \"todo-backend:v9.9.9\""
                )
                .is_some()
            );
        }
        "secret-key-missing" => {
            let p = until("CreateContainerConfigError", || {
                waiting(&env, "CreateContainerConfigError")
            })
            .await;
            assert_eq!(
                p["status"]["containerStatuses"][0]["state"]["waiting"]["message"],
                "couldn't find key BETTER_AUTH_SECRET in Secret default/todo-backend-partial"
            );
        }
        "database-url-wrong" | "auth-secret-short" => {
            let p = until("a backend that exited 1", || {
                pods(&env, "todo-backend").into_iter().find(|p| {
                    p["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"] == 1
                })
            })
            .await;
            let logs = kubectl_logs(&env, p["metadata"]["name"].as_str().unwrap(), true);
            let want = if name == "database-url-wrong" {
                "could not connect to the database"
            } else {
                "BETTER_AUTH_SECRET is too short"
            };
            assert!(logs.contains(want), "{logs}");
        }
        "memory-limit-low" => {
            until("OOMKilled", || {
                pods(&env, "todo-backend").into_iter().find(|p| {
                    let t = &p["status"]["containerStatuses"][0]["lastState"]["terminated"];
                    t["reason"] == "OOMKilled" && t["exitCode"] == 137
                })
            })
            .await;
        }
        "requests-too-large" => {
            until("FailedScheduling", || {
                event(&env, "FailedScheduling", "Insufficient cpu")
            })
            .await;
            assert!(
                pods(&env, "todo-backend")
                    .iter()
                    .any(|p| p["status"]["phase"] == "Pending")
            );
        }
        "readiness-path-wrong" => {
            until("readiness failures", || {
                event(
                    &env,
                    "Unhealthy",
                    "Readiness probe failed: HTTP probe failed with statuscode: 404",
                )
            })
            .await;
            assert!(!rolled_out(&env, "todo-backend"));
        }
        "liveness-too-aggressive" => {
            until("a liveness kill", || {
                event(&env, "Killing", "failed liveness probe, will be restarted")
            })
            .await;
        }
        "service-selector-wrong" | "backend-url-wrong" | "scaled-to-zero" => {
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let (status, body) = chat(&env).await;
                if status >= 500 {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "the chat still works ({status}: {body})"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        other => panic!("no symptom check for {other}"),
    }
    scenarios::repair(s, &env.kubeconfig, &env.charts, &env.db_url)
        .await
        .unwrap();
    healthy(&env, &format!("repairing {name}")).await;
    env.sim.stop().await;
}

macro_rules! scenario_tests {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                run($name).await;
            }
        )*

        #[test]
        fn every_scenario_has_a_test() {
            let tested = [$($name),*];
            for s in scenarios::SCENARIOS {
                assert!(tested.contains(&s.name), "scenario {} has no test", s.name);
            }
        }
    };
}

scenario_tests! {
    image_tag_missing => "image-tag-missing",
    secret_key_missing => "secret-key-missing",
    database_url_wrong => "database-url-wrong",
    auth_secret_short => "auth-secret-short",
    memory_limit_low => "memory-limit-low",
    requests_too_large => "requests-too-large",
    readiness_path_wrong => "readiness-path-wrong",
    liveness_too_aggressive => "liveness-too-aggressive",
    service_selector_wrong => "service-selector-wrong",
    backend_url_wrong => "backend-url-wrong",
    scaled_to_zero => "scaled-to-zero",
}
