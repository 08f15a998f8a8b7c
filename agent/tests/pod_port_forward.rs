//! `pods/portforward` on kubesim with real clients: kube-rs's port-forwarder reaches a
//! backend pod's HTTP server; kubectl (SPDY) is refused with a message that says what to do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_rs_forwards_to_a_pod_and_kubectl_is_told_why_not() {
    let env = common::setup().await;
    let client = todo_ops_tools::cluster::ClusterTarget {
        kubeconfig: Some(env.kubeconfig.clone()),
        context: None,
        namespace: Some("default".into()),
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
    let err = pf.take_error(9).unwrap().await;
    assert!(
        err.as_deref()
            .is_some_and(|e| e.contains("error forwarding port 9")),
        "{err:?}"
    );

    let kc = env.kubeconfig.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kc)
            .args(["port-forward", &format!("pod/{pod}"), "0:8000"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("not SPDY") && stderr.contains("todo-ops sim port-forward"),
        "{stderr}"
    );
    env.sim.stop().await;
}
