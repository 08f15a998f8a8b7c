//! `todo-ops sim start|status|stop` as a person runs them, checked with the real kubectl.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::path::PathBuf;
use std::process::{Command, Output};

fn todo_ops(args: &[&str], kubeconfig: &PathBuf) -> Output {
    Command::new(env!("CARGO_BIN_EXE_todo-ops"))
        .args(args)
        .env("TODO_OPS_SIM_KUBECONFIG", kubeconfig)
        .output()
        .unwrap()
}

#[test]
fn start_status_stop() {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("sim-cli-{}", std::process::id()));
    let kubeconfig = dir.join("kubesim.kubeconfig");
    let out = todo_ops(&["sim", "start", "--time-scale", "10"], &kubeconfig);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains(&format!("export KUBECONFIG={}", kubeconfig.display()))
    );

    let nodes = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args(["get", "nodes"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&nodes.stdout).contains("kubesim   Ready"),
        "{}",
        String::from_utf8_lossy(&nodes.stderr)
    );
    assert_eq!(
        todo_ops(&["sim", "status"], &kubeconfig).status.code(),
        Some(0)
    );

    let again = todo_ops(&["sim", "start"], &kubeconfig);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already running"));

    let bad = todo_ops(
        &[
            "sim",
            "start",
            "--time-scale",
            "0",
            "--kubeconfig",
            dir.join("other").to_str().unwrap(),
        ],
        &kubeconfig,
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("--time-scale must be a number greater than 0")
    );

    let pid: u32 = std::fs::read_to_string(kubeconfig.with_extension("pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(todo_ops(&["sim", "stop"], &kubeconfig).status.success());
    assert!(
        !PathBuf::from(format!("/proc/{pid}")).exists(),
        "kubesim outlived `sim stop`"
    );
    assert_eq!(
        todo_ops(&["sim", "status"], &kubeconfig).status.code(),
        Some(1)
    );
}

/// Regression: `sim start --image` mappings reach the background server.
#[test]
fn extra_images_run_in_a_started_sim() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("sim-cli-images-{}", std::process::id()));
    let kubeconfig = dir.join("kubesim.kubeconfig");
    let out = todo_ops(
        &[
            "sim",
            "start",
            "--time-scale",
            "10",
            "--image",
            "shell=/bin/sh",
        ],
        &kubeconfig,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kubectl = |args: &[&str], stdin: Option<&str>| {
        use std::io::Write;
        let mut child = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            input.write_all(s.as_bytes()).unwrap();
        }
        drop(input);
        child.wait_with_output().unwrap()
    };
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: hello}\nspec:\n  containers:\n  - name: c\n    image: shell:latest\n    imagePullPolicy: IfNotPresent\n    args: [\"-c\", \"echo hello from shell; exec sleep 60\"]\n";
    assert!(kubectl(&["apply", "-f", "-"], Some(pod)).status.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let logs = kubectl(&["logs", "hello"], None);
        if String::from_utf8_lossy(&logs.stdout).contains("hello from shell") {
            break;
        }
        let state = kubectl(&["get", "pod", "hello"], None);
        assert!(
            std::time::Instant::now() < deadline,
            "the mapped image never ran: {}",
            String::from_utf8_lossy(&state.stdout)
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(todo_ops(&["sim", "stop"], &kubeconfig).status.success());
}

/// Regression: `sim start --runtime` never reached the background server, which always ran
/// processes; `--nodes` makes a cluster of several nodes.
#[test]
fn runtime_and_nodes_reach_a_started_sim() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("sim-cli-runtime-{}", std::process::id()));
    let kubeconfig = dir.join("kubesim.kubeconfig");
    let out = todo_ops(
        &["sim", "start", "--runtime", "instant", "--nodes", "3"],
        &kubeconfig,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kubectl = |args: &[&str]| {
        let out = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let nodes = kubectl(&["get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"]);
    assert_eq!(nodes, "kubesim kubesim-m02 kubesim-m03");
    // An image nothing maps runs in the instant runtime (the process runtime cannot pull it).
    kubectl(&["run", "ghost", "--image=no-such-image:1"]);
    let ready = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args([
            "wait",
            "--for=condition=Ready",
            "pod/ghost",
            "--timeout=20s",
        ])
        .output()
        .unwrap();
    assert!(
        ready.status.success(),
        "{}",
        String::from_utf8_lossy(&ready.stderr)
    );
    assert!(todo_ops(&["sim", "stop"], &kubeconfig).status.success());
}
