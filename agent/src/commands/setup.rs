//! `todo-ops setup helm`: the Helm SDK library from the pinned PyPI wheel into the user's
//! data folder (or `--dest`). The one implementation: `scripts/install-helm-lib` runs it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use todo_ops_tools::helm::install::PINNED;
use todo_ops_tools::helm::locate::{self, Search};
use todo_ops_tools::user_dirs::UserDir;

use crate::commands::cli::{SetupCommand, SetupHelmArgs};

/// Runs a `setup` subcommand.
pub async fn run(c: &SetupCommand) -> Result<u8> {
    match c {
        SetupCommand::Helm(a) => helm(a).await,
    }
}

async fn helm(a: &SetupHelmArgs) -> Result<u8> {
    let (os, arch) = (std::env::consts::OS, std::env::consts::ARCH);
    if !PINNED.supports(os, arch) {
        bail!(
            "the {} {} wheel carries libhelm_c.so for Linux x86_64 only, not {os} {arch}; build helm-c for this platform and set HELM_C_LIB=/path/to/libhelm_c.so",
            PINNED.project,
            PINNED.version
        );
    }
    let dest = a
        .dest
        .clone()
        .unwrap_or_else(|| locate::user_install_dir(&UserDir::Data.path()));
    let wheel_kept = a
        .keep_wheel
        .as_ref()
        .is_none_or(|d| d.join(PINNED.filename).is_file());
    if PINNED.installed_in(&dest) && wheel_kept && !a.force {
        eprintln!(
            "the Helm SDK library {} is already installed in {} (--force installs it again)",
            PINNED.version,
            dest.display()
        );
        return Ok(0);
    }
    let (source, wheel) = match &a.wheel {
        Some(p) => (
            p.display().to_string(),
            std::fs::read(p).with_context(|| format!("reading the wheel {}", p.display()))?,
        ),
        None => download(a).await?,
    };
    let lib = PINNED.library_from_wheel(&source, &wheel)?;
    if let Some(dir) = &a.keep_wheel {
        keep(dir, &wheel)?;
    }
    let path = PINNED.install(&lib, &dest)?;
    let (c, sdk) = todo_ops_tools::helm::check_library(&path).with_context(|| {
        format!(
            "{} was installed but does not load on this system",
            path.display()
        )
    })?;
    println!(
        "installed {} (Helm SDK {sdk}, libhelm_c {c})",
        path.display()
    );
    let first = Search::from_env()
        .candidates()
        .into_iter()
        .find(|p| p.is_file());
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    if let Some(other) = first.filter(|f| canonical(f) != canonical(&path)) {
        eprintln!(
            "note: todo-ops finds {} before this one (HELM_C_LIB, or a library beside the binary, wins)",
            other.display()
        );
    }
    Ok(0)
}

/// The pinned wheel from the index, with timeouts on every request.
async fn download(a: &SetupHelmArgs) -> Result<(String, Vec<u8>)> {
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(20))
        .timeout(Duration::from_secs(a.timeout_secs))
        .build()
        .context("building the HTTP client")?;
    let page_url = PINNED.index_page(&a.index_url);
    let page = http
        .get(&page_url)
        .header("Accept", "application/vnd.pypi.simple.v1+json")
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .with_context(|| fetch_failed(&page_url))?
        .text()
        .await
        .with_context(|| fetch_failed(&page_url))?;
    let url = PINNED.url_in_index(&page)?;
    eprintln!("fetching {} from {url}", PINNED.filename);
    let wheel = http
        .get(&url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .with_context(|| fetch_failed(&url))?
        .bytes()
        .await
        .with_context(|| fetch_failed(&url))?;
    Ok((url, wheel.to_vec()))
}

fn fetch_failed(url: &str) -> String {
    format!(
        "fetching {url} failed; check the network (a proxy is read from HTTPS_PROXY), or download {} yourself and pass --wheel FILE",
        PINNED.filename
    )
}

fn keep(dir: &Path, wheel: &[u8]) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let p = dir.join(PINNED.filename);
    std::fs::write(&p, wheel).with_context(|| format!("writing {}", p.display()))?;
    Ok(p)
}
