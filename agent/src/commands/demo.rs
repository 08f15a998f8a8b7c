//! `todo-ops demo`: the chatbot on a local kubesim, installed by Helm, with its UI
//! forwarded to localhost. Works on a fresh machine: no cluster, Docker or API key.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::commands::cli::{Demo, default_kubeconfig};
use crate::ops::install;
use crate::ops::install::app_images;
use crate::ops::scenarios;
use anyhow::{Context, Result, bail};
use kubesim::controllers::{ControllerConfig, PodRuntime};
use kubesim::resources::DEPLOYMENT;
use kubesim::server::{RunningSim, SimConfig};
use serde_json::{Value, json};
use todo_ops_tools::analyzers::Severity;
use todo_ops_tools::cluster::ClusterTarget;
use todo_ops_tools::diagnose::diagnose;
use todo_ops_tools::report::{self, Format};

fn ready(sim: &RunningSim, name: &str) -> (i64, i64) {
    let d = sim
        .store
        .get(&DEPLOYMENT, "default", name)
        .unwrap_or(Value::Null);
    (
        d["status"]["readyReplicas"].as_i64().unwrap_or(0),
        d["spec"]["replicas"].as_i64().unwrap_or(0),
    )
}

/// Runs the demo until Ctrl-C (or, with `--check`, until a chat round trip succeeded).
pub async fn run(opts: &Demo) -> Result<()> {
    let started = Instant::now();
    let steps = if opts.scenario == "none" { 4 } else { 6 };
    let charts = install::charts_dir(opts.charts.as_deref())?;
    let images = app_images()?;
    let state = opts.state_dir.clone().unwrap_or_else(|| {
        default_kubeconfig()
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
            .join("demo")
    });
    std::fs::create_dir_all(&state).with_context(|| format!("creating {}", state.display()))?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", opts.port))
        .await
        .with_context(|| format!("port {} is taken; choose another with --port", opts.port))?;

    println!("[1/{steps}] starting kubesim (pods run as local processes)");
    let sim = RunningSim::start(SimConfig {
        controllers: ControllerConfig {
            time_scale: 1.0,
            runtime: PodRuntime::Processes,
            ..Default::default()
        },
        images,
        ..SimConfig::default()
    })
    .await?;
    let kubeconfig = state.join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig)?;
    println!("      export KUBECONFIG={}", kubeconfig.display());

    println!("[2/{steps}] installing the charts with Helm");
    let database_url = match &opts.database_url {
        Some(u) => u.clone(),
        None => format!("sqlite://{}", state.join("todo.db").display()),
    };
    install::install_chatbot(&kubeconfig, &charts, &database_url, json!({})).await?;
    println!("      todo-backend, todo-frontend: installed");

    println!("[3/{steps}] waiting for the pods to be Ready");
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut last = String::new();
    loop {
        let (b, bw) = ready(&sim, "todo-backend");
        let (f, fw) = ready(&sim, "todo-frontend");
        let line = format!("      todo-backend {b}/{bw} ready, todo-frontend {f}/{fw} ready");
        if line != last {
            println!("{line}");
            last = line;
        }
        if bw > 0 && fw > 0 && b == bw && f == fw {
            break;
        }
        if Instant::now() > deadline {
            bail!(
                "the pods were not Ready within 2 minutes; look with: KUBECONFIG={} kubectl get pods; kubectl describe pods",
                kubeconfig.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let addr = listener.local_addr()?;
    let _forward = kubesim::port_forward::forward_service(
        sim.store.clone(),
        sim.network.clone(),
        "default".into(),
        "todo-frontend".into(),
        3000,
        listener,
    );
    println!("[4/{steps}] the chat UI is forwarded (svc/todo-frontend:3000)");
    println!();
    println!(
        "  Todo AI chatbot: http://{addr}   (ready in {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    println!(
        "  kubectl:         export KUBECONFIG={}; kubectl get pods",
        kubeconfig.display()
    );
    if opts.scenario != "none" {
        break_and_repair(&sim, &opts.scenario, &kubeconfig, &charts).await?;
    }
    if opts.check {
        check(&format!("http://{addr}")).await?;
        println!("  check: signed up and added a task through the UI's port: OK");
        sim.stop().await;
        return Ok(());
    }
    println!("  Press Ctrl-C to stop (the pods stop with it).");
    let _ = tokio::signal::ctrl_c().await;
    sim.stop().await;
    Ok(())
}

/// A sign-up and a chat through the forwarded port.
async fn check(url: &str) -> Result<()> {
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()?;
    let email = format!("demo-{}@example.com", std::process::id());
    let r: Value = http
        .post(format!("{url}/api/auth/sign-up/email"))
        .json(&json!({"email": email, "password": "demo-password"}))
        .send()
        .await?
        .json()
        .await?;
    let token = r["token"]
        .as_str()
        .context("sign-up through the frontend returned no token")?
        .to_string();
    let r: Value = http
        .post(format!("{url}/api/chat"))
        .bearer_auth(&token)
        .json(&json!({"message": "add try todo-ops"}))
        .send()
        .await?
        .json()
        .await?;
    if !r["reply"]
        .as_str()
        .unwrap_or_default()
        .contains("Added task")
    {
        bail!("the chat did not add the task: {r}");
    }
    Ok(())
}

/// Breaks the running chatbot with a scenario, shows the diagnosis, applies its suggested
/// values patch with Helm (what `todo-ops fix` does after the person's yes) and waits until
/// the chatbot is healthy again.
async fn break_and_repair(
    sim: &RunningSim,
    name: &str,
    kubeconfig: &Path,
    charts: &Path,
) -> Result<()> {
    let scenario = scenarios::find(name)?;
    println!();
    println!(
        "[5/6] breaking it the way a person would: {} ({})",
        scenario.name, scenario.broken
    );
    scenarios::apply(scenario, kubeconfig, charts).await?;
    let target = ClusterTarget {
        kubeconfig: Some(kubeconfig.to_path_buf()),
        context: None,
        namespace: Some("default".into()),
        ..Default::default()
    };
    let cluster = target.connect().await?;
    let deadline = Instant::now() + Duration::from_secs(90);
    let diagnosis = loop {
        let d = diagnose(&cluster).await?;
        if d.findings.iter().any(|f| f.severity == Severity::Error) {
            break d;
        }
        if Instant::now() > deadline {
            bail!("diagnose found nothing within 90 s of breaking the chatbot with {name}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    println!("      todo-ops diagnose says:\n");
    for line in report::render(&diagnosis, Format::Text).lines() {
        println!("      {line}");
    }
    let fix = diagnosis
        .findings
        .iter()
        .find(|f| f.suggested_patch.is_some() && f.release.is_some());
    println!();
    match fix {
        Some(f) => {
            let (release, patch) = (
                f.release.clone().unwrap_or_default(),
                f.suggested_patch.clone().unwrap_or_default(),
            );
            println!("[6/6] applying the suggested fix: helm upgrade {release} with {patch}");
            scenarios::upgrade(kubeconfig, charts, &release, patch).await?;
        }
        None => {
            println!(
                "[6/6] no values patch is suggested; applying the documented repair: {}",
                scenario.repair
            );
            scenarios::repair(scenario, kubeconfig, charts, "").await?;
        }
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (b, bw) = ready(sim, "todo-backend");
        let (f, fw) = ready(sim, "todo-frontend");
        if bw > 0 && b == bw && f == fw && diagnose(&cluster).await?.findings.is_empty() {
            break;
        }
        if Instant::now() > deadline {
            bail!(
                "the chatbot was not healthy within 2 minutes of the fix; run `todo-ops diagnose`"
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    println!("      healthy again: every pod Ready, diagnose finds nothing");
    Ok(())
}
