//! A bounded soak: while 100 watches follow a stream of writes, real `kubectl port-forward`
//! clients are killed mid-transfer, kube-rs forwards and watches are abandoned, and
//! malformed bodies arrive. The server must stay healthy and every watch must see every
//! event, in order.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod support;

use std::io::Read;
use std::process::Command;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::Api;
use kube::api::{Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kubesim::kubelet::images::ImageTable;
use support::Kube;

const WATCHERS: usize = 100;
const OBJECTS: usize = 20;
const PATCHES: usize = 10;

/// Streams bytes to every client until it hangs up.
const STREAMER: &str = r#"
import os, socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 9000)); s.listen(64)
def feed(c):
    try:
        while True: c.sendall(b"x" * 65536)
    except OSError: c.close()
while True:
    c, _ = s.accept(); threading.Thread(target=feed, args=(c,), daemon=True).start()
"#;

async fn client(k: &Kube) -> kube::Client {
    let config = kube::Config::from_custom_kubeconfig(
        kube::config::Kubeconfig::read_from(&k.kubeconfig).unwrap(),
        &Default::default(),
    )
    .await
    .unwrap();
    kube::Client::try_from(config).unwrap()
}

/// Starts `kubectl port-forward`, reads some of the stream, then kills kubectl.
fn killed_forward(kubeconfig: &std::path::Path, signal: &str) {
    let Ok((child, port)) = todo_e2e::kubectl::port_forward(kubeconfig, "pod/streamer", 9000)
    else {
        return;
    };
    if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = vec![0u8; 65536];
        let _ = s.read(&mut buf);
    }
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status();
    let mut child = child;
    let _ = child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn server_survives_hostile_clients_and_every_watch_sees_every_event() {
    let python = todo_e2e::kubectl::program("python3");
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("streamer.py");
    std::fs::write(&script, STREAMER).unwrap();
    let mut images = ImageTable::default();
    images.add(&format!("py={}", python.display())).unwrap();
    let k = Kube::processes(images, 10.0).await;
    let client = client(&k).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "streamer"},
        "spec": {"containers": [{"name": "c", "image": "py:latest", "imagePullPolicy": "IfNotPresent",
            "args": [script.to_str().unwrap()], "ports": [{"containerPort": 9000}]}]},
    }))
    .unwrap();
    pods.create(&PostParams::default(), &pod).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while pods
        .get("streamer")
        .await
        .unwrap()
        .status
        .and_then(|s| s.phase)
        .as_deref()
        != Some("Running")
    {
        assert!(Instant::now() < deadline, "the streamer pod never ran");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The watches start from the current resourceVersion and count the soak's events.
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let rv = cms
        .list(&Default::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let expected = OBJECTS * (1 + PATCHES);
    let mut watchers = Vec::new();
    for _ in 0..WATCHERS {
        let cms = cms.clone();
        let rv = rv.clone();
        watchers.push(tokio::spawn(async move {
            let wp = WatchParams::default().labels("soak=yes").timeout(290);
            let mut stream = cms.watch(&wp, &rv).await.unwrap().boxed();
            let mut seen = Vec::new();
            while seen.len() < expected {
                match stream.try_next().await {
                    Ok(Some(WatchEvent::Added(c) | WatchEvent::Modified(c))) => {
                        seen.push(c.metadata.resource_version.unwrap().parse::<u64>().unwrap());
                    }
                    Ok(Some(_)) => {}
                    Ok(None) | Err(_) => break,
                }
            }
            seen
        }));
    }

    // Hostile clients, alongside the writes.
    let kubeconfig = k.kubeconfig.clone();
    let forwards = tokio::task::spawn_blocking(move || {
        for i in 0..6 {
            killed_forward(&kubeconfig, if i % 2 == 0 { "KILL" } else { "TERM" });
        }
    });
    let abandon = {
        let pods = pods.clone();
        let cms = cms.clone();
        tokio::spawn(async move {
            for _ in 0..10 {
                if let Ok(mut pf) = pods.portforward("streamer", &[9000]).await {
                    drop(pf.take_stream(9000));
                    pf.abort();
                }
                let w = cms.watch(&WatchParams::default(), "0").await;
                drop(w);
            }
        })
    };
    let raw = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(k.sim.ca_pem.as_bytes()).unwrap())
        .timeout(Duration::from_secs(10))
        .no_proxy()
        .build()
        .unwrap();
    let base = format!("https://{}", k.sim.addr);
    let token = k.sim.tokens.admin.clone();
    let garbage = tokio::spawn(async move {
        let bodies: [&[u8]; 4] = [
            b"{not json",
            b"k8s\0\x0a\xff\xff\xff\xff\x0f",
            b"\x00\x01\x02",
            b"[1,2,3]",
        ];
        for body in bodies {
            let r = raw
                .post(format!("{base}/api/v1/namespaces/default/configmaps"))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(body.to_vec())
                .send()
                .await
                .unwrap();
            assert!(r.status().is_client_error(), "{}", r.status());
        }
    });

    for i in 0..OBJECTS {
        let cm: ConfigMap = serde_json::from_value(serde_json::json!({
            "metadata": {"name": format!("soak-{i}"), "labels": {"soak": "yes"}}, "data": {"n": "0"},
        }))
        .unwrap();
        cms.create(&PostParams::default(), &cm).await.unwrap();
    }
    for n in 1..=PATCHES {
        for i in 0..OBJECTS {
            let patch = serde_json::json!({"data": {"n": n.to_string()}});
            cms.patch(
                &format!("soak-{i}"),
                &PatchParams::default(),
                &Patch::Merge(&patch),
            )
            .await
            .unwrap();
        }
    }
    forwards.await.unwrap();
    abandon.await.unwrap();
    garbage.await.unwrap();

    let all = futures::future::join_all(watchers).await;
    for (i, seen) in all.into_iter().enumerate() {
        let seen = seen.unwrap();
        assert_eq!(
            seen.len(),
            expected,
            "watch {i} saw {} of {expected} events",
            seen.len()
        );
        assert!(
            seen.windows(2).all(|w| w[0] < w[1]),
            "watch {i} saw events out of order"
        );
    }
    let ready = k.run(&["get", "--raw", "/readyz"], None).await;
    assert_eq!(String::from_utf8_lossy(&ready.stdout), "ok");
    let pod = pods.get("streamer").await.unwrap();
    let status = pod.status.unwrap();
    assert_eq!(status.phase.as_deref(), Some("Running"));
    assert_eq!(status.container_statuses.unwrap()[0].restart_count, 0);
}
