//! The flags of the commands about todo-ops itself: set-up, charts export, completions, man.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// `charts` subcommands.
#[derive(Debug, Subcommand)]
pub enum ChartsCommand {
    /// Write the built-in charts into a new or empty folder, to edit them and use them with
    /// --charts (or the settings file's `charts`).
    Export {
        /// The folder to write.
        dir: PathBuf,
    },
}

/// `setup` subcommands.
#[derive(Debug, Subcommand)]
pub enum SetupCommand {
    /// Fetch the pinned helm-python-sdk wheel from PyPI, check its sha256 and install the
    /// Helm SDK library (libhelm_c.so) into your data folder, where todo-ops finds it.
    Helm(SetupHelmArgs),
}

/// Options of `setup helm`.
#[derive(Debug, Clone, Args)]
pub struct SetupHelmArgs {
    /// Use this copy of the wheel instead of downloading it (it is checked all the same).
    #[arg(long, value_name = "FILE")]
    pub wheel: Option<PathBuf>,
    /// Install into this folder (default: $XDG_DATA_HOME/todo-ops/lib).
    #[arg(long, value_name = "DIR")]
    pub dest: Option<PathBuf>,
    /// Also keep the downloaded wheel in this folder.
    #[arg(long, value_name = "DIR")]
    pub keep_wheel: Option<PathBuf>,
    /// The package index, PEP 691 JSON (default: PyPI).
    #[arg(
        long,
        env = "TODO_OPS_PYPI_INDEX",
        default_value = "https://pypi.org/simple"
    )]
    pub index_url: String,
    /// Install again even when the folder already holds this version.
    #[arg(long)]
    pub force: bool,
    /// Seconds allowed for each download.
    #[arg(long, default_value_t = 600)]
    pub timeout_secs: u64,
}

/// Options of `completions`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Options of `man`.
#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// Write todo-ops.1 and one page per command (todo-ops-diagnose.1, …) into this folder.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}
