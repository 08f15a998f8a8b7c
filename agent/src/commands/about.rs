//! The commands about todo-ops itself: `--version`, `completions`, `man`, `charts export`
//! (and `playbook export`), all driven by the one clap definition and the built-in files.

use std::path::Path;

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::commands::cli::{Cli, CompletionsArgs, ManArgs};
use crate::ops::bundle::Bundled;

/// The Kubernetes API version the typed clients were generated for (k8s-openapi's feature).
pub fn kubernetes_api() -> &'static str {
    // The macro calls itself unqualified, so it must be in scope.
    use k8s_openapi::k8s_match;
    k8s_match!((), {
        k8s_if_1_33!(() => "1.33"),
        k8s_if_1_34!(() => "1.34"),
        k8s_if_1_35!(() => "1.35"),
        k8s_if_1_36!(() => "1.36"),
        k8s_if_1_37!(() => "1.37"),
    })
}

/// What `todo-ops --version` prints: this build, the Helm SDK found (or how to get it), and
/// the Kubernetes API.
pub fn version_text() -> String {
    use todo_ops_tools::helm;
    let helm_line = match (helm::versions(), helm::library_path()) {
        (Ok((c, sdk)), Ok(path)) => {
            format!("Helm SDK {sdk} (libhelm_c {c}) at {}", path.display())
        }
        (Err(e), _) | (_, Err(e)) => format!("Helm SDK: not usable: {e}"),
    };
    format!(
        "todo-ops {}\n{helm_line}\nKubernetes API {} (the typed clients were built for it)\n",
        env!("CARGO_PKG_VERSION"),
        kubernetes_api(),
    )
}

/// `todo-ops completions SHELL`.
pub fn completions(a: &CompletionsArgs) -> Result<u8> {
    let mut cmd = Cli::command();
    clap_complete::generate(a.shell, &mut cmd, "todo-ops", &mut std::io::stdout());
    Ok(0)
}

/// `todo-ops man [--dir DIR]`.
pub fn man(a: &ManArgs) -> Result<u8> {
    let cmd = Cli::command().version(env!("CARGO_PKG_VERSION"));
    match &a.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            clap_mangen::generate_to(cmd, dir)
                .with_context(|| format!("writing man pages into {}", dir.display()))?;
            eprintln!("wrote the man pages into {}", dir.display());
        }
        None => clap_mangen::Man::new(cmd)
            .render(&mut std::io::stdout())
            .context("writing the man page")?,
    }
    Ok(0)
}

/// `todo-ops charts export DIR` and `todo-ops playbook export DIR`.
pub fn export(what: Bundled, dir: &Path) -> Result<u8> {
    let n = what.export(dir)?;
    eprintln!(
        "wrote {n} files of the built-in {} into {}; use them with {} {}",
        what.what(),
        dir.display(),
        what.flag(),
        dir.display()
    );
    Ok(0)
}
