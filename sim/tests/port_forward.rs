//! `pods/portforward` with bulk data both ways, through `kubectl port-forward` (SPDY/3.1)
//! and kube-rs (WebSocket): 3 MB up and 3 MB down through one connection each, byte-exact.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kubesim::controllers::{ControllerConfig, PodRuntime};
use kubesim::kubelet::images::ImageTable;
use kubesim::server::{RunningSim, SimConfig};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

const SIZE: usize = 3_000_000;

/// Reads a length line and that many bytes (no half-close: kube-rs does not forward one),
/// answers the count on a line, then sends SIZE bytes and closes.
const SERVER: &str = r#"
import os, socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 9000)); s.listen(8)
open(os.environ["READY_FILE"], "w").close()
while True:
    c, _ = s.accept(); f = c.makefile("rb")
    want = int(f.readline()); n = 0
    while n < want:
        b = f.read(min(65536, want - n))
        if not b: break
        n += len(b)
    c.sendall(b"%d\n" % n + bytes(i % 251 for i in range(3000000)))
    f.close(); c.shutdown(socket.SHUT_RDWR); c.close()
"#;

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(mut s: S) {
    let up: Vec<u8> = (0..SIZE).map(|i| (i % 253) as u8).collect();
    s.write_all(format!("{SIZE}\n").as_bytes()).await.unwrap();
    s.write_all(&up).await.unwrap();
    let mut back = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), s.read_to_end(&mut back))
        .await
        .expect("the bulk exchange timed out")
        .unwrap();
    let line_end = back.iter().position(|b| *b == b'\n').unwrap();
    assert_eq!(
        std::str::from_utf8(&back[..line_end]).unwrap(),
        SIZE.to_string()
    );
    let down = &back[line_end + 1..];
    assert_eq!(down.len(), SIZE);
    assert!(down.iter().enumerate().all(|(i, b)| *b == (i % 251) as u8));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_data_crosses_both_port_forward_protocols() {
    let python = todo_e2e::kubectl::program("python3");
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("pf-bulk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("server.py");
    let ready_file = dir.join("listening");
    let _ = std::fs::remove_file(&ready_file);
    std::fs::write(&script, SERVER).unwrap();
    let mut images = ImageTable::default();
    images.add(&format!("py={}", python.display())).unwrap();
    let sim = RunningSim::start(SimConfig {
        controllers: ControllerConfig {
            time_scale: 10.0,
            runtime: PodRuntime::Processes,
            ..Default::default()
        },
        images,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let kubeconfig = dir.join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig).unwrap();
    let client = kube::Client::try_from(
        kube::Config::from_custom_kubeconfig(
            kube::config::Kubeconfig::read_from(&kubeconfig).unwrap(),
            &Default::default(),
        )
        .await
        .unwrap(),
    )
    .unwrap();
    let pods: Api<Pod> = Api::namespaced(client, "default");
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "bulk"},
        "spec": {"containers": [{
            "name": "c", "image": "py:latest", "imagePullPolicy": "IfNotPresent",
            "args": [script.to_str().unwrap()], "ports": [{"containerPort": 9000}],
            "env": [{"name": "READY_FILE", "value": ready_file.to_str().unwrap()}],
        }]},
    }))
    .unwrap();
    pods.create(&Default::default(), &pod).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let p = pods.get("bulk").await.unwrap();
        let ready = p.status.and_then(|s| s.phase).as_deref() == Some("Running");
        if ready {
            break;
        }
        assert!(Instant::now() < deadline, "the pod never ran");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The process says when it listens.
    while !ready_file.exists() {
        assert!(Instant::now() < deadline, "the pod's server never listened");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // kubectl, SPDY.
    let kc = kubeconfig.clone();
    let (mut kubectl, local) =
        tokio::task::spawn_blocking(move || todo_e2e::kubectl::port_forward(&kc, "pod/bulk", 9000))
            .await
            .unwrap()
            .unwrap();
    exchange(
        tokio::net::TcpStream::connect(("127.0.0.1", local))
            .await
            .unwrap(),
    )
    .await;
    let _ = kubectl.kill();
    let _ = kubectl.wait();

    // kube-rs, WebSocket.
    let mut pf = pods.portforward("bulk", &[9000]).await.unwrap();
    exchange(pf.take_stream(9000).unwrap()).await;
    pf.abort();

    sim.stop().await;
}
