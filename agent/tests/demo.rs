//! `todo-ops demo --check`: kubesim, Helm install of both charts, pods Ready, and a sign-up
//! plus chat through the forwarded UI port — the README's run command, end to end.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use todo_e2e::chatbot as common;

use std::path::PathBuf;
use std::process::Command;

#[test]
fn demo_deploys_and_answers() {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_todo-ops"));
    let backend = exe.with_file_name("todo-backend");
    assert!(
        backend.is_file(),
        "{} missing: the workspace test run builds it (cargo build -p todo-app --bins)",
        backend.display()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let state = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("demo-{port}"));
    let out = Command::new(&exe)
        .args([
            "demo",
            "--check",
            "--port",
            &port.to_string(),
            "--state-dir",
        ])
        .arg(&state)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("Todo AI chatbot: http://127.0.0.1:{port}")),
        "{stdout}"
    );
    assert!(
        stdout.contains("todo-backend 2/2 ready, todo-frontend 2/2 ready"),
        "{stdout}"
    );
    assert!(
        stdout.contains("check: signed up and added a task"),
        "{stdout}"
    );
    // It broke the chatbot, diagnose named the cause, the suggested fix repaired it.
    assert!(stdout.contains("[oom-killed]"), "{stdout}");
    assert!(
        stdout.contains("applying the suggested fix: helm upgrade todo-backend"),
        "{stdout}"
    );
    assert!(stdout.contains("healthy again"), "{stdout}");
    // Stopping the demo stops its pods: no process still has this run's database in its env.
    let marker = state.join("todo.db").display().to_string();
    let leftovers: Vec<String> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .chars()
                .all(|c| c.is_ascii_digit())
        })
        .filter(|e| {
            std::fs::read(e.path().join("environ"))
                .is_ok_and(|env| String::from_utf8_lossy(&env).contains(&marker))
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        leftovers.is_empty(),
        "app processes outlived the demo: {leftovers:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sim_port_forward_reaches_the_ui() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let env = common::setup().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_todo-ops"))
        .args([
            "sim",
            "port-forward",
            "svc/todo-frontend",
            "0:3000",
            "--kubeconfig",
        ])
        .arg(&env.kubeconfig)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr = first
        .strip_prefix("Forwarding from ")
        .and_then(|l| l.split(' ').next())
        .unwrap_or_else(|| panic!("{first}"))
        .to_string();
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap();
    let page = http
        .get(format!("http://{addr}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Todo AI Chatbot"));
    let health: serde_json::Value = http
        .get(format!("http://{addr}/api/tasks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        health["error"]["code"], "unauthorized",
        "the API answers through the forward: {health}"
    );
    let _ = child.kill();
    let _ = child.wait();
    env.sim.stop().await;
}
