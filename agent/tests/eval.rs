//! `todo-ops eval` end to end: the task suite passes with the offline planner and with the
//! recorded good runs, and an agent that does nothing fails its task with the reason.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use serde_json::Value;
use todo_e2e::scripted_llm::{ScriptedLlm, Turn};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

async fn eval(args: Vec<String>, env: Vec<(&'static str, String)>) -> (Option<i32>, Value, String) {
    let state = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("eval-state");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_todo-ops"))
            .arg("eval")
            .args(args)
            .args(["--time-scale", "20", "-o", "json"])
            .current_dir(repo())
            .env("XDG_STATE_HOME", state)
            .env_remove("OPENAI_API_KEY")
            .env_remove("OPENAI_MODEL")
            .envs(env)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON report ({e}): {stderr}"));
    (out.status.code(), report, stderr)
}

fn summary(report: &Value) -> Vec<(String, bool)> {
    report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let passed = t["runs"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["passed"] == true);
            (t["task"].as_str().unwrap().to_string(), passed)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_passes_with_the_offline_planner() {
    let (code, report, stderr) = eval(vec!["--offline".into()], vec![]).await;
    let tasks = summary(&report);
    assert!(tasks.len() >= 15, "{tasks:?}");
    assert!(tasks.iter().all(|(_, p)| *p), "{tasks:?}\n{stderr}");
    assert_eq!(code, Some(0));
    assert_eq!(report["brain"], "offline planner");
    let calls: Vec<u64> = report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["runs"][0]["model_calls"].as_u64().unwrap())
        .collect();
    assert!(calls.iter().all(|c| *c >= 2), "{calls:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_passes_with_the_recorded_good_runs() {
    let (code, report, stderr) =
        eval(vec!["--replays".into(), "tests/replays".into()], vec![]).await;
    let tasks = summary(&report);
    assert_eq!(tasks.len(), 11, "one recorded run per scenario: {tasks:?}");
    assert!(tasks.iter().all(|(_, p)| *p), "{tasks:?}\n{stderr}");
    assert_eq!(code, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_that_only_talks_fails_with_the_reason() {
    let llm = ScriptedLlm::start().await.unwrap();
    llm.push(Turn::text("Everything looks fine to me."));
    let (code, report, stderr) = eval(
        vec![
            "--tasks".into(),
            "scaled-to-zero".into(),
            "--model".into(),
            "scripted-1".into(),
            "--timeout-secs".into(),
            "2".into(),
        ],
        vec![
            ("OPENAI_API_KEY", "sk-test".into()),
            ("OPENAI_BASE_URL", llm.base_url.clone()),
        ],
    )
    .await;
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(report["brain"], "model scripted-1");
    let run = &report["tasks"][0]["runs"][0];
    assert_eq!(run["passed"], false);
    assert_eq!(run["model_calls"], 1);
    assert_eq!(
        run["tokens"], 15,
        "the server's usage: 10 prompt + 5 completion tokens"
    );
    let failures = run["failures"].to_string();
    assert!(
        failures.contains("diagnose still reports scaled-to-zero")
            && failures.contains("todo-backend has Some(0) replicas, not 2"),
        "{failures}"
    );
}
