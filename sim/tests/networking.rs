//! Service names as pods resolve them, with the real kubectl and the process runtime: a bare
//! name means the Service in the caller's own namespace, `name.ns` another namespace's; the
//! Endpoints list the target port the Service names. (The pods are not named like the
//! Service: a pod's own name is in its /etc/hosts and would resolve to itself, as on a
//! cluster.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use kubesim::kubelet::images::ImageTable;
use support::Kube;

fn namespace_with_web(ns: &str) -> String {
    format!(
        "apiVersion: v1
kind: Namespace
metadata: {{name: {ns}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: site, namespace: {ns}}}
data: {{whoami: 'served from {ns}'}}
---
apiVersion: v1
kind: Pod
metadata: {{name: server, namespace: {ns}, labels: {{app: web}}}}
spec:
  containers:
  - name: web
    image: python:3.12
    command: [sh, -c, 'cd /srv && exec python3 -m http.server 8080']
    ports: [{{containerPort: 8080, name: http}}]
    readinessProbe: {{httpGet: {{path: /whoami, port: http}}, periodSeconds: 1}}
    volumeMounts: [{{name: site, mountPath: /srv}}]
  volumes: [{{name: site, configMap: {{name: site}}}}]
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: {ns}}}
spec:
  selector: {{app: web}}
  ports: [{{port: 80, targetPort: http}}]
"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bare_service_name_resolves_in_the_callers_namespace() {
    let mut images = ImageTable::default();
    images
        .add(&format!(
            "python={}",
            todo_e2e::kubectl::program("python3").display()
        ))
        .unwrap();
    let k = Kube::processes(images, 10.0).await;
    for ns in ["shop", "blog"] {
        k.ok_stdin(&["apply", "-f", "-"], Some(&namespace_with_web(ns)))
            .await;
    }
    for ns in ["shop", "blog"] {
        k.ok(&[
            "wait",
            "-n",
            ns,
            "--for=condition=Ready",
            "pod/server",
            "--timeout=30s",
        ])
        .await;
    }
    // Endpoints carry the target port (8080), whatever port the process really has.
    let port = k
        .ok(&[
            "get",
            "endpoints",
            "-n",
            "shop",
            "web",
            "-o",
            "jsonpath={.subsets[0].ports[0].port}",
        ])
        .await;
    assert_eq!(port, "8080");

    let fetch = |url: &str| {
        format!(
            "import urllib.request; print(urllib.request.urlopen('{url}', timeout=10).read().decode())"
        )
    };
    let own = k
        .ok(&[
            "exec",
            "-n",
            "shop",
            "server",
            "--",
            "python3",
            "-c",
            &fetch("http://web/whoami"),
        ])
        .await;
    assert_eq!(own.trim(), "served from shop");
    let other = k
        .ok(&[
            "exec",
            "-n",
            "shop",
            "server",
            "--",
            "python3",
            "-c",
            &fetch("http://web.blog.svc.cluster.local/whoami"),
        ])
        .await;
    assert_eq!(other.trim(), "served from blog");
    let from_blog = k
        .ok(&[
            "exec",
            "-n",
            "blog",
            "server",
            "--",
            "python3",
            "-c",
            &fetch("http://web/whoami"),
        ])
        .await;
    assert_eq!(from_blog.trim(), "served from blog");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_run_with_busybox_wget_reaches_a_service_by_its_bare_name() {
    let mut images = ImageTable::default();
    images.add_stock();
    if images.resolve("busybox").is_none() || images.resolve("python:3.12").is_none() {
        panic!("busybox and python3 must be installed (scripts/setup installs busybox-static)");
    }
    let k = Kube::processes(images, 10.0).await;
    k.ok_stdin(&["apply", "-f", "-"], Some(&namespace_with_web("shop")))
        .await;
    k.ok(&[
        "wait",
        "-n",
        "shop",
        "--for=condition=Ready",
        "pod/server",
        "--timeout=30s",
    ])
    .await;
    let out = k
        .ok(&[
            "run",
            "-n",
            "shop",
            "probe",
            "--image=busybox",
            "--restart=Never",
            "--rm",
            "-i",
            "--wait",
            "--timeout=60s",
            "--",
            "wget",
            "-qO-",
            "http://web/whoami",
        ])
        .await;
    assert!(out.contains("served from shop"), "{out}");
    k.ok(&[
        "wait",
        "-n",
        "shop",
        "--for=delete",
        "pod/probe",
        "--timeout=20s",
    ])
    .await;
    // A name nothing serves fails the command, and kubectl says how.
    let missing = k
        .run(
            &[
                "run",
                "-n",
                "shop",
                "probe2",
                "--image=busybox:1.36",
                "--restart=Never",
                "--rm",
                "-i",
                "--",
                "wget",
                "-qO-",
                "http://nothing/",
            ],
            None,
        )
        .await;
    assert!(!missing.status.success(), "{missing:?}");
}
