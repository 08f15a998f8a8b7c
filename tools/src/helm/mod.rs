//! A safe Rust API over the real Helm v4 SDK, compiled as the C library `libhelm_c.so`
//! (shipped in the PyPI wheel `helm-python-sdk==0.2.2`), loaded at run time.
//!
//! Every call is a blocking C call: from async code use [`blocking`], which runs it on
//! Tokio's blocking pool, never on a worker thread.

pub mod chart;
pub mod error;
mod ffi;
pub mod install;
pub mod locate;
pub mod release;

pub use chart::{
    Chart, LintMessage, LintOptions, LintReport, RenderOptions, Severity, lint, manifests_to_json,
    values_from_yaml,
};
pub use error::{ErrorCode, HelmError};
pub use release::{ActionOptions, ClusterOptions, HelmClient, Release};

/// Versions of the loaded library: (helm-c, Helm SDK).
pub fn versions() -> Result<(String, String), HelmError> {
    let n = ffi::native()?;
    Ok((n.c_version(), n.sdk_version()))
}

/// Loads the library at `path` (not the one the search would find) and returns its
/// versions: (helm-c, Helm SDK). For checking a fresh install.
pub fn check_library(path: &std::path::Path) -> Result<(String, String), HelmError> {
    // Kept loaded for the life of the process: a Go runtime cannot be unloaded safely.
    let n: &'static ffi::Native = Box::leak(Box::new(ffi::load_from(path.to_path_buf())?));
    Ok((n.c_version(), n.sdk_version()))
}

/// Where the library was loaded from.
pub fn library_path() -> Result<std::path::PathBuf, HelmError> {
    Ok(ffi::native()?.path.clone())
}

/// Live native handles (charts, configs); a leak check for tests.
pub fn open_handles() -> Result<i64, HelmError> {
    Ok(ffi::native()?.open_handles())
}

/// Runs a blocking Helm call off the async workers.
pub async fn blocking<T, F>(operation: &str, f: F) -> Result<T, HelmError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, HelmError> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| HelmError::Worker {
            operation: operation.to_string(),
            reason: e.to_string(),
        })?
}

/// The one way a Helm client is built: `target`'s kubeconfig, context and identity (`--as`
/// written into the kubeconfig Helm reads), in `namespace` (else the target's, else the
/// context's).
pub fn client_for(
    target: &crate::cluster::ClusterTarget,
    namespace: Option<&str>,
) -> Result<HelmClient, HelmError> {
    let acting_as = target.impersonate.is_some() || !target.impersonate_groups.is_empty();
    let invalid = |reason: String| HelmError::InvalidInput {
        operation: "configure cluster access".into(),
        reason,
    };
    let kubeconfig_content = match acting_as {
        true => {
            let kc = target.kubeconfig().map_err(|e| invalid(e.to_string()))?;
            Some(serde_norway::to_string(&kc).map_err(|e| invalid(e.to_string()))?)
        }
        false => None,
    };
    HelmClient::new(&ClusterOptions {
        kubeconfig_path: target.kubeconfig.clone().filter(|_| !acting_as),
        kubeconfig_content,
        kube_context: target.context.clone(),
        namespace: namespace
            .map(str::to_string)
            .or_else(|| target.namespace.clone()),
        ..Default::default()
    })
}
