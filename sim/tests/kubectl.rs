//! kubesim judged by the real `kubectl` (v1.32): whatever kubectl does must work unmodified.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod support;

use kubesim::server::SimConfig;
use serde_json::Value;
use support::Kube;

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
    let ours = |list: &serde_json::Value| -> usize {
        // Every namespace also holds the cluster's kube-root-ca.crt.
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["metadata"]["name"] != "kube-root-ca.crt")
            .count()
    };
    assert_eq!(ours(&all), 2);
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
    let err = String::from_utf8_lossy(&denied.stderr);
    assert!(
        err.contains("Forbidden") || err.contains("forbidden"),
        "{err}"
    );
    // The configmap is still there.
    k.ok(&["get", "configmap", "app-config"]).await;
}

const WEB: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80, name: http}]
        resources: {requests: {cpu: 100m, memory: 64Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
"#;

#[tokio::test]
async fn deployment_lifecycle_with_kubectl() {
    let k = Kube::start().await;
    k.ok_stdin(&["apply", "-f", "-"], Some(WEB)).await;
    let out = k
        .ok(&["rollout", "status", "deployment/web", "--timeout=30s"])
        .await;
    assert!(out.contains("successfully rolled out"), "{out}");
    k.ok(&[
        "wait",
        "--for=condition=Available",
        "deployment/web",
        "--timeout=30s",
    ])
    .await;

    // kubectl's own columns come from server-side Tables.
    let pods = k.ok(&["get", "pods", "-l", "app=web"]).await;
    assert!(
        pods.starts_with("NAME") && pods.contains("READY") && pods.contains("STATUS"),
        "{pods}"
    );
    assert_eq!(
        pods.lines()
            .filter(|l| l.contains("1/1") && l.contains("Running"))
            .count(),
        3,
        "{pods}"
    );
    let running = k
        .json(&["get", "pods", "--field-selector", "status.phase=Running"])
        .await;
    assert_eq!(running["items"].as_array().unwrap().len(), 3);
    let ep = k.json(&["get", "endpoints", "web"]).await;
    assert_eq!(ep["subsets"][0]["addresses"].as_array().unwrap().len(), 3);
    assert_eq!(ep["subsets"][0]["ports"][0]["port"], 80);

    // Scale.
    k.ok(&["scale", "deployment/web", "--replicas=5"]).await;
    k.ok(&["rollout", "status", "deployment/web", "--timeout=30s"])
        .await;
    assert_eq!(
        k.json(&["get", "deployment", "web"]).await["status"]["availableReplicas"],
        5
    );

    // A new image rolls out through a new ReplicaSet; undo goes back to the old one.
    k.ok(&["set", "image", "deployment/web", "web=nginx:1.28"])
        .await;
    k.ok(&["rollout", "status", "deployment/web", "--timeout=30s"])
        .await;
    let rs = k.json(&["get", "rs", "-l", "app=web"]).await;
    assert_eq!(rs["items"].as_array().unwrap().len(), 2);
    k.ok(&["rollout", "undo", "deployment/web"]).await;
    k.ok(&["rollout", "status", "deployment/web", "--timeout=30s"])
        .await;
    let d = k.json(&["get", "deployment", "web"]).await;
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.27"
    );
    assert_eq!(
        k.json(&["get", "rs", "-l", "app=web"]).await["items"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "undo reuses the old ReplicaSet"
    );
    let history = k.ok(&["rollout", "history", "deployment/web"]).await;
    assert!(
        history.contains("2 ") && history.contains("3 "),
        "{history}"
    );

    // Restart makes a new ReplicaSet too.
    k.ok(&["rollout", "restart", "deployment/web"]).await;
    k.ok(&["rollout", "status", "deployment/web", "--timeout=30s"])
        .await;
    assert_eq!(
        k.json(&["get", "rs", "-l", "app=web"]).await["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // describe, with the events of the object.
    let desc = k.ok(&["describe", "deployment", "web"]).await;
    assert!(
        desc.contains("5 desired | 5 updated | 5 total | 5 available"),
        "{desc}"
    );
    assert!(desc.contains("ScalingReplicaSet"), "{desc}");
    let pod = k.json(&["get", "pods", "-l", "app=web"]).await["items"][0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let desc = k.ok(&["describe", "pod", &pod]).await;
    assert!(
        desc.contains("Status:           Running") || desc.contains("Running"),
        "{desc}"
    );
    assert!(desc.contains("Scheduled"), "{desc}");
    let desc = k.ok(&["describe", "service", "web"]).await;
    assert!(
        desc.contains("Endpoints:") && desc.contains(":80"),
        "{desc}"
    );
    let events = k.ok(&["get", "events", "--sort-by=.lastTimestamp"]).await;
    assert!(
        events.contains("ScalingReplicaSet") && events.contains("SuccessfulCreate"),
        "{events}"
    );

    // Deleting the Deployment collects its ReplicaSets and pods (which terminate first).
    k.ok(&["delete", "deployment", "web"]).await;
    k.ok(&["wait", "--for=delete", "pods", "--all", "--timeout=10s"])
        .await;
    assert!(
        k.json(&["get", "pods"]).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        k.json(&["get", "rs"]).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn requests_larger_than_the_node_stay_pending() {
    let k = Kube::start().await;
    let big = WEB
        .replace("cpu: 100m", "cpu: \"3\"")
        .replace("replicas: 3", "replicas: 1");
    k.ok_stdin(&["apply", "-f", "-"], Some(&big)).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let events = k
            .ok(&[
                "get",
                "events",
                "--field-selector",
                "reason=FailedScheduling",
                "-o",
                "json",
            ])
            .await;
        let v: Value = serde_json::from_str(&events).unwrap();
        if let Some(e) = v["items"].as_array().and_then(|a| a.first()) {
            assert_eq!(e["type"], "Warning");
            assert!(
                e["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("0/1 nodes are available: 1 Insufficient cpu."),
                "{e}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no FailedScheduling event"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let pods = k.ok(&["get", "pods"]).await;
    assert!(pods.contains("Pending") && pods.contains("0/1"), "{pods}");
    let avail = k.json(&["get", "deployment", "web"]).await;
    let available = avail["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Available")
        .unwrap()
        .clone();
    assert_eq!(available["status"], "False");
}

#[tokio::test]
async fn diff_and_server_dry_run_change_nothing() {
    let k = Kube::start().await;
    k.ok_stdin(&["apply", "-f", "-"], Some(WEB)).await;
    let four = WEB.replace("replicas: 3", "replicas: 4");
    // kubectl diff exits 1 when there are differences.
    let diff = k.run(&["diff", "-f", "-"], Some(&four)).await;
    assert_eq!(
        diff.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&diff.stderr)
    );
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(
        text.contains("-  replicas: 3") && text.contains("+  replicas: 4"),
        "{text}"
    );
    let out = k
        .ok_stdin(&["apply", "--dry-run=server", "-f", "-"], Some(&four))
        .await;
    assert!(out.contains("(server dry run)"), "{out}");
    let out = k
        .ok_stdin(&["create", "--dry-run=server", "-f", "-"], Some(CONFIGMAPS))
        .await;
    assert!(out.contains("(server dry run)"), "{out}");
    assert_eq!(
        k.json(&["get", "deployment", "web"]).await["spec"]["replicas"],
        3
    );
    assert!(
        k.json(&["get", "configmaps"]).await["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["metadata"]["name"] == "kube-root-ca.crt"),
        "a dry run stored a ConfigMap"
    );
}

#[tokio::test]
async fn rollout_that_cannot_progress_exceeds_its_deadline() {
    // Time scale 20: a 10 s progress deadline passes in half a second.
    let mut cfg = SimConfig::default();
    cfg.controllers.time_scale = 20.0;
    let k = Kube::start_with(cfg).await;
    let stuck = WEB
        .replace("cpu: 100m", "cpu: \"3\"")
        .replace("replicas: 3", "replicas: 1\n  progressDeadlineSeconds: 10");
    k.ok_stdin(&["apply", "-f", "-"], Some(&stuck)).await;
    let out = k
        .run(
            &["rollout", "status", "deployment/web", "--timeout=30s"],
            None,
        )
        .await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("exceeded its progress deadline"), "{err}");
    let d = k.json(&["get", "deployment", "web"]).await;
    let progressing = d["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Progressing")
        .unwrap()
        .clone();
    assert_eq!(
        (
            progressing["status"].as_str(),
            progressing["reason"].as_str()
        ),
        (Some("False"), Some("ProgressDeadlineExceeded"))
    );
}

/// Regression: a Secret's `stringData` was stored as given, so readers of `data` (and the
/// redactor) never saw those values. The API server merges it into `data` and drops it.
#[tokio::test]
async fn secret_string_data_is_merged_into_data_on_create_and_apply() {
    let k = Kube::start().await;
    let secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\nstringData:\n  TOKEN: s3cr3t-value\ndata:\n  OTHER: b3RoZXI=\n";
    k.ok_stdin(&["apply", "-f", "-"], Some(secret)).await;
    let s = k.json(&["get", "secret", "app"]).await;
    assert_eq!(s["data"]["TOKEN"], "czNjcjN0LXZhbHVl", "{s}");
    assert_eq!(s["data"]["OTHER"], "b3RoZXI=", "{s}");
    assert!(
        s.get("stringData").is_none(),
        "stringData is write-only: {s}"
    );
    // An update through stringData replaces the key, as on a real cluster.
    let changed = secret.replace("s3cr3t-value", "rotated");
    k.ok_stdin(&["apply", "-f", "-"], Some(&changed)).await;
    let out = k
        .ok(&["get", "secret", "app", "-o", "jsonpath={.data.TOKEN}"])
        .await;
    assert_eq!(out, "cm90YXRlZA==");
    let out = k
        .ok(&["create", "secret", "generic", "lit", "--from-literal=K=v1"])
        .await;
    assert!(out.contains("secret/lit created"), "{out}");
}
