//! Resilience on kubesim with real processes: under a steady stream of chat requests
//! through the frontend, backend processes are killed one at a time (always one replica
//! left Ready) and the backend is scaled 2 → 4 → 2 — no request fails and no task is lost.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use todo_e2e::chatbot as common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{Env, pods, rolled_out, setup, until};
use serde_json::{Value, json};

/// The pid of the process running `pod`, found by the HOSTNAME kubesim gives it.
fn pid_of(pod: &str) -> Option<u32> {
    let marker = format!("HOSTNAME={pod}\0");
    std::fs::read_dir("/proc")
        .ok()?
        .filter_map(|e| e.ok())
        .find_map(|e| {
            let pid: u32 = e.file_name().to_string_lossy().parse().ok()?;
            let env = std::fs::read(e.path().join("environ")).ok()?;
            String::from_utf8_lossy(&env)
                .contains(&marker)
                .then_some(pid)
        })
}

fn frontend_url(env: &Env) -> String {
    let fe = pods(env, "todo-frontend")
        .into_iter()
        .find(kubesim::controllers::replicaset::pod_ready)
        .unwrap();
    let ports: Value = serde_json::from_str(
        fe["metadata"]["annotations"]["kubesim.dev/host-ports"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    format!("http://127.0.0.1:{}", ports["3000"])
}

fn kubectl(env: &Env, args: &[&str]) {
    let ok = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&env.kubeconfig)
        .args(args)
        .status()
        .unwrap()
        .success();
    assert!(ok, "kubectl {args:?} failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kills_and_scaling_under_load_lose_nothing() {
    let env = setup().await;
    let url = frontend_url(&env);
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let r: Value = http
        .post(format!("{url}/api/auth/sign-up/email"))
        .json(&json!({"email": "load@example.com", "password": "load-test-pass"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = r["token"].as_str().unwrap().to_string();

    let stop = Arc::new(AtomicBool::new(false));
    let added = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut clients = Vec::new();
    for c in 0..2 {
        let (http, url, token, stop, added, failures) = (
            http.clone(),
            url.clone(),
            token.clone(),
            stop.clone(),
            added.clone(),
            failures.clone(),
        );
        clients.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let r = http
                    .post(format!("{url}/api/chat"))
                    .bearer_auth(&token)
                    .json(&json!({"message": format!("add load {c}-{n}")}))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == 200 => {
                        added.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(r) => {
                        let msg = format!("{}: {}", r.status(), r.text().await.unwrap_or_default());
                        failures.lock().unwrap().push(msg);
                    }
                    Err(e) => failures.lock().unwrap().push(e.to_string()),
                }
            }
        }));
    }

    // Five kills, one backend process at a time, each waiting for both replicas to be Ready.
    let started = Instant::now();
    for i in 0..5 {
        until("both backends Ready", || {
            rolled_out(&env, "todo-backend").then_some(())
        })
        .await;
        let mut backends = pods(&env, "todo-backend");
        backends.sort_by_key(|p| p["metadata"]["name"].as_str().unwrap().to_string());
        let victim = backends[i % backends.len()].clone();
        let name = victim["metadata"]["name"].as_str().unwrap().to_string();
        let restarts = victim["status"]["containerStatuses"][0]["restartCount"]
            .as_i64()
            .unwrap_or(0);
        let pid = until("the backend's process", || pid_of(&name)).await;
        assert!(
            std::process::Command::new("kill")
                .arg(pid.to_string())
                .status()
                .unwrap()
                .success()
        );
        until("the killed backend back and Ready", || {
            let p = pods(&env, "todo-backend")
                .into_iter()
                .find(|p| p["metadata"]["name"] == name.as_str())?;
            let cs = &p["status"]["containerStatuses"][0];
            (cs["restartCount"].as_i64().unwrap_or(0) > restarts && cs["ready"] == true)
                .then_some(())
        })
        .await;
    }
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "5 kills took {:?}",
        started.elapsed()
    );

    // Scale 2 → 4 → 2 with kubectl.
    kubectl(&env, &["scale", "deployment/todo-backend", "--replicas=4"]);
    kubectl(
        &env,
        &[
            "rollout",
            "status",
            "deployment/todo-backend",
            "--timeout=60s",
        ],
    );
    kubectl(&env, &["scale", "deployment/todo-backend", "--replicas=2"]);
    kubectl(
        &env,
        &[
            "rollout",
            "status",
            "deployment/todo-backend",
            "--timeout=60s",
        ],
    );
    until("two backend pods", || {
        (pods(&env, "todo-backend").len() == 2).then_some(())
    })
    .await;
    // The load goes on against the scaled-down backend before it stops.
    let after_scaling = added.load(Ordering::Relaxed);
    until("20 more tasks added after scaling down", || {
        (added.load(Ordering::Relaxed) >= after_scaling + 20).then_some(())
    })
    .await;

    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    let failures = failures.lock().unwrap().clone();
    assert!(
        failures.is_empty(),
        "{} failed requests: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    let added = added.load(Ordering::Relaxed);
    assert!(added > 50, "only {added} requests made it");
    let tasks: Vec<Value> = http
        .get(format!("{url}/api/tasks"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tasks.len(), added, "every acknowledged task is stored");
    env.sim.stop().await;
}
