//! `todo-ops deploy` and `undeploy`: the chatbot on Minikube (images built into the node)
//! or on whatever cluster the kubeconfig points at, installed or upgraded in place with the
//! Helm SDK, waited for, and port-forwarded for the person.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use todo_ops_tools::cluster::Cluster;
use todo_ops_tools::helm::{self, ActionOptions, Chart};

use crate::commands::cli::{DeployArgs, DeployTarget, UndeployArgs};

/// The two releases, in install order, with their Service ports.
pub const RELEASES: [(&str, u16); 2] = [("todo-backend", 8000), ("todo-frontend", 3000)];

/// A program this command needs, and how to get it.
fn require(program: &str, fix: &str) -> Result<PathBuf> {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .with_context(|| format!("{program} is not installed (not on PATH): {fix}"))
}

/// The commands that prepare Minikube, in order: status, then one image build per app.
pub fn minikube_commands(tag: &str) -> Vec<Vec<String>> {
    let mut out = vec![vec![
        "minikube".into(),
        "status".into(),
        "-o".into(),
        "json".into(),
    ]];
    for (app, _) in RELEASES {
        let kind = app.trim_start_matches("todo-");
        out.push(
            [
                "minikube",
                "image",
                "build",
                "-t",
                &format!("{app}:{tag}"),
                "-f",
                &format!("app/Dockerfile.{kind}"),
                ".",
            ]
            .map(String::from)
            .to_vec(),
        );
    }
    out
}

/// Whether `minikube status -o json` says the cluster runs; else what to do.
pub fn minikube_running(status_json: &str) -> Result<(), String> {
    let v: Value = serde_json::from_str(status_json.trim()).unwrap_or(Value::Null);
    // One node prints an object, several an array; the first node is the control plane.
    let node = if v.is_array() { &v[0] } else { &v };
    let parts = ["Host", "Kubelet", "APIServer"];
    let down: Vec<String> = parts
        .iter()
        .filter(|k| node[**k] != "Running")
        .map(|k| format!("{k}={}", node[*k].as_str().unwrap_or("unknown")))
        .collect();
    if down.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "minikube is not running ({}): run `minikube start`, or pass --start",
            down.join(", ")
        ))
    }
}

fn run_command(argv: &[String], dir: &Path) -> Result<std::process::Output> {
    let out = std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .current_dir(dir)
        .output()
        .with_context(|| format!("running {}", argv.join(" ")))?;
    Ok(out)
}

/// Whether `source` holds what the image builds need; else what to do.
fn check_source(source: &Path) -> Result<()> {
    let missing: Vec<String> = RELEASES
        .iter()
        .map(|(app, _)| format!("app/Dockerfile.{}", app.trim_start_matches("todo-")))
        .filter(|f| !source.join(f).is_file())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    bail!(
        "building the images needs the todo-ops source tree, and {} has no {}; run from a checkout, pass --source DIR, or load todo-backend and todo-frontend images into Minikube yourself and pass --no-build",
        source.display(),
        missing.join(" or ")
    )
}

/// Checks Minikube (starting it when asked) and builds both images into its node.
fn prepare_minikube(a: &DeployArgs, repo: &Path) -> Result<()> {
    require(
        "minikube",
        "install it (https://minikube.sigs.k8s.io/docs/start/) or deploy to the current context with --target current",
    )?;
    require(
        "docker",
        "minikube's default driver needs Docker (https://docs.docker.com/engine/install/); or pick another with minikube start --driver",
    )?;
    if !a.no_build {
        check_source(repo)?;
    }
    let cmds = minikube_commands(&a.tag);
    let status = run_command(&cmds[0], repo)?;
    if let Err(why) = minikube_running(&String::from_utf8_lossy(&status.stdout)) {
        if !a.start {
            bail!(why);
        }
        println!("starting minikube …");
        let started = run_command(&["minikube".into(), "start".into()], repo)?;
        if !started.status.success() {
            bail!(
                "minikube start failed: {}",
                String::from_utf8_lossy(&started.stderr).trim()
            );
        }
    }
    let builds = if a.no_build { &cmds[..0] } else { &cmds[1..] };
    for build in builds {
        println!("{}", build.join(" "));
        let out = run_command(build, repo)?;
        if !out.status.success() {
            bail!(
                "{} failed: {}",
                build.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
    }
    Ok(())
}

/// The values of each release for this deployment.
pub fn release_values(a: &DeployArgs, charts: &Path, release: &str) -> Result<Value> {
    let env = match a.target {
        DeployTarget::Minikube => Some("minikube"),
        DeployTarget::Current => None,
    };
    let mut values = match env {
        Some(env) => {
            let file = charts.join(release).join(format!("values-{env}.yaml"));
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            helm::values_from_yaml(&text)?
        }
        None => json!({}),
    };
    values["image"]["tag"] = json!(a.tag);
    if release == "todo-backend" {
        if let Some(url) = &a.database_url {
            values["secrets"]["databaseUrl"] = json!(url);
            if let Some(dir) = crate::ops::install::sqlite_folder(url) {
                values["sqliteHostPath"] = json!(dir);
            }
        } else if a.target == DeployTarget::Current {
            // Regression: a fresh state folder was never created, so the backend could not
            // open its SQLite file and the deploy waited out its timeout.
            let dir = todo_ops_tools::user_dirs::UserDir::State.path();
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("creating the state folder {}", dir.display()))?;
            let db = dir.join("deploy.db");
            values["secrets"]["databaseUrl"] = json!(format!("sqlite://{}", db.display()));
            values["sqliteHostPath"] = json!(dir.display().to_string());
        }
    }
    Ok(values)
}

/// `todo-ops deploy`.
pub async fn deploy(a: &DeployArgs) -> Result<u8> {
    let charts = crate::ops::install::charts_dir(a.charts.as_deref())?;
    if a.target == DeployTarget::Minikube {
        prepare_minikube(a, &a.source)?;
    }
    let cluster = a.cluster.target().connect().await?;
    let client = crate::ops::connect::helm_client(&a.cluster.target(), Some(&cluster.namespace))?;
    for (release, _) in RELEASES {
        let values = release_values(a, &charts, release)?;
        let chart = Chart::load(charts.join(release))?;
        let c = client.clone();
        let exists = {
            let c = client.clone();
            helm::blocking("status", move || c.status(release))
                .await
                .is_ok()
        };
        let r = helm::blocking("install or upgrade", move || {
            if exists {
                c.upgrade(&chart, release, &values, &ActionOptions::restoring())
            } else {
                c.install(&chart, release, &values, &ActionOptions::default())
            }
        })
        .await
        .with_context(|| {
            format!(
                "helm {} {release}",
                if exists { "upgrade" } else { "install" }
            )
        })?;
        println!(
            "{release}: {} (revision {})",
            if exists { "upgraded" } else { "installed" },
            r.revision
        );
    }
    let names = RELEASES.map(|(r, _)| r);
    let timeout = Duration::from_secs(a.timeout_secs);
    let rolled_out =
        crate::ops::install::wait_rolled_out(&cluster, &names, timeout, &mut |states| {
            for (r, s) in states {
                println!("  {r}: {s}");
            }
        })
        .await?;
    if !rolled_out {
        bail!(
            "the chatbot did not roll out within {} s; run `todo-ops diagnose` to see why",
            timeout.as_secs()
        );
    }
    if a.no_port_forward {
        return Ok(0);
    }
    forward(&cluster, a).await
}

fn pid_file() -> PathBuf {
    todo_ops_tools::user_dirs::UserDir::State
        .path()
        .join("deploy-port-forward.pid")
}

/// Forwards both Services until Ctrl-C or `undeploy`, through the API server's
/// `pods/portforward` (no kubectl needed).
async fn forward(cluster: &Cluster, a: &DeployArgs) -> Result<u8> {
    let pid = pid_file();
    if let Some(dir) = pid.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&pid, std::process::id().to_string())
        .with_context(|| format!("writing {}", pid.display()))?;
    let ports = [
        (RELEASES[0].0, a.backend_port, 8000),
        (RELEASES[1].0, a.frontend_port, 3000),
    ];
    let mut tasks = Vec::new();
    for (svc, local, remote) in ports {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", local))
            .await
            .with_context(|| {
                format!(
                    "port {local} is taken; pass another with --{}-port",
                    svc.trim_start_matches("todo-")
                )
            })?;
        println!("{svc}: http://{}", listener.local_addr()?);
        tasks.push(tokio::spawn(crate::ops::port_forward::serve(
            cluster.clone(),
            svc.to_string(),
            remote,
            listener,
        )));
    }
    println!("Forwarding; Ctrl-C or `todo-ops undeploy` stops it.");
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    for t in tasks {
        t.abort();
    }
    let _ = std::fs::remove_file(&pid);
    Ok(0)
}

/// `todo-ops undeploy`: stops a running deploy's port-forwards, uninstalls both releases.
pub async fn undeploy(a: &UndeployArgs) -> Result<u8> {
    if let Ok(text) = std::fs::read_to_string(pid_file()) {
        if let Ok(pid) = text.trim().parse::<u32>() {
            // A stale pid of an exited process is simply not signalled.
            if kubesim::kubelet::process::terminate(pid) {
                println!("stopped the port-forwards (process {pid})");
            }
        }
        let _ = std::fs::remove_file(pid_file());
    }
    let cluster = a.cluster.target().connect().await?;
    let client = crate::ops::connect::helm_client(&a.cluster.target(), Some(&cluster.namespace))?;
    for (release, _) in RELEASES.iter().rev() {
        let c = client.clone();
        let name = release.to_string();
        match helm::blocking("uninstall", move || c.uninstall(&name)).await {
            Ok(_) => println!("{release}: uninstalled"),
            Err(e) if e.to_string().contains("not found") => println!("{release}: not installed"),
            Err(e) => return Err(e).with_context(|| format!("helm uninstall {release}")),
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_without_the_dockerfiles_is_refused_naming_the_way_out() {
        let empty = std::env::temp_dir().join(format!("no-source-{}", std::process::id()));
        std::fs::create_dir_all(&empty).unwrap();
        let e = super::check_source(&empty).unwrap_err().to_string();
        assert!(
            e.contains("app/Dockerfile.backend")
                && e.contains("--source")
                && e.contains("--no-build"),
            "{e}"
        );
        let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        assert!(super::check_source(&repo).is_ok());
        std::fs::remove_dir(&empty).unwrap();
    }

    #[test]
    fn minikube_is_checked_then_both_images_are_built_into_it() {
        let cmds: Vec<String> = minikube_commands("latest")
            .iter()
            .map(|c| c.join(" "))
            .collect();
        assert_eq!(
            cmds,
            [
                "minikube status -o json",
                "minikube image build -t todo-backend:latest -f app/Dockerfile.backend .",
                "minikube image build -t todo-frontend:latest -f app/Dockerfile.frontend .",
            ]
        );
    }

    #[test]
    fn minikube_status_is_read_from_its_json() {
        let running = r#"{"Name":"minikube","Host":"Running","Kubelet":"Running","APIServer":"Running","Kubeconfig":"Configured"}"#;
        assert!(minikube_running(running).is_ok());
        let stopped = r#"{"Name":"minikube","Host":"Stopped","Kubelet":"Stopped","APIServer":"Stopped","Kubeconfig":"Stopped"}"#;
        let err = minikube_running(stopped).unwrap_err();
        assert!(
            err.contains("Host=Stopped") && err.contains("minikube start"),
            "{err}"
        );
        // No profile at all: minikube prints nothing useful on stdout.
        assert!(minikube_running("").unwrap_err().contains("Host=unknown"));
        let multi = format!("[{running}]");
        assert!(minikube_running(&multi).is_ok());
    }
}
