//! `todo-ops sim start|stop|status|serve`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use kubesim::controllers::{ControllerConfig, PodRuntime};
use kubesim::kubelet::images::ImageTable;
use kubesim::server::{RunningSim, SimConfig};

use crate::commands::cli::{Runtime, ScenarioArgs, SimStart, SimTarget};
use crate::ops::install;
use crate::ops::scenarios;

fn pid_file(kubeconfig: &Path) -> PathBuf {
    kubeconfig.with_extension("pid")
}

fn log_file(kubeconfig: &Path) -> PathBuf {
    kubeconfig.with_extension("log")
}

fn read_pid(kubeconfig: &Path) -> Option<u32> {
    std::fs::read_to_string(pid_file(kubeconfig))
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

fn signal(pid: u32, sig: &str) -> Result<()> {
    let ok = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .context("running kill")?
        .success();
    if !ok {
        bail!("could not signal kubesim (pid {pid})");
    }
    Ok(())
}

fn sim_config(opts: &SimStart) -> Result<SimConfig> {
    if !(opts.time_scale > 0.0 && opts.time_scale.is_finite()) {
        bail!(
            "--time-scale must be a number greater than 0 (got {})",
            opts.time_scale
        );
    }
    Ok(SimConfig {
        port: opts.port,
        node_cpu: opts.node_cpu.clone(),
        node_memory: opts.node_memory.clone(),
        nodes: usize::from(opts.nodes),
        controllers: ControllerConfig {
            time_scale: opts.time_scale,
            runtime: match opts.runtime {
                Runtime::Processes => PodRuntime::Processes,
                Runtime::Instant => PodRuntime::Instant,
            },
            ..Default::default()
        },
        images: image_table(opts)?,
        pod_network: !opts.host_network,
    })
}

/// The default image table (the app binaries next to this executable) plus `--image`s.
fn image_table(opts: &SimStart) -> Result<ImageTable> {
    let mut table = ImageTable::default();
    table.add_stock();
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        for app in ["todo-backend", "todo-frontend"] {
            let bin = dir.join(app);
            if bin.is_file() {
                table.add_built(app, &bin);
            }
        }
    }
    for spec in &opts.images {
        table.add(spec).map_err(anyhow::Error::msg)?;
    }
    Ok(table)
}

/// `sim serve`: runs until SIGTERM or Ctrl-C.
pub async fn serve(opts: &SimStart) -> Result<()> {
    let sim = RunningSim::start(sim_config(opts)?).await?;
    sim.write_kubeconfig(&opts.kubeconfig)?;
    std::fs::write(pid_file(&opts.kubeconfig), std::process::id().to_string())
        .with_context(|| format!("writing {}", pid_file(&opts.kubeconfig).display()))?;
    println!("kubesim is running at {}", sim.url());
    println!("  export KUBECONFIG={}", opts.kubeconfig.display());
    wait_for_signal().await;
    sim.stop().await;
    let _ = std::fs::remove_file(pid_file(&opts.kubeconfig));
    Ok(())
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// `sim start`: a background `sim serve`, waited for until its kubeconfig is written.
pub async fn start(opts: &SimStart) -> Result<()> {
    sim_config(opts)?;
    if opts.foreground {
        return serve(opts).await;
    }
    if let Some(pid) = read_pid(&opts.kubeconfig).filter(|p| alive(*p)) {
        bail!(
            "kubesim is already running (pid {pid}, kubeconfig {}); stop it with `todo-ops sim stop` first",
            opts.kubeconfig.display()
        );
    }
    if let Some(dir) = opts
        .kubeconfig
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let _ = std::fs::remove_file(&opts.kubeconfig);
    let log = std::fs::File::create(log_file(&opts.kubeconfig))
        .context("creating the kubesim log file")?;
    let exe = std::env::current_exe().context("locating the todo-ops binary")?;
    let mut cmd = Command::new(exe);
    cmd.args([
        "sim",
        "serve",
        "--port",
        &opts.port.to_string(),
        "--time-scale",
        &opts.time_scale.to_string(),
    ])
    .args([
        "--node-cpu",
        &opts.node_cpu,
        "--node-memory",
        &opts.node_memory,
        "--nodes",
        &opts.nodes.to_string(),
        // Regression: the runtime never reached the background server.
        "--runtime",
        match opts.runtime {
            Runtime::Processes => "processes",
            Runtime::Instant => "instant",
        },
    ])
    .arg("--kubeconfig")
    .arg(&opts.kubeconfig);
    // Regression: extra image mappings reach the background server too.
    for spec in &opts.images {
        cmd.arg("--image").arg(spec);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log));
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Its own process group: the shell's Ctrl-C or exit does not take it down.
        cmd.process_group(0);
    }
    let mut child = cmd.spawn().context("starting kubesim")?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while !(opts.kubeconfig.exists() && pid_file(&opts.kubeconfig).exists()) {
        if let Some(status) = child.try_wait()? {
            let log = std::fs::read_to_string(log_file(&opts.kubeconfig)).unwrap_or_default();
            bail!("kubesim exited during start-up ({status}):\n{log}");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            bail!(
                "kubesim did not start within 20 s; see {}",
                log_file(&opts.kubeconfig).display()
            );
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    println!("kubesim is running (pid {}).", child.id());
    if let Some(name) = &opts.scenario {
        let scenario = scenarios::find(name)?;
        let charts = install::charts_dir(opts.charts.as_deref())?;
        let db = opts.kubeconfig.with_extension("db");
        install::install_chatbot(
            &opts.kubeconfig,
            &charts,
            &format!("sqlite://{}", db.display()),
            serde_json::json!({}),
        )
        .await?;
        println!("todo-backend, todo-frontend: installed");
        wait_rolled_out(&opts.kubeconfig).await?;
        scenarios::apply(scenario, &opts.kubeconfig, &charts).await?;
        println!("scenario {}: {}", scenario.name, scenario.broken);
    }
    println!("  export KUBECONFIG={}", opts.kubeconfig.display());
    println!("  kubectl get nodes");
    println!("Stop it with `todo-ops sim stop`.");
    Ok(())
}

/// `sim stop`: SIGTERM, then SIGKILL after 10 s.
pub async fn stop(t: &SimTarget) -> Result<()> {
    let Some(pid) = read_pid(&t.kubeconfig).filter(|p| alive(*p)) else {
        let _ = std::fs::remove_file(pid_file(&t.kubeconfig));
        println!(
            "kubesim is not running (no live process for {}).",
            t.kubeconfig.display()
        );
        return Ok(());
    };
    signal(pid, "-TERM")?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(pid) {
        if Instant::now() > deadline {
            signal(pid, "-KILL")?;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let _ = std::fs::remove_file(pid_file(&t.kubeconfig));
    println!("kubesim stopped (pid {pid}).");
    Ok(())
}

/// `sim status`.
pub fn status(t: &SimTarget) -> Result<bool> {
    match read_pid(&t.kubeconfig).filter(|p| alive(*p)) {
        Some(pid) => {
            println!(
                "kubesim is running (pid {pid}); KUBECONFIG={}",
                t.kubeconfig.display()
            );
            Ok(true)
        }
        None => {
            println!("kubesim is not running.");
            Ok(false)
        }
    }
}

/// Waits until both Deployments of the chatbot are rolled out.
async fn wait_rolled_out(kubeconfig: &Path) -> Result<()> {
    let cluster = crate::ops::connect::kubeconfig_target(kubeconfig)
        .connect()
        .await?;
    let names = ["todo-backend", "todo-frontend"];
    let timeout = std::time::Duration::from_secs(120);
    if !install::wait_rolled_out(&cluster, &names, timeout, &mut |_| {}).await? {
        bail!(
            "the chatbot's deployments did not roll out within 120 s; look with `kubectl get pods`"
        );
    }
    Ok(())
}

/// `sim scenario`.
pub async fn scenario(a: &ScenarioArgs) -> Result<()> {
    if a.list {
        for s in scenarios::SCENARIOS {
            println!("{:<26} {}", s.name, s.broken);
            println!("{:<26} repair: {}", "", s.repair);
        }
        return Ok(());
    }
    let name = a.name.as_deref().unwrap_or_default();
    let s = scenarios::find(name)?;
    if read_pid(&a.target.kubeconfig)
        .filter(|p| alive(*p))
        .is_none()
    {
        bail!(
            "kubesim is not running; start it with `todo-ops sim start --scenario {name}` (installs the chatbot too)"
        );
    }
    let charts = install::charts_dir(a.charts.as_deref())?;
    scenarios::apply(s, &a.target.kubeconfig, &charts).await?;
    println!("scenario {}: {}", s.name, s.broken);
    println!("repair: {}", s.repair);
    Ok(())
}
