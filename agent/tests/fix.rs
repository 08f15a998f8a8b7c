//! `todo-ops fix` against kubesim: the dry run shows both diffs and changes nothing, no
//! yes changes nothing, `--yes` applies the suggested patch and verifies it, and a fix whose
//! rollout cannot finish is rolled back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chat_support;

use std::path::{Path, PathBuf};
use std::process::Output;

use chat_support::*;
use kubesim::controllers::{ControllerConfig, PodRuntime};
use kubesim::server::{RunningSim, SimConfig};

async fn fix(kc: &Path, args: &[&str]) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_todo-ops"));
    cmd.arg("fix")
        .args(args)
        .arg("--kubeconfig")
        .arg(kc)
        .stdin(std::process::Stdio::null());
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_shows_asks_applies_and_verifies() {
    let (_sim, ctx, kc) = setup_with_kubeconfig().await;
    let charts = todo_ops::ops::install::charts_dir(None).unwrap();
    let s = todo_ops::ops::scenarios::find("scaled-to-zero").unwrap();
    todo_ops::ops::scenarios::apply(s, &kc, &charts)
        .await
        .unwrap();
    assert_eq!(replicas(&ctx).await, 0);

    let out = fix(&kc, &["--dry-run"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("helm upgrade todo-backend with {\"replicaCount\":2} (for scaled-to-zero")
            && t.contains("+  \"replicaCount\": 2")
            && t.contains("diff_manifest"),
        "{t}"
    );
    assert_eq!(replicas(&ctx).await, 0, "a dry run changes nothing");

    let out = fix(&kc, &[]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("declined: todo-backend was not changed"),
        "{}",
        text(&out)
    );
    assert_eq!(replicas(&ctx).await, 0, "no yes, no change");

    let out = fix(&kc, &["--yes"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("verified: todo-backend healthy, scaled-to-zero gone"),
        "{}",
        text(&out)
    );
    assert_eq!(replicas(&ctx).await, 2);

    let out = fix(&kc, &[]).await;
    assert!(
        out.status.success() && text(&out).contains("nothing to fix"),
        "{}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fix_whose_rollout_cannot_finish_is_rolled_back() {
    // Revision 1 asked for a whole CPU, revision 2 for two, on a node of 500m: the repair
    // (back to revision 1's value) does not fit either, so its rollout cannot finish.
    let sim = RunningSim::start(SimConfig {
        node_cpu: "500m".into(),
        controllers: ControllerConfig {
            time_scale: 20.0,
            runtime: PodRuntime::Instant,
            ..Default::default()
        },
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let kc = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("fix-{}", sim.addr.port()));
    sim.write_kubeconfig(&kc).unwrap();
    let charts = todo_ops::ops::install::charts_dir(None).unwrap();
    todo_ops::ops::install::install_chatbot(
        &kc,
        &charts,
        "sqlite:///tmp/unused.db",
        serde_json::json!({"resources": {"requests": {"cpu": "1"}, "limits": {"cpu": "2"}}}),
    )
    .await
    .unwrap();
    todo_ops::ops::scenarios::upgrade(
        &kc,
        &charts,
        "todo-backend",
        serde_json::json!({"resources": {"requests": {"cpu": "2"}}}),
    )
    .await
    .unwrap();
    let helm =
        todo_ops::ops::connect::helm_client(&todo_ops::ops::connect::kubeconfig_target(&kc), None)
            .unwrap();
    let before = helm.status("todo-backend").unwrap().revision;
    let out = fix(&kc, &["--yes", "--timeout-secs", "2"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("rolled back todo-backend: the rollout did not finish in time"),
        "{}",
        text(&out)
    );
    let history = helm.history("todo-backend").unwrap();
    assert_eq!(
        history.len() as u32,
        before + 2,
        "the upgrade, then the rollback"
    );
    let values = helm.values("todo-backend", false, None).unwrap();
    assert_eq!(
        values["resources"]["requests"]["cpu"], "2",
        "the rolled-back values are the old ones: {values}"
    );
}
