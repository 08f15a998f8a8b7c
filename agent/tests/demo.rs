//! `todo-ops demo --check`: kubesim, Helm install of both charts, pods Ready, and a sign-up
//! plus chat through the forwarded UI port — the README's run command, end to end.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

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
