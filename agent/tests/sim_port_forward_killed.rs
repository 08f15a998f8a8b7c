//! Regression: killing a `kubectl port-forward` client (SIGTERM, SIGKILL: what `timeout`,
//! a CI cancel or an IDE's stop button do) while data flows must not stop the kubesim
//! server that `todo-ops sim start` runs, nor its pods. It used to die of SIGPIPE (141).
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// Streams bytes to every client until it hangs up.
const SERVER: &str = r#"
import os, socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 9000)); s.listen(8)
def feed(c):
    chunk = b"x" * 65536
    try:
        while True: c.sendall(chunk)
    except OSError: c.close()
while True:
    c, _ = s.accept(); threading.Thread(target=feed, args=(c,), daemon=True).start()
"#;

fn kubectl(kubeconfig: &Path, args: &[&str]) -> Output {
    Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .output()
        .unwrap()
}

fn until(what: &str, ok: impl FnMut() -> bool) {
    todo_e2e::wait::until_blocking(what, Duration::from_secs(30), ok);
}

/// Starts `kubectl port-forward` and returns it with the local port it listens on.
fn forward(kubeconfig: &Path) -> (Child, u16) {
    todo_e2e::kubectl::port_forward(kubeconfig, "pod/stream", 9000).unwrap()
}

/// Reads at least `n` bytes of the pod's stream through the forward; None when the
/// forward closes first (the pod was not listening yet).
fn read_some(port: u16, n: usize) -> Option<TcpStream> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut buf = vec![0u8; 65536];
    let mut got = 0;
    while got < n {
        let k = s.read(&mut buf).ok()?;
        if k == 0 {
            return None;
        }
        got += k;
    }
    Some(s)
}

/// Stops the background kubesim however the test ends.
struct Stop(PathBuf);

impl Drop for Stop {
    fn drop(&mut self) {
        let _ = Command::new(env!("CARGO_BIN_EXE_todo-ops"))
            .args(["sim", "stop", "--kubeconfig"])
            .arg(&self.0)
            .output();
    }
}

#[test]
fn killed_kubectl_port_forward_leaves_kubesim_and_pods_running() {
    let python = todo_e2e::kubectl::program("python3");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("pf-killed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("stream.py");
    std::fs::write(&script, SERVER).unwrap();
    let kubeconfig = dir.join("kubesim.kubeconfig");
    let start = Command::new(env!("CARGO_BIN_EXE_todo-ops"))
        .args(["sim", "start", "--time-scale", "10", "--image"])
        .arg(format!("py={}", python.display()))
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .output()
        .unwrap();
    assert!(
        start.status.success(),
        "{}",
        String::from_utf8_lossy(&start.stderr)
    );
    let _stop = Stop(kubeconfig.clone());
    let pid: i32 = std::fs::read_to_string(kubeconfig.with_extension("pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();

    let pod = serde_json::json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "stream"},
        "spec": {"containers": [{"name": "c", "image": "py:latest", "imagePullPolicy": "IfNotPresent",
            "args": [script.to_str().unwrap()], "ports": [{"containerPort": 9000}]}]},
    });
    let mut apply = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args(["apply", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    apply
        .stdin
        .take()
        .unwrap()
        .write_all(pod.to_string().as_bytes())
        .unwrap();
    assert!(apply.wait().unwrap().success());
    until("the pod to run", || {
        kubectl(
            &kubeconfig,
            &["get", "pod", "stream", "-o", "jsonpath={.status.phase}"],
        )
        .stdout
            == b"Running"
    });

    for signal in ["TERM", "KILL"] {
        // The pod listens shortly after it starts; kubectl gives up on a forward whose
        // first connection the pod refused, so each attempt is a new kubectl.
        let mut attempt = None;
        until("a stream through the forward", || {
            let (mut child, port) = forward(&kubeconfig);
            match read_some(port, 1 << 20) {
                Some(stream) => attempt = Some((child, stream)),
                None => {
                    let _ = child.kill();
                    let _ = child.wait();
                }
            }
            attempt.is_some()
        });
        let (mut child, stream) = attempt.unwrap();
        // Kill kubectl while the pod keeps sending: kubesim's next writes hit a dead socket.
        let killed = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(killed.success());
        child.wait().unwrap();
        drop(stream);

        // The server still answers, and still forwards: a fresh forward streams again.
        let (mut again, port) = forward(&kubeconfig);
        assert!(
            read_some(port, 1 << 20).is_some(),
            "no stream after SIG{signal}"
        );
        let _ = again.kill();
        let _ = again.wait();
        assert!(
            PathBuf::from(format!("/proc/{pid}")).exists(),
            "kubesim died after kubectl port-forward got SIG{signal}"
        );
        let ready = kubectl(&kubeconfig, &["get", "--raw", "/readyz"]);
        assert_eq!(
            String::from_utf8_lossy(&ready.stdout),
            "ok",
            "after SIG{signal}"
        );
    }
    let restarts = kubectl(
        &kubeconfig,
        &[
            "get",
            "pod",
            "stream",
            "-o",
            "jsonpath={.status.phase} {.status.containerStatuses[0].restartCount}",
        ],
    );
    assert_eq!(String::from_utf8_lossy(&restarts.stdout), "Running 0");
}
