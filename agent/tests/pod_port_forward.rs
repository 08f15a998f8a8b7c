//! `pods/portforward` on kubesim with real clients: kube-rs's port-forwarder (WebSocket) and
//! `kubectl port-forward` (SPDY/3.1) both reach a backend pod's HTTP server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use todo_e2e::chatbot as common;

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_rs_and_kubectl_forward_to_a_pod() {
    let env = common::setup().await;
    let client = todo_ops_tools::cluster::ClusterTarget {
        kubeconfig: Some(env.kubeconfig.clone()),
        context: None,
        namespace: Some("default".into()),
        ..Default::default()
    }
    .connect()
    .await
    .unwrap()
    .client;
    let pods: Api<Pod> = Api::namespaced(client, "default");
    let pod = common::pods(&env, "todo-backend")[0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();

    // Two requests over two forwards: each is its own connection to the pod.
    for _ in 0..2 {
        let mut pf = pods.portforward(&pod, &[8000]).await.unwrap();
        let mut stream = pf.take_stream(8000).unwrap();
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut reply = Vec::new();
        tokio::time::timeout(
            std::time::Duration::from_secs(10),
            stream.read_to_end(&mut reply),
        )
        .await
        .expect("the pod's answer timed out")
        .unwrap();
        let reply = String::from_utf8_lossy(&reply);
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
        drop(stream);
        pf.abort();
    }

    // A port nothing listens on: the error channel says so.
    let mut pf = pods.portforward(&pod, &[9]).await.unwrap();
    let err = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        pf.take_error(9).unwrap(),
    )
    .await
    .expect("no error came for a port nothing listens on");
    assert!(
        err.as_deref()
            .is_some_and(|e| e.contains("error forwarding port 9")),
        "{err:?}"
    );

    // kubectl speaks SPDY: it forwards a local port to the pod, twice over one forward.
    let (kc, target) = (env.kubeconfig.clone(), format!("pod/{pod}"));
    let (mut kubectl, local) = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        tokio::task::spawn_blocking(move || todo_e2e::kubectl::port_forward(&kc, &target, 8000)),
    )
    .await
    .expect("kubectl port-forward never said where it listens")
    .unwrap()
    .unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..2 {
        let mut conn = tokio::net::TcpStream::connect(("127.0.0.1", local))
            .await
            .unwrap();
        conn.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut reply = Vec::new();
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            conn.read_to_end(&mut reply),
        )
        .await
        .expect("the answer through kubectl timed out");
        let reply = String::from_utf8_lossy(&reply).to_string();
        if read.is_err() || !reply.starts_with("HTTP/1.1 200") {
            let _ = kubectl.kill();
            let out = kubectl.wait_with_output().unwrap();
            panic!(
                "through kubectl: {read:?} {reply}\nkubectl: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let _ = kubectl.kill();
    let _ = kubectl.wait();

    // The read-only viewer may not forward.
    let kc = env.kubeconfig.clone();
    let pod2 = pod.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kc)
            .args([
                "--context",
                "kubesim-viewer",
                "port-forward",
                &format!("pod/{pod2}"),
                "0:8000",
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("forbidden"),
        "{stderr}"
    );
    env.sim.stop().await;
}
