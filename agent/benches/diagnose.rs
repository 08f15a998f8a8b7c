//! `todo-ops diagnose` against the same diagnosis by hand with kubectl (get pods -o json,
//! get events, logs and describe of the failing pods), on the broken chatbot in kubesim; and
//! the number of API requests one diagnosis makes with one unrelated pod and with 500 of
//! them (one list per kind, one log read per workload: it must not grow with the pods).
//! `cargo bench -p todo-ops --bench diagnose`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use kubesim::controllers::{ControllerConfig, PodRuntime};
use kubesim::kubelet::images::ImageTable;
use kubesim::resources::{DEPLOYMENT, POD};
use kubesim::server::{RunningSim, SimConfig};
use serde_json::json;
use todo_ops::ops::install;
use todo_ops::ops::scenarios;
use todo_ops_tools::cluster::ClusterTarget;
use todo_ops_tools::diagnose::diagnose;

fn app_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    let deps = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    deps.parent().map(Path::to_path_buf).unwrap_or(deps)
}

async fn start_sim(runtime: PodRuntime) -> (RunningSim, PathBuf) {
    let mut images = ImageTable::default();
    for app in ["todo-backend", "todo-frontend"] {
        images.add_built(app, &app_dir().join(app));
    }
    let sim = RunningSim::start(SimConfig {
        controllers: ControllerConfig {
            time_scale: 20.0,
            runtime,
            ..Default::default()
        },
        images,
        ..SimConfig::default()
    })
    .await
    .unwrap_or_else(|e| panic!("kubesim: {e}"));
    let kc = std::env::temp_dir().join(format!(
        "diagnose-bench-{}-{}",
        std::process::id(),
        sim.addr.port()
    ));
    sim.write_kubeconfig(&kc).unwrap_or_else(|e| panic!("{e}"));
    (sim, kc)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    if !app_dir().join("todo-backend").is_file() {
        anyhow::bail!(
            "build the app with the same profile first: cargo build --release -p todo-app --bins"
        );
    }
    // The broken chatbot: a crash loop whose cause is in the log.
    let (sim, kc) = start_sim(PodRuntime::Processes).await;
    let charts = install::charts_dir(None)?;
    // Not under /tmp: the chart mounts an emptyDir there, which hides the machine's /tmp.
    let db = todo_e2e::scratch_dir().join(format!("diagnose-bench-{}.db", std::process::id()));
    install::install_chatbot(
        &kc,
        &charts,
        &format!("sqlite://{}", db.display()),
        json!({}),
    )
    .await?;
    let target = ClusterTarget {
        kubeconfig: Some(kc.clone()),
        context: None,
        namespace: Some("default".into()),
        ..Default::default()
    };
    let cluster = target.connect().await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while !sim
        .store
        .all(&DEPLOYMENT)
        .iter()
        .all(|d| d["status"]["readyReplicas"] == d["spec"]["replicas"])
    {
        anyhow::ensure!(
            Instant::now() < deadline,
            "the chatbot did not become Ready"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    scenarios::apply(scenarios::find("auth-secret-short")?, &kc, &charts).await?;
    while !diagnose(&cluster)
        .await?
        .findings
        .iter()
        .any(|f| f.id == "crash-loop")
    {
        anyhow::ensure!(Instant::now() < deadline, "the crash loop did not show");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut ours = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let d = diagnose(&cluster).await?;
        ours.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(!d.findings.is_empty());
    }
    let failing: Vec<String> = sim
        .store
        .all(&POD)
        .iter()
        .filter(|p| {
            p["status"]["containerStatuses"][0]["restartCount"]
                .as_i64()
                .unwrap_or(0)
                > 0
        })
        .filter_map(|p| p["metadata"]["name"].as_str().map(str::to_string))
        .collect();
    let mut script = format!(
        "set -e; export KUBECONFIG={}; kubectl get pods -o json >/dev/null; kubectl get events >/dev/null",
        kc.display()
    );
    for p in &failing {
        script.push_str(&format!("; kubectl logs --previous --tail=20 {p} >/dev/null; kubectl describe pod {p} >/dev/null"));
    }
    let mut by_hand = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let ok = Command::new("sh").args(["-c", &script]).status()?.success();
        anyhow::ensure!(ok, "the kubectl script failed");
        by_hand.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (a, b) = (median(ours), median(by_hand));
    println!(
        "diagnose (crash loop, {} failing pods): {a:.1} ms median of 10",
        failing.len()
    );
    println!(
        "kubectl by hand (get pods, get events, logs + describe per failing pod): {b:.1} ms median of 3"
    );
    println!("ratio kubectl / diagnose: {:.1}x", b / a);
    sim.stop().await;

    // API requests per diagnosis do not grow with unrelated pods.
    let (sim, kc) = start_sim(PodRuntime::Instant).await;
    install::install_chatbot(&kc, &charts, "sqlite:///tmp/unused.db", json!({})).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let cluster = ClusterTarget {
        kubeconfig: Some(kc.clone()),
        context: None,
        namespace: Some("default".into()),
        ..Default::default()
    }
    .connect()
    .await?;
    let count = |sim: &RunningSim| sim.request_count();
    let unrelated = |i: usize| {
        json!({"metadata": {"name": format!("unrelated-{i}"), "labels": {"app": "unrelated"}},
            "spec": {"containers": [{"name": "c", "image": "unrelated:1", "resources": {"requests": {"cpu": "1m", "memory": "1Mi"}}}]}})
    };
    let before = count(&sim);
    diagnose(&cluster).await?;
    let alone = count(&sim) - before;
    // One unrelated workload: its pods log alike, so one of them is read.
    sim.store
        .create(&POD, "default", unrelated(0))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = count(&sim);
    diagnose(&cluster).await?;
    let small = count(&sim) - before;
    for i in 1..500 {
        sim.store
            .create(&POD, "default", unrelated(i))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = count(&sim);
    diagnose(&cluster).await?;
    let big = count(&sim) - before;
    println!(
        "API requests per diagnose: {alone} with the chatbot alone, {small} with one unrelated pod, {big} with 500 of them"
    );
    anyhow::ensure!(
        big == small,
        "request count grew with the number of unrelated pods"
    );
    sim.stop().await;
    Ok(())
}
