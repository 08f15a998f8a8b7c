//! The tools that change any object — `apply`, `set_image`, `rollout_undo`, `exec`,
//! `delete` and `patch` with a JSON patch — on kubesim with real container processes, each
//! previewed by a server-side dry run that changes nothing, and each result read back with
//! the real kubectl.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kubesim::controllers::{ControllerConfig, PodRuntime};
use kubesim::kubelet::images::ImageTable;
use kubesim::server::{RunningSim, SimConfig};
use serde_json::{Value, json};
use todo_ops_tools::cluster::ClusterTarget;
use todo_ops_tools::redact::Redactor;
use todo_ops_tools::tool::{ToolContext, ToolError, ToolOutput};
use todo_ops_tools::tools::find;

async fn start() -> (RunningSim, ToolContext, PathBuf) {
    let mut images = ImageTable::default();
    images.add_stock();
    assert!(
        images.resolve("busybox").is_some(),
        "busybox must be installed (scripts/setup installs busybox-static)"
    );
    let sim = RunningSim::start(SimConfig {
        controllers: ControllerConfig {
            time_scale: 20.0,
            runtime: PodRuntime::Processes,
            ..Default::default()
        },
        images,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let kc =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("objects-{}", sim.addr.port()));
    sim.write_kubeconfig(&kc).unwrap();
    let cluster = ClusterTarget {
        kubeconfig: Some(kc.clone()),
        context: None,
        namespace: Some("default".into()),
        ..Default::default()
    }
    .connect()
    .await
    .unwrap();
    let ctx = ToolContext {
        cluster,
        redactor: Arc::new(Redactor::default()),
        helm: None,
        results: Default::default(),
    };
    (sim, ctx, kc)
}

/// The real kubectl: (success, stdout, stderr).
async fn kubectl(kc: &Path, args: &[&str]) -> (bool, String, String) {
    let out = tokio::process::Command::new(todo_e2e::kubectl::program("kubectl"))
        .arg("--kubeconfig")
        .arg(kc)
        .args(args)
        .output()
        .await
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn call(ctx: &ToolContext, tool: &str, args: Value) -> Result<ToolOutput, ToolError> {
    find(tool).unwrap().call(ctx, args).await
}

async fn preview(ctx: &ToolContext, tool: &str, args: Value) -> String {
    find(tool)
        .unwrap()
        .preview(ctx, args)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{tool} shows no preview"))
}

async fn image(kc: &Path) -> String {
    let (_, out, _) = kubectl(
        kc,
        &[
            "-n",
            "shop",
            "get",
            "deployment",
            "web",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
        ],
    )
    .await;
    out
}

async fn rolled_out(kc: &Path) {
    let (ok, out, err) = kubectl(
        kc,
        &[
            "-n",
            "shop",
            "rollout",
            "status",
            "deployment/web",
            "--timeout=30s",
        ],
    )
    .await;
    assert!(ok, "{out}{err}");
}

const MANIFEST: &str = "apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: sizes
  namespace: shop
data:
  size: medium
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: busybox:1.36
        command: [sleep, '3600']
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_are_applied_changed_undone_run_in_and_deleted_after_a_dry_run() {
    let (_sim, ctx, kc) = start().await;

    // apply: the dry run creates nothing; the apply creates all three; again, unchanged.
    let shown = preview(&ctx, "apply", json!({"manifest": MANIFEST})).await;
    assert!(shown.contains("deployment/web would be created"), "{shown}");
    let (exists, _, _) = kubectl(&kc, &["get", "namespace", "shop"]).await;
    assert!(!exists, "a dry run stored the namespace");
    let out = call(&ctx, "apply", json!({"manifest": MANIFEST}))
        .await
        .unwrap();
    let actions: Vec<&str> = out
        .data
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "created", "created"], "{}", out.text);
    rolled_out(&kc).await;
    let again = call(&ctx, "apply", json!({"manifest": MANIFEST}))
        .await
        .unwrap();
    assert!(
        again.text.contains("deployment/web unchanged"),
        "{}",
        again.text
    );
    let bad = call(
        &ctx,
        "apply",
        json!({"manifest": "kind: Widget\nmetadata: {name: x}\n"}),
    )
    .await
    .unwrap_err();
    assert!(format!("{bad}").contains("apiVersion"), "{bad}");

    // set_image: previewed, unchanged by the preview, then rolled out.
    let args = json!({"object": "deployment/web", "image": "busybox:1.37", "namespace": "shop"});
    let shown = preview(&ctx, "set_image", args.clone()).await;
    assert!(shown.contains("busybox:1.37"), "{shown}");
    assert_eq!(image(&kc).await, "busybox:1.36");
    call(&ctx, "set_image", args).await.unwrap();
    assert_eq!(image(&kc).await, "busybox:1.37");
    rolled_out(&kc).await;

    // rollout_undo: back to revision 1's template; a revision that does not exist is refused.
    let missing = call(
        &ctx,
        "rollout_undo",
        json!({"deployment": "web", "to_revision": 9, "namespace": "shop"}),
    )
    .await
    .unwrap_err();
    assert!(
        format!("{missing}").contains("no revision 9; its revisions are 1, 2"),
        "{missing}"
    );
    let out = call(
        &ctx,
        "rollout_undo",
        json!({"deployment": "web", "namespace": "shop"}),
    )
    .await
    .unwrap();
    assert_eq!(out.data["to_revision"], 1, "{}", out.text);
    assert_eq!(image(&kc).await, "busybox:1.36");
    rolled_out(&kc).await;
    let (_, history, _) =
        kubectl(&kc, &["-n", "shop", "rollout", "history", "deployment/web"]).await;
    assert!(
        history.contains('3'),
        "undo is a new revision, as kubectl's: {history}"
    );

    // exec: output, error output and the exit code from the server's status.
    let (_, pod, _) = kubectl(
        &kc,
        &[
            "-n",
            "shop",
            "get",
            "pods",
            "-l",
            "app=web",
            "--field-selector=status.phase=Running",
            "-o",
            "jsonpath={.items[0].metadata.name}",
        ],
    )
    .await;
    let out = call(
        &ctx,
        "exec",
        json!({"pod": pod, "namespace": "shop",
               "command": ["sh", "-c", "echo out; echo err >&2; exit 3"]}),
    )
    .await
    .unwrap();
    assert_eq!(out.data["stdout"], "out\n", "{}", out.text);
    assert_eq!(out.data["stderr"], "err\n", "{}", out.text);
    assert_eq!(out.data["exit_code"], 3, "{}", out.text);
    let empty = call(
        &ctx,
        "exec",
        json!({"pod": pod, "namespace": "shop", "command": []}),
    )
    .await
    .unwrap_err();
    assert!(format!("{empty}").contains("command is empty"), "{empty}");

    // patch with a JSON patch (RFC 6902).
    call(
        &ctx,
        "patch",
        json!({"object": "configmap/sizes", "namespace": "shop", "patch_type": "json",
               "patch": [{"op": "replace", "path": "/data/size", "value": "large"}]}),
    )
    .await
    .unwrap();
    let (_, size, _) = kubectl(
        &kc,
        &[
            "-n",
            "shop",
            "get",
            "configmap",
            "sizes",
            "-o",
            "jsonpath={.data.size}",
        ],
    )
    .await;
    assert_eq!(size, "large");

    // delete: the dry run leaves it; the delete removes it; a second delete is an error.
    let args = json!({"object": "configmap/sizes", "namespace": "shop"});
    let shown = preview(&ctx, "delete", args.clone()).await;
    assert!(shown.contains("would be deleted"), "{shown}");
    assert!(
        kubectl(&kc, &["-n", "shop", "get", "configmap", "sizes"])
            .await
            .0
    );
    call(&ctx, "delete", args.clone()).await.unwrap();
    let (still, _, err) = kubectl(&kc, &["-n", "shop", "get", "configmap", "sizes"]).await;
    assert!(!still && err.contains("NotFound"), "{err}");
    let gone = call(&ctx, "delete", args).await.unwrap_err();
    assert!(format!("{gone}").contains("not found"), "{gone}");
}

/// A secret the big log prints; the kept result must not hold it.
const LOGGED_SECRET: &str = "s3cr3t-in-the-log-77";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_five_megabyte_log_is_cut_for_the_model_and_searched_whole() {
    let (_sim, mut ctx, kc) = start().await;
    let mut redactor = Redactor::default();
    redactor.learn(LOGGED_SECRET);
    ctx.redactor = Arc::new(redactor);
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("results-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = todo_ops_tools::results::ResultStore::in_folder(dir.clone());
    store.set_budget(8_000);
    ctx.results = Arc::new(store);
    // 60,000 lines of ~90 bytes, one needle in the middle, then the process stays up.
    let script = format!(
        "awk 'BEGIN {{ for (i = 0; i < 60000; i++) {{ \
           if (i == 31337) print \"ERROR payment gateway refused: token {LOGGED_SECRET} expired\"; \
           printf \"%06d INFO request served in 3ms path=/api/items user=someone padding-padding-padding\\n\", i }} \
           print \"DONE\" }}'; sleep 3600"
    );
    let manifest = serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "chatty", "namespace": "default"},
        "spec": {"containers": [{"name": "app", "image": "busybox:1.36", "command": ["sh", "-c", script]}]}
    });
    call(&ctx, "apply", json!({"manifest": manifest.to_string()}))
        .await
        .unwrap();
    // Wait (loudly bounded) until the whole log is written.
    let mut last = String::new();
    for _ in 0..120 {
        let (_, out, _) = kubectl(&kc, &["logs", "chatty", "--tail=1"]).await;
        last = out;
        if last.trim() == "DONE" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_eq!(last.trim(), "DONE", "the log was never completed");

    let out = call(
        &ctx,
        "get_logs",
        json!({"pod": "chatty", "tail": 200000, "since_seconds": 0}),
    )
    .await
    .unwrap();
    assert_eq!(out.data["lines"].as_array().unwrap().len(), 60_002);
    assert!(out.text.chars().count() <= 8_000, "{}", out.text.len());
    assert!(
        out.text.starts_with("[get_logs result r1 is 60002 lines"),
        "{}",
        &out.text[..300]
    );
    assert!(out.text.trim_end().ends_with("DONE"), "the tail is shown");
    assert!(
        !out.text.contains("payment gateway"),
        "the needle is not in what was shown"
    );
    let kept = std::fs::read_to_string(dir.join("r1.txt")).unwrap();
    assert!(kept.len() > 5_000_000, "{}", kept.len());
    assert!(
        !kept.contains(LOGGED_SECRET),
        "a secret reached the kept result"
    );

    let found = call(
        &ctx,
        "search_result",
        json!({"result": "r1", "pattern": "error|refused", "context_lines": 1}),
    )
    .await
    .unwrap();
    assert!(
        found.text.starts_with("r1: 1 matching lines of 60002:"),
        "{}",
        found.text
    );
    assert!(
        found
            .text
            .contains("31338: ERROR payment gateway refused: token [REDACTED]"),
        "{}",
        found.text
    );
    assert!(
        found.text.contains("31337: 031336 INFO") && found.text.contains("31339: 031337 INFO"),
        "{}",
        found.text
    );
    let page = call(
        &ctx,
        "search_result",
        json!({"result": "r1", "from_line": 59999, "lines": 10}),
    )
    .await
    .unwrap();
    assert!(
        page.text.contains("60002: DONE") && page.text.contains("59999: "),
        "{}",
        page.text
    );
    // Mistakes go back to the model with the way out.
    for (args, words) in [
        (json!({"result": "r7", "pattern": "x"}), "r1 to r1"),
        (
            json!({"result": "r1", "pattern": "(unclosed"}),
            "not a regular expression",
        ),
    ] {
        match call(&ctx, "search_result", args).await {
            Err(ToolError::Retry(m)) => assert!(m.contains(words), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}
