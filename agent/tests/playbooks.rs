//! The playbooks in `playbooks/`: they parse, the troubleshooting doc is generated from
//! them, and the ones not tied to a scenario (deploy, scale, rollback, shutdown) run
//! green through `todo-ops playbook run` against kubesim. The scenario playbooks are run
//! against their scenarios in `scenarios.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use k8s_openapi::api::apps::v1::Deployment;
use kube::Api;
use kubesim::controllers::{ControllerConfig, PodRuntime};
use kubesim::server::{RunningSim, SimConfig};
use todo_ops::core::playbook::{load_dir, playbooks_dir, troubleshooting_doc};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
fn every_playbook_parses_and_every_scenario_has_one() {
    let all = load_dir(&playbooks_dir(None).unwrap()).unwrap();
    for needed in [
        "deploy",
        "verify",
        "scale",
        "rollback",
        "shutdown",
        "crash-loop",
    ] {
        assert!(all.iter().any(|p| p.name == needed), "no {needed} playbook");
    }
    for s in todo_ops::ops::scenarios::SCENARIOS {
        let p = all.iter().find(|p| p.name == s.name);
        assert!(
            p.is_some_and(|p| p.scenario.as_deref() == Some(s.name)),
            "scenario {} has no playbook of its name tied to it",
            s.name
        );
    }
}

#[test]
fn the_troubleshooting_doc_is_generated_from_the_playbooks() {
    let all = load_dir(&playbooks_dir(None).unwrap()).unwrap();
    let want = troubleshooting_doc(&all);
    let path = repo().join("docs/troubleshooting.md");
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is out of date with playbooks/: run `cargo run -p todo-ops -- playbook docs`",
        path.display()
    );
}

async fn empty_sim() -> (RunningSim, PathBuf) {
    let sim = RunningSim::start(SimConfig {
        controllers: ControllerConfig {
            time_scale: 20.0,
            runtime: PodRuntime::Instant,
            ..Default::default()
        },
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let kc =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("playbooks-{}", sim.addr.port()));
    sim.write_kubeconfig(&kc).unwrap();
    (sim, kc)
}

async fn todo_ops(kc: &Path, args: &[&str]) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_todo-ops"));
    cmd.arg("playbook").args(args);
    if args[0] == "run" {
        cmd.arg("--kubeconfig").arg(kc);
    }
    cmd.current_dir(repo()).stdin(std::process::Stdio::null());
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

async fn backend_replicas(kc: &Path) -> Option<i32> {
    let cluster = todo_ops_tools::cluster::ClusterTarget {
        kubeconfig: Some(kc.to_path_buf()),
        context: None,
        namespace: Some("default".into()),
        ..Default::default()
    }
    .connect()
    .await
    .unwrap();
    Api::<Deployment>::namespaced(cluster.client, "default")
        .get_opt("todo-backend")
        .await
        .unwrap()
        .and_then(|d| d.spec?.replicas)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_verify_scale_rollback_shutdown_run_green() {
    let (_sim, kc) = empty_sim().await;
    // Without a terminal the first change is declined: the run stops there, exit 1.
    let out = todo_ops(&kc, &["run", "deploy"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("[1/4] helm_install") && text(&out).contains("declined"),
        "{}",
        text(&out)
    );
    assert_eq!(
        backend_replicas(&kc).await,
        None,
        "declined: nothing installed"
    );

    // `verify` ends with a chat round trip, which needs the app running as processes: it is
    // run in scenarios.rs.
    for name in ["deploy", "scale"] {
        let out = todo_ops(&kc, &["run", name, "--yes"]).await;
        assert!(
            out.status.success() && text(&out).contains("steps passed"),
            "{name}: {}",
            text(&out)
        );
    }
    assert_eq!(backend_replicas(&kc).await, Some(3));

    // An upgrade to roll back from: the rollback brings the chart's 2 replicas back.
    let charts = todo_ops::ops::install::charts_dir(None).unwrap();
    todo_ops::ops::scenarios::upgrade(
        &kc,
        &charts,
        "todo-backend",
        serde_json::json!({"replicaCount": 4}),
    )
    .await
    .unwrap();
    // Read-only: the steps that look run, the change is refused.
    let out = todo_ops(&kc, &["run", "rollback", "--read-only"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("[1/3] helm_history") && text(&out).contains("✗ refused"),
        "{}",
        text(&out)
    );
    let out = todo_ops(&kc, &["run", "rollback", "--yes"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        backend_replicas(&kc).await,
        Some(2),
        "back to the first revision's replicas"
    );

    let out = todo_ops(&kc, &["run", "shutdown", "--yes"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(backend_replicas(&kc).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_show_and_a_malformed_playbook_named_by_file_and_line() {
    let (_sim, kc) = empty_sim().await;
    let out = todo_ops(&kc, &["list"]).await;
    assert!(out.status.success());
    assert!(
        text(&out).contains("scaled-to-zero") && text(&out).contains("when:"),
        "{}",
        text(&out)
    );
    let out = todo_ops(&kc, &["show", "memory-limit-low"]).await;
    assert!(text(&out).contains("256Mi"), "{}", text(&out));
    let out = todo_ops(&kc, &["show", "nope"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("no playbook named \"nope\""),
        "{}",
        text(&out)
    );

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bad-playbooks");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("broken.md"),
        "---\nname: broken\ntitle: Broken\nwhen: never\n---\n\n```step\nlist_pods {}\nexpect: [].status is Running\n```\n",
    )
    .unwrap();
    let out = todo_ops(&kc, &["list", "--playbooks", dir.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("broken.md:9: unknown operator"),
        "{}",
        text(&out)
    );
}
