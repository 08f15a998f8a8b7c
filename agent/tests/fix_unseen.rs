//! Breakages that no scenario makes, made the way a person makes them (the real kubectl, the
//! Helm SDK), each diagnosed on the object that is actually wrong and repaired by
//! `todo-ops fix --yes` from the cluster's own evidence: the release's manifest and history.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use todo_e2e::chatbot as common;

use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};
use todo_ops_tools::helm::{self, ActionOptions, Chart};
use todo_ops_tools::values::ValuesPatch;

async fn todo_ops(kc: &Path, args: &[&str]) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_todo-ops"));
    cmd.args(args)
        .arg("--kubeconfig")
        .arg(kc)
        .stdin(std::process::Stdio::null());
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

fn kubectl(kc: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new(todo_e2e::kubectl::program("kubectl"))
        .arg("--kubeconfig")
        .arg(kc)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "kubectl {args:?}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Diagnoses until `done` holds for the findings (the cluster needs a moment to show a fault).
async fn findings_until(kc: &Path, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let out = todo_ops(kc, &["diagnose", "-o", "json"]).await;
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let findings = report["findings"].as_array().cloned().unwrap_or_default();
        if done(&findings) {
            return findings;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "diagnose never showed {what}: {}",
            text(&out)
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// `helm upgrade todo-backend` with `patch` over its values, through the Helm SDK.
async fn upgrade_backend(env: &common::Env, patch: Value) {
    let client = todo_ops::ops::connect::helm_client(
        &todo_ops::ops::connect::kubeconfig_target(&env.kubeconfig),
        None,
    )
    .unwrap();
    let chart = Chart::load(env.charts.join("todo-backend")).unwrap();
    let patch = ValuesPatch(patch);
    helm::blocking("upgrade", move || {
        client.upgrade_with_patch(&chart, "todo-backend", &patch, &ActionOptions::default())
    })
    .await
    .unwrap();
}

fn has(findings: &[Value], id: &str, object: &str) -> bool {
    findings
        .iter()
        .any(|f| f["id"] == id && f["object"] == object)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_edits_outside_helm_are_undone_by_one_drift_repair() {
    let env = common::setup().await;
    let kc = env.kubeconfig.clone();
    kubectl(&kc, &["delete", "service", "todo-backend"]);
    kubectl(
        &kc,
        &[
            "patch",
            "configmap",
            "todo-frontend-config",
            "--type",
            "merge",
            "-p",
            r#"{"data":{"BACKEND_URL":"http://todo-backend:9"}}"#,
        ],
    );
    kubectl(
        &kc,
        &[
            "set",
            "image",
            "deployment/todo-backend",
            "backend=todo-backend:no-such-tag",
        ],
    );

    let found = findings_until(&kc, "the three drifts", |f| {
        has(f, "drift", "service/todo-backend")
            && has(f, "drift", "configmap/todo-frontend-config")
            && has(f, "drift", "deployment/todo-backend")
    })
    .await;
    // The Service is missing, not misnamed: nothing blames the frontend's URL for it.
    assert!(
        !found.iter().any(|f| f["id"] == "backend-url"),
        "{found:#?}"
    );

    let out = todo_ops(&kc, &["fix", "--yes"]).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert_eq!(
        t.matches("helm upgrade todo-backend").count(),
        1,
        "one upgrade per release: {t}"
    );
    assert_eq!(t.matches("helm upgrade todo-frontend").count(), 1, "{t}");

    kubectl(&kc, &["get", "service", "todo-backend"]);
    let url = kubectl(
        &kc,
        &[
            "get",
            "configmap",
            "todo-frontend-config",
            "-o",
            "jsonpath={.data.BACKEND_URL}",
        ],
    );
    assert!(!url.contains(":9\"") && !url.ends_with(":9"), "{url}");
    common::healthy(&env, "the drift repair").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repository_typo_in_the_values_is_reverted_by_key() {
    let env = common::setup().await;
    let kc = env.kubeconfig.clone();
    upgrade_backend(&env, json!({"image": {"repository": "todo-bakend"}})).await;

    let found = findings_until(&kc, "the image pull failure", |f| {
        has(f, "image-pull", "deployment/todo-backend")
    })
    .await;
    let pull = found.iter().find(|f| f["id"] == "image-pull").unwrap();
    // Only the key that changed, back to what the last revision that worked had.
    assert_eq!(
        pull["suggested_patch"],
        json!({"image": {"repository": "todo-backend"}}),
        "{pull:#}"
    );
    let out = todo_ops(&kc, &["fix", "--yes"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    common::healthy(&env, "the repository revert").await;
}

const PLAIN_WEB: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: ui
        image: todo-frontend:latest
        env:
        - {name: BACKEND_URL, value: "http://127.0.0.1:1"}
        ports:
        - containerPort: 3000
        resources:
          requests: {cpu: "6", memory: 32Mi}
"#;

fn ready_replicas(kc: &Path) -> String {
    kubectl(
        kc,
        &[
            "get",
            "deployment",
            "web",
            "-n",
            "shop",
            "-o",
            "jsonpath={.status.readyReplicas}/{.status.updatedReplicas}",
        ],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_manifest_in_another_namespace_is_repaired_by_patching_it() {
    let env = common::setup().await;
    let kc = env.kubeconfig.clone();
    kubectl(&kc, &["create", "namespace", "shop"]);
    let manifest = std::env::temp_dir().join(format!("plain-web-{}.yaml", std::process::id()));
    std::fs::write(&manifest, PLAIN_WEB).unwrap();
    kubectl(
        &kc,
        &["apply", "-n", "shop", "-f", manifest.to_str().unwrap()],
    );

    // Requests no node can hold: cut to what the node has left, from the node's own numbers.
    let diagnose_shop = |id: &'static str| {
        let kc = kc.clone();
        async move {
            let out = todo_ops(&kc, &["diagnose", "-n", "shop", "-o", "json"]).await;
            let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
            v["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|f| f["id"] == id && f["object"] == "deployment/web")
        }
    };
    todo_e2e::wait::until_async(
        "the unschedulable finding",
        std::time::Duration::from_secs(60),
        || diagnose_shop("unschedulable"),
    )
    .await;
    let out = todo_ops(&kc, &["fix", "--yes", "-n", "shop"]).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    // The new request is whatever the node has left; it must be below 6 and let both run.
    assert!(t.contains("resources.requests.cpu: 6 → "), "{t}");
    assert_eq!(ready_replicas(&kc), "2/2");

    // An image typo by kubectl: back to the image the ready ReplicaSet runs.
    kubectl(
        &kc,
        &[
            "set",
            "image",
            "deployment/web",
            "ui=todo-frontend:no-such-tag",
            "-n",
            "shop",
        ],
    );
    todo_e2e::wait::until_async(
        "the image pull finding",
        std::time::Duration::from_secs(60),
        || diagnose_shop("image-pull"),
    )
    .await;
    let out = todo_ops(&kc, &["fix", "--yes", "-n", "shop"]).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    let image = kubectl(
        &kc,
        &[
            "get",
            "deployment",
            "web",
            "-n",
            "shop",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
        ],
    );
    assert_eq!(image, "todo-frontend:latest", "{t}");
    assert_eq!(ready_replicas(&kc), "2/2");
    let _ = std::fs::remove_file(manifest);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_started_by_a_secret_change_never_shows_the_old_secret() {
    let env = common::setup().await;
    let kc = env.kubeconfig.clone();
    upgrade_backend(
        &env,
        json!({"secrets": {"databaseUrl": "sqlite:///no/such/dir/todo.db"}}),
    )
    .await;

    let found = findings_until(&kc, "the crash loop", |f| {
        has(f, "crash-loop", "deployment/todo-backend")
    })
    .await;
    let crash = found.iter().find(|f| f["id"] == "crash-loop").unwrap();
    let shown = crash.to_string();
    // The change is found (revision 2 changed secrets.databaseUrl) but neither URL is shown,
    // and no patch carrying one is offered: a rollback is.
    assert!(shown.contains("secrets.databaseUrl"), "{crash:#}");
    assert!(
        !shown.contains(&env.db_url) && !shown.contains("/no/such/dir"),
        "{crash:#}"
    );
    assert!(crash["suggested_patch"].is_null(), "{crash:#}");
    assert!(
        crash["suggested_action"]
            .as_str()
            .unwrap()
            .contains("helm rollback todo-backend"),
        "{crash:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_the_image_lacks_is_named_and_removed() {
    let env = common::setup().await;
    let kc = env.kubeconfig.clone();
    // A person overrides the entrypoint with a typo: the runtime cannot start the process.
    kubectl(
        &kc,
        &[
            "patch",
            "deployment",
            "todo-backend",
            "--type=json",
            "-p",
            r#"[{"op":"add","path":"/spec/template/spec/containers/0/command","value":["todo-bakend"]}]"#,
        ],
    );
    let found = findings_until(&kc, "the start error", |f| {
        has(f, "start-error", "deployment/todo-backend")
    })
    .await;
    let start = found.iter().find(|f| f["id"] == "start-error").unwrap();
    assert!(
        start["summary"]
            .as_str()
            .unwrap()
            .contains("cannot execute \"todo-bakend\""),
        "{start:#}"
    );
    assert!(
        start["evidence"][0]
            .as_str()
            .unwrap()
            .contains("executable file not found in $PATH"),
        "{start:#}"
    );
    assert_eq!(start["changes"][0]["field"], "command", "{start:#}");
    assert_eq!(start["changes"][0]["current"], json!(["todo-bakend"]));
    // Not taken for the app crashing: its process never ran, so there is no log to blame.
    assert!(
        !has(&found, "crash-loop", "deployment/todo-backend"),
        "{found:#?}"
    );

    // The release never rendered a command and kubectl-patch owns it: drift whose repair
    // removes it, since re-applying the release leaves fields it does not own.
    let found = findings_until(&kc, "the added command as drift", |f| {
        f.iter().any(|f| {
            f["id"] == "drift"
                && f["object"] == "deployment/todo-backend"
                && f["changes"][0]["field"] == "command"
        })
    })
    .await;
    let drift = found.iter().find(|f| f["id"] == "drift").unwrap();
    assert!(drift["changes"][0]["proposed"].is_null(), "{drift:#}");
    assert!(
        drift["evidence"]
            .to_string()
            .contains("kubectl-patch added it"),
        "{drift:#}"
    );
    let out = todo_ops(&kc, &["fix", "--yes"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let command = kubectl(
        &kc,
        &[
            "get",
            "deployment",
            "todo-backend",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].command}",
        ],
    );
    assert!(command.is_empty(), "the command is still there: {command}");
    common::healthy(&env, "the command's removal").await;
}

/// Regression: with a deleted Service (re-apply the release) and a command added outside
/// Helm (remove it) at once, fix re-applied first; that upgrade could not roll out with the
/// command still there and was rolled back. The removal now goes first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removal_goes_before_the_re_apply_it_would_block() {
    let env = common::setup().await;
    let kc = env.kubeconfig.clone();
    kubectl(&kc, &["delete", "service", "todo-backend"]);
    kubectl(
        &kc,
        &[
            "patch",
            "deployment",
            "todo-backend",
            "--type=json",
            "-p",
            r#"[{"op":"add","path":"/spec/template/spec/containers/0/command","value":["/opt/backend/start"]}]"#,
        ],
    );
    findings_until(&kc, "both drifts and the start error", |f| {
        has(f, "drift", "service/todo-backend")
            && has(f, "start-error", "deployment/todo-backend")
            && f.iter().any(|f| {
                f["id"] == "drift"
                    && f["object"] == "deployment/todo-backend"
                    && f["changes"][0]["field"] == "command"
            })
    })
    .await;
    let out = todo_ops(&kc, &["fix", "--yes"]).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(!t.contains("rolled back"), "{t}");
    let removal = t.find("fix: patch deployment/todo-backend").expect(&t);
    let upgrade = t.find("helm upgrade todo-backend").expect(&t);
    assert!(removal < upgrade, "the removal comes first: {t}");
    kubectl(&kc, &["get", "service", "todo-backend"]);
    common::healthy(&env, "the removal and the re-apply").await;
}

/// An env var added with `kubectl set env` is an item of a list the release renders: a
/// re-apply leaves it (server-side apply merges `env` by name), so it is drift whose repair
/// deletes that one item.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_env_var_added_outside_helm_is_removed_by_itself() {
    let env = common::setup().await;
    let kc = env.kubeconfig.clone();
    let env_of = || {
        kubectl(
            &kc,
            &[
                "get",
                "deployment",
                "todo-backend",
                "-o",
                "jsonpath={.spec.template.spec.containers[0].env[*].name}",
            ],
        )
    };
    let before = env_of();
    kubectl(
        &kc,
        &["set", "env", "deployment/todo-backend", "SQL_TRACE=1"],
    );
    let found = findings_until(&kc, "the added env var as drift", |f| {
        f.iter().any(|f| {
            f["id"] == "drift"
                && f["object"] == "deployment/todo-backend"
                && f["changes"][0]["field"] == "env"
        })
    })
    .await;
    let drift = found.iter().find(|f| f["id"] == "drift").unwrap();
    assert!(
        drift["evidence"].to_string().contains("env SQL_TRACE"),
        "{drift:#}"
    );
    let out = todo_ops(&kc, &["fix", "--yes"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(env_of(), before, "only the added variable went away");
    common::healthy(&env, "the env var's removal").await;
}
