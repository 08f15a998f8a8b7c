//! Installing the chatbot's two charts with the Helm SDK, shared by `demo` and `sim start`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use kubesim::kubelet::images::ImageTable;
use serde_json::{Value, json};
use todo_ops_tools::helm::{self, ActionOptions, Chart};

use crate::ops::connect::kubeconfig_target;

/// The charts folder: `given` (`--charts`), the settings file's, else the built-in charts.
pub fn charts_dir(given: Option<&Path>) -> Result<PathBuf> {
    Ok(crate::ops::bundle::Bundled::Charts.folder(given)?)
}

/// Installs todo-backend (with `database_url` and `extra` backend values) and todo-frontend.
pub async fn install_chatbot(
    kubeconfig: &Path,
    charts: &Path,
    database_url: &str,
    extra: Value,
) -> Result<()> {
    let client = crate::ops::connect::helm_client(&kubeconfig_target(kubeconfig), None)?;
    // IfNotPresent (the chart default): kubesim's image table is the node's image cache, so a
    // tag it lacks is pulled and fails with ErrImagePull, as on a real node.
    let mut base = json!({"secrets": {"databaseUrl": database_url}});
    if let Some(dir) = sqlite_folder(database_url) {
        base["sqliteHostPath"] = json!(dir);
    }
    let backend = todo_ops_tools::values::ValuesPatch(extra).apply_to(&base);
    for (name, values) in [("todo-backend", backend), ("todo-frontend", json!({}))] {
        let chart = Chart::load(charts.join(name))?;
        let c = client.clone();
        helm::blocking("install", move || {
            c.install(&chart, name, &values, &ActionOptions::default())
        })
        .await
        .with_context(|| format!("installing {name}"))?;
    }
    Ok(())
}

/// The folder of a `sqlite://` database file, which the backend's pod must mount to see it
/// (its container has its own filesystem, as on any cluster).
pub fn sqlite_folder(database_url: &str) -> Option<String> {
    let path = database_url.strip_prefix("sqlite://")?.split('?').next()?;
    let dir = std::path::Path::new(path).parent()?;
    // The root, and /tmp where the chart mounts a volume of its own, cannot be mounted.
    let unmountable = ["/", "/tmp"].iter().any(|u| dir == std::path::Path::new(u));
    (dir.is_absolute() && !unmountable).then(|| dir.display().to_string())
}

/// Deployment names with their rollout state in kubectl's words.
pub type RolloutStates = [(String, String)];

/// Polls the Deployments `names` until every one is rolled out (true) or `timeout` passes
/// (false), calling `on_change` with their states in kubectl's words whenever they change.
pub async fn wait_rolled_out(
    cluster: &todo_ops_tools::cluster::Cluster,
    names: &[&str],
    timeout: std::time::Duration,
    on_change: &mut (dyn FnMut(&RolloutStates) + Send),
) -> Result<bool> {
    use k8s_openapi::api::apps::v1::Deployment;
    use todo_ops_tools::tools::list_deployments::rollout_state;
    let api: kube::Api<Deployment> =
        kube::Api::namespaced(cluster.client.clone(), &cluster.namespace);
    let deadline = std::time::Instant::now() + timeout;
    let mut last = Vec::new();
    loop {
        let mut states = Vec::new();
        for name in names {
            let state = match api.get_opt(name).await.map_err(|e| cluster.error(e))? {
                Some(d) => rollout_state(&serde_json::to_value(&d)?),
                None => "no deployment yet".into(),
            };
            states.push((name.to_string(), state));
        }
        if states != last {
            on_change(&states);
            last = states.clone();
        }
        if states.iter().all(|(_, s)| s == "successfully rolled out") {
            return Ok(true);
        }
        if std::time::Instant::now() >= deadline {
            return Ok(false);
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

/// The image table of the app binaries built next to this executable.
pub fn app_images() -> Result<ImageTable> {
    let exe = std::env::current_exe().context("locating todo-ops")?;
    let dir = exe.parent().context("todo-ops has no folder")?;
    // Next to todo-ops, or one level up (tests and benches run from target/<profile>/deps).
    let dirs = [
        dir.to_path_buf(),
        dir.parent().map(Path::to_path_buf).unwrap_or_default(),
    ];
    let mut table = ImageTable::default();
    table.add_stock();
    for app in ["todo-backend", "todo-frontend"] {
        let Some(bin) = dirs.iter().map(|d| d.join(app)).find(|b| b.is_file()) else {
            bail!(
                "{app} is missing next to {}; put it there: in a checkout `cargo build -p todo-app --bins`, or install it beside todo-ops with `cargo install --path app --bin {app}`",
                dir.display()
            );
        };
        table.add_built(app, &bin);
    }
    Ok(table)
}
