//! `scripts/k8s-ai-bench-agent` driven exactly as k8s-ai-bench's harness drives an agent
//! binary (its eval.go, runAgent): the same flags in the same order, the prompt written on
//! stdin and closed, exit 0 required, and the answer graded after the last "Running:" line.
//! The Go harness itself cannot be built here, so this replays its protocol.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use kubesim::controllers::{ControllerConfig, PodRuntime};
use kubesim::server::{RunningSim, SimConfig};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn kubectl(kc: &Path, args: &[&str]) -> String {
    let out = Command::new(todo_e2e::kubectl::program("kubectl"))
        .arg("--kubeconfig")
        .arg(kc)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The harness's command line (eval.go:573-582) with our script as the agent binary.
fn harness_run(kc: &Path, trace: &Path, prompt: &str, extra: &[&str]) -> (i32, String) {
    let mut child = Command::new(repo().join("scripts/k8s-ai-bench-agent"))
        .arg("--kubeconfig")
        .arg(kc)
        .args(["--llm-provider", "offline"])
        .arg("--enable-tool-use-shim=false")
        .arg("--quiet=true")
        .args(["--model", "offline"])
        .arg("--trace-path")
        .arg(trace)
        .args(["--skip-permissions", "--show-tool-output"])
        .args(extra)
        .env("KUBECONFIG", kc)
        .env("TODO_OPS_BIN", env!("CARGO_BIN_EXE_todo-ops"))
        .env(
            "XDG_STATE_HOME",
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-agent-state"),
        )
        .env_remove("OPENAI_API_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The whole prompt and a newline, then end of input, as the harness's writer does.
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(prompt.as_bytes()).unwrap();
    stdin.write_all(b"\n").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// What the harness grades: the text after the line holding the last "Running:".
fn graded(stdout: &str) -> &str {
    match stdout.rfind("Running:") {
        Some(at) => {
            let rest = &stdout[at..];
            rest.find('\n').map_or("", |nl| &rest[nl + 1..])
        }
        None => stdout,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_harness_protocol_drives_a_change_and_grades_the_answer() {
    let sim = RunningSim::start(SimConfig {
        controllers: ControllerConfig {
            time_scale: 20.0,
            runtime: PodRuntime::Instant,
            ..Default::default()
        },
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-agent-{}", sim.addr.port()));
    std::fs::create_dir_all(&dir).unwrap();
    let kc = dir.join("kubeconfig");
    sim.write_kubeconfig(&kc).unwrap();
    let trace = dir.join("task/trace.yaml");
    let (code, out) = tokio::task::spawn_blocking(move || {
        kubectl(&kc, &["create", "namespace", "load-test"]);
        kubectl(
            &kc,
            &[
                "-n",
                "load-test",
                "create",
                "deployment",
                "api",
                "--image=busybox:1.36",
                "--",
                "sleep",
                "3600",
            ],
        );
        let (code, out) = harness_run(
            &kc,
            &trace,
            "Traffic is up: give the api deployment in load-test twice the replicas it has.",
            &[],
        );
        let replicas = kubectl(
            &kc,
            &[
                "-n",
                "load-test",
                "get",
                "deployment",
                "api",
                "-o",
                "jsonpath={.spec.replicas}",
            ],
        );
        assert_eq!(replicas, "2", "{out}");
        assert!(trace.is_file(), "the trace path got the session");
        (code, out)
    })
    .await
    .unwrap();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.matches("Running: ").count() >= 4,
        "each tool call is marked: {out}"
    );
    let answer = graded(&out);
    assert!(
        answer.contains("from 1 to 2 replicas"),
        "graded text: {answer:?}\n{out}"
    );
    assert!(!answer.contains("Running:"), "{answer}");
}

#[test]
fn a_flag_the_harness_never_sends_is_named() {
    let out = Command::new(repo().join("scripts/k8s-ai-bench-agent"))
        .arg("--frobnicate")
        .env("TODO_OPS_BIN", env!("CARGO_BIN_EXE_todo-ops"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown flag --frobnicate"), "{err}");
}
