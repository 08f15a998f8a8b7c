//! The emulator's and the demo's options: `demo`, `sim start|serve|stop|status|scenario|port-forward`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{ClusterArgs, default_kubeconfig};

/// Options of `demo`.
#[derive(Debug, Clone, Args)]
pub struct Demo {
    /// Local port for the chat UI.
    #[arg(long, default_value_t = 3000)]
    pub port: u16,
    /// Use this database (e.g. postgres://…); default: a SQLite file in the state folder.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// The charts folder (default: the settings file's `charts`, else the built-in charts).
    #[arg(long)]
    pub charts: Option<PathBuf>,
    /// Where the kubeconfig and the SQLite file go.
    #[arg(long)]
    pub state_dir: Option<PathBuf>,
    /// Sign up and chat once through the UI's port, then exit (for CI).
    #[arg(long)]
    pub check: bool,
    /// Once it runs: break it with this scenario, diagnose, apply the suggested fix
    /// (`none` to skip; `todo-ops sim scenario --list` lists them).
    #[arg(long, default_value = "memory-limit-low")]
    pub scenario: String,
}

/// `todo-ops sim …`.
#[derive(Debug, Subcommand)]
pub enum SimCommand {
    /// Start kubesim in the background and write its kubeconfig (context `kubesim`).
    Start(SimStart),
    /// Stop a kubesim started with `sim start`.
    Stop(SimTarget),
    /// Say whether kubesim is running, and where.
    Status(SimTarget),
    /// Break the chatbot running on kubesim the way a person would (see `--list`).
    Scenario(ScenarioArgs),
    /// Forward a local port to a Service of kubesim (svc/NAME [LOCAL:]PORT), until Ctrl-C.
    PortForward(PortForwardArgs),
    /// Run kubesim in the foreground until interrupted (what `start` runs).
    #[command(hide = true)]
    Serve(SimStart),
}

/// Options of `sim start`.
#[derive(Debug, Clone, Args)]
pub struct SimStart {
    /// Port on 127.0.0.1 (default: any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Where to write the kubeconfig.
    #[arg(long, env = "TODO_OPS_SIM_KUBECONFIG", default_value_os_t = default_kubeconfig())]
    pub kubeconfig: PathBuf,
    /// Speed-up of controller delays (back-offs, deadlines), e.g. 10 for tests.
    #[arg(long, default_value_t = 1.0)]
    pub time_scale: f64,
    /// The node's allocatable CPU.
    #[arg(long, default_value = "2")]
    pub node_cpu: String,
    /// The node's allocatable memory.
    #[arg(long, default_value = "3936Mi")]
    pub node_memory: String,
    /// How many nodes (each with --node-cpu and --node-memory): `kubesim` runs the control
    /// plane, the others are `kubesim-m02`, `kubesim-m03`, … as minikube names them.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub nodes: u16,
    /// Stay in the foreground (Ctrl-C stops).
    #[arg(long)]
    pub foreground: bool,
    /// How pods run: `processes` (each container a local program) or `instant` (pods go
    /// Ready at once, nothing runs).
    #[arg(long, value_enum, default_value_t = Runtime::Processes)]
    pub runtime: Runtime,
    /// After start: install the chatbot's charts and break it with this scenario.
    #[arg(long)]
    pub scenario: Option<String>,
    /// The charts folder (default: the settings file's `charts`, else the built-in charts).
    #[arg(long)]
    pub charts: Option<PathBuf>,
    /// Extra image mappings: `REPOSITORY=PROGRAM` runs every tag of the repository,
    /// `REPOSITORY:TAG=PROGRAM` one tag (todo-backend and todo-frontend map to the binaries
    /// next to todo-ops, with the tags they are built with).
    #[arg(long = "image", value_name = "IMAGE=PROGRAM")]
    pub images: Vec<String>,
    /// Pods share this machine's network, each container port on a loopback port of its
    /// own, instead of each pod having its own network namespace, address and DNS (which
    /// needs root or CAP_NET_ADMIN; without it this is what happens anyway).
    #[arg(long)]
    pub host_network: bool,
}

/// Pod runtimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Runtime {
    /// Containers run as local processes.
    Processes,
    /// Pods go Running/Ready at once.
    Instant,
}

/// Options of `sim port-forward`.
#[derive(Debug, Clone, Args)]
pub struct PortForwardArgs {
    /// The Service, as svc/NAME.
    pub target: String,
    /// `[LOCAL:]REMOTE`; LOCAL 0 picks a free port.
    pub ports: String,
    /// Which cluster and namespace.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// Options of `sim scenario`.
#[derive(Debug, Clone, Args)]
pub struct ScenarioArgs {
    /// The scenario to apply.
    #[arg(required_unless_present = "list")]
    pub name: Option<String>,
    /// List the scenarios: what each breaks and the change that repairs it.
    #[arg(long)]
    pub list: bool,
    /// The charts folder (default: the settings file's `charts`, else the built-in charts).
    #[arg(long)]
    pub charts: Option<PathBuf>,
    /// Which kubesim.
    #[command(flatten)]
    pub target: SimTarget,
}

/// Which running kubesim.
#[derive(Debug, Clone, Args)]
pub struct SimTarget {
    /// The kubeconfig `sim start` wrote.
    #[arg(long, env = "TODO_OPS_SIM_KUBECONFIG", default_value_os_t = default_kubeconfig())]
    pub kubeconfig: PathBuf,
}
