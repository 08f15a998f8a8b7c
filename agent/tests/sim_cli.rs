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
