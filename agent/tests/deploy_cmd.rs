//! `todo-ops deploy` / `undeploy`. Minikube cannot run here: its command construction and
//! status reading are unit-tested, a missing `minikube` is checked for its message, and
//! the flow itself runs against kubesim with `--target current`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kubesim::controllers::{ControllerConfig, PodRuntime};
use kubesim::server::{RunningSim, SimConfig};

fn todo_ops(state: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_todo-ops"));
    c.env("XDG_STATE_HOME", state).stdin(Stdio::null());
    c
}

fn text(o: &std::process::Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn without_minikube_the_error_says_how_to_get_it() {
    let empty = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("no-tools-on-path");
    std::fs::create_dir_all(&empty).unwrap();
    let out = todo_ops(&empty)
        .args(["deploy", "--target", "minikube"])
        .env("PATH", &empty)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let t = text(&out);
    assert!(
        t.contains("minikube is not installed")
            && t.contains("minikube.sigs.k8s.io")
            && t.contains("--target current"),
        "{t}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_installs_then_upgrades_in_place_and_undeploy_stops_everything() {
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
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("deploy-{}", sim.addr.port()));
    std::fs::create_dir_all(&dir).unwrap();
    let kc = dir.join("kubeconfig");
    sim.write_kubeconfig(&kc).unwrap();
    let run = |args: Vec<&'static str>| {
        let (kc, dir) = (kc.clone(), dir.clone());
        tokio::task::spawn_blocking(move || {
            todo_ops(&dir)
                .args(args)
                .arg("--kubeconfig")
                .arg(&kc)
                .output()
                .unwrap()
        })
    };
    assert!(!dir.join("todo-ops").exists());
    let out = run(vec!["deploy", "--target", "current", "--no-port-forward"])
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    // Regression: the backend's SQLite file lives in the state folder, which a fresh
    // machine does not have yet.
    assert!(
        dir.join("todo-ops").is_dir(),
        "deploy did not create the state folder"
    );
    let t = text(&out);
    assert!(
        t.contains("todo-backend: installed (revision 1)")
            && t.contains("todo-frontend: installed (revision 1)")
            && t.contains("todo-frontend: successfully rolled out"),
        "{t}"
    );
    let out = run(vec!["deploy", "--target", "current", "--no-port-forward"])
        .await
        .unwrap();
    assert!(
        out.status.success() && text(&out).contains("todo-backend: upgraded (revision 2)"),
        "{}",
        text(&out)
    );

    // Forwarding in the foreground until undeploy stops it.
    let mut child = todo_ops(&dir)
        .args([
            "deploy",
            "--target",
            "current",
            "--backend-port",
            "0",
            "--frontend-port",
            "0",
            "--kubeconfig",
        ])
        .arg(&kc)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("deploy never started forwarding: {seen:?}"));
        let done = line.starts_with("Forwarding;");
        seen.push(line);
        if done {
            break;
        }
    }
    assert!(
        seen.iter()
            .any(|l| l.starts_with("todo-frontend: http://127.0.0.1:")),
        "{seen:?}"
    );
    let out = run(vec!["undeploy"]).await.unwrap();
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(
        t.contains("stopped the port-forwards")
            && t.contains("todo-frontend: uninstalled")
            && t.contains("todo-backend: uninstalled"),
        "{t}"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "deploy kept forwarding after undeploy"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = run(vec!["undeploy"]).await.unwrap();
    assert!(
        text(&out).contains("todo-backend: not installed"),
        "{}",
        text(&out)
    );
}
