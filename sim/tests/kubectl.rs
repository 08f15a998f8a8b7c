//! kubesim judged by the real `kubectl` (v1.32): whatever kubectl does must work unmodified.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::path::PathBuf;
use std::process::{Command, Output};

use kubesim::server::{RunningSim, SimConfig};
use serde_json::Value;

struct Kube {
    sim: RunningSim,
    kubeconfig: PathBuf,
}

impl Kube {
    async fn start() -> Self {
        let sim = RunningSim::start(SimConfig::default()).await.unwrap();
        let kubeconfig = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("kubeconfig-{}", sim.addr.port()));
        sim.write_kubeconfig(&kubeconfig).unwrap();
        Self { sim, kubeconfig }
    }

    /// Runs kubectl off the async runtime; returns the output whatever the exit status.
    async fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = Command::new("kubectl");
        cmd.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args)
            .env_remove("KUBECONFIG");
        let stdin = stdin.map(str::to_string);
        tokio::task::spawn_blocking(move || {
            use std::io::Write;
            use std::process::Stdio;
            cmd.stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let mut child = cmd.spawn().expect("kubectl must be installed");
            if let Some(input) = stdin {
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(input.as_bytes())
                    .unwrap();
            }
            drop(child.stdin.take());
            child.wait_with_output().unwrap()
        })
        .await
        .unwrap()
    }

    async fn ok(&self, args: &[&str]) -> String {
        self.ok_stdin(args, None).await
    }

    async fn ok_stdin(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin).await;
        assert!(
            out.status.success(),
            "kubectl {} failed:\nstdout: {}\nstderr: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    async fn json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.extend(["-o", "json"]);
        serde_json::from_str(&self.ok(&a).await).unwrap()
    }
}

const CONFIGMAPS: &str = r#"
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
  labels: {app: todo, tier: backend}
data:
  LOG_FORMAT: json
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: frontend-config
  labels: {app: todo, tier: frontend}
data:
  BACKEND_URL: http://todo-backend:8000
"#;

#[tokio::test]
async fn version_discovery_and_namespaces() {
    let k = Kube::start().await;
    let v: Value = serde_json::from_str(&k.ok(&["version", "-o", "json"]).await).unwrap();
    assert_eq!(v["serverVersion"]["gitVersion"], "v1.32.0-kubesim");
    let res = k.ok(&["api-resources"]).await;
    for line in [
        "deployments",
        "poddisruptionbudgets",
        "horizontalpodautoscalers",
        "configmaps",
    ] {
        assert!(res.contains(line), "{res}");
    }
    let ns = k.json(&["get", "namespaces"]).await;
    let names: Vec<&str> = ns["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["metadata"]["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"default") && names.contains(&"kube-system"));
    k.ok_stdin(
        &["create", "-f", "-"],
        Some("apiVersion: v1\nkind: Namespace\nmetadata: {name: todo}\n"),
    )
    .await;
    let out = k.ok(&["get", "ns", "todo"]).await;
    assert!(out.contains("todo"), "{out}");
    let node = k.json(&["get", "node", "kubesim"]).await;
    assert_eq!(node["status"]["allocatable"]["cpu"], "2");
}

#[tokio::test]
async fn create_get_select_patch_delete() {
    let k = Kube::start().await;
    let out = k.ok_stdin(&["create", "-f", "-"], Some(CONFIGMAPS)).await;
    assert!(out.contains("configmap/app-config created"), "{out}");
    let all = k.json(&["get", "configmaps"]).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let back = k.json(&["get", "cm", "-l", "tier=backend"]).await;
    assert_eq!(back["items"][0]["metadata"]["name"], "app-config");
    let by_field = k
        .json(&[
            "get",
            "configmaps",
            "--field-selector",
            "metadata.name=frontend-config",
        ])
        .await;
    assert_eq!(by_field["items"].as_array().unwrap().len(), 1);
    let table = k.ok(&["get", "configmaps", "-l", "app=todo"]).await;
    assert!(
        table.contains("app-config") && table.contains("frontend-config"),
        "{table}"
    );

    // Duplicate create is a 409 AlreadyExists in kubectl's words.
    let dup = k.run(&["create", "-f", "-"], Some(CONFIGMAPS)).await;
    assert!(!dup.status.success());
    assert!(
        String::from_utf8_lossy(&dup.stderr).contains("configmaps \"app-config\" already exists")
    );

    k.ok(&[
        "patch",
        "configmap",
        "app-config",
        "--type=merge",
        "-p",
        r#"{"data":{"LOG_FORMAT":"text"}}"#,
    ])
    .await;
    k.ok(&[
        "patch",
        "configmap",
        "app-config",
        "--type=json",
        "-p",
        r#"[{"op":"add","path":"/data/PORT","value":"8000"}]"#,
    ])
    .await;
    k.ok(&["label", "configmap", "app-config", "owner=ops"])
        .await;
    let cm = k.json(&["get", "configmap", "app-config"]).await;
    assert_eq!(cm["data"]["LOG_FORMAT"], "text");
    assert_eq!(cm["data"]["PORT"], "8000");
    assert_eq!(cm["metadata"]["labels"]["owner"], "ops");

    let out = k.ok(&["delete", "configmap", "app-config"]).await;
    assert!(out.contains("deleted"), "{out}");
    let gone = k.run(&["get", "configmap", "app-config"], None).await;
    assert!(
        String::from_utf8_lossy(&gone.stderr).contains("NotFound"),
        "{}",
        String::from_utf8_lossy(&gone.stderr)
    );
    drop(k.sim);
}

#[tokio::test]
async fn apply_creates_then_updates() {
    let k = Kube::start().await;
    let out = k.ok_stdin(&["apply", "-f", "-"], Some(CONFIGMAPS)).await;
    assert!(out.contains("configmap/app-config created"), "{out}");
    let changed = CONFIGMAPS.replace("LOG_FORMAT: json", "LOG_FORMAT: text");
    let out = k.ok_stdin(&["apply", "-f", "-"], Some(&changed)).await;
    assert!(
        out.contains("configmap/app-config configured")
            && out.contains("configmap/frontend-config unchanged"),
        "{out}"
    );
    let cm = k.json(&["get", "configmap", "app-config"]).await;
    assert_eq!(cm["data"]["LOG_FORMAT"], "text");
    let out = k
        .ok_stdin(
            &["apply", "--server-side", "-f", "-"],
            Some(&changed.replace("text", "json")),
        )
        .await;
    assert!(out.contains("serverside-applied"), "{out}");
    assert_eq!(
        k.json(&["get", "configmap", "app-config"]).await["data"]["LOG_FORMAT"],
        "json"
    );
}

#[tokio::test]
async fn viewer_token_reads_but_gets_403_on_mutation() {
    let k = Kube::start().await;
    k.ok_stdin(&["create", "-f", "-"], Some(CONFIGMAPS)).await;
    k.ok(&["--context", "kubesim-viewer", "get", "configmaps"])
        .await;
    let denied = k
        .run(
            &[
                "--context",
                "kubesim-viewer",
                "delete",
                "configmap",
                "app-config",
            ],
            None,
        )
        .await;
    assert!(!denied.status.success());
    let err = String::from_utf8_lossy(&denied.stderr);
    assert!(
        err.contains("configmaps \"app-config\" is forbidden")
            || err.contains("User \"kubesim-viewer\" cannot delete resource \"configmaps\""),
        "{err}"
    );
    let denied = k
        .run(
            &["--context", "kubesim-viewer", "apply", "-f", "-"],
            Some(CONFIGMAPS),
        )
        .await;
    assert!(
        String::from_utf8_lossy(&denied.stderr).contains("Forbidden")
            || String::from_utf8_lossy(&denied.stderr).contains("forbidden")
    );
    // The configmap is still there.
    k.ok(&["get", "configmap", "app-config"]).await;
}
