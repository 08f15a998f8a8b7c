//! The operating commands' options: fix, deploy, undeploy, eval, mcp, playbook.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::ClusterArgs;

/// Options of `fix`.
#[derive(Debug, Clone, Args)]
pub struct FixArgs {
    /// Show the values and manifest diffs only; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Apply without asking (automation only).
    #[arg(long)]
    pub yes: bool,
    /// How long a rollout may take before the fix is rolled back, in seconds.
    #[arg(long, default_value_t = 180)]
    pub timeout_secs: u64,
    /// The charts folder (default: the settings file's `charts`, else the built-in charts).
    #[arg(long)]
    pub charts: Option<PathBuf>,
    /// The approval policy.
    #[command(flatten)]
    pub gate: super::PolicyArgs,
    /// The audit log.
    #[command(flatten)]
    pub audit: super::AuditArgs,
    /// Which cluster and namespace.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// Where `deploy` puts the chatbot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeployTarget {
    /// Minikube: checks `minikube status`, builds both images into the node, uses the
    /// charts' values-minikube.yaml.
    Minikube,
    /// The kubeconfig's current context as it is (e.g. kubesim), chart defaults.
    Current,
}

/// Options of `deploy`.
#[derive(Debug, Clone, Args)]
pub struct DeployArgs {
    /// Where to deploy.
    #[arg(long, value_enum, default_value_t = DeployTarget::Minikube)]
    pub target: DeployTarget,
    /// Start Minikube when it is stopped.
    #[arg(long)]
    pub start: bool,
    /// The image tag to build and deploy.
    #[arg(long, default_value = "latest")]
    pub tag: String,
    /// The backend's database (default: in-cluster Postgres on Minikube, a SQLite file in
    /// the state folder on the current context).
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// How long the rollout may take, in seconds.
    #[arg(long, default_value_t = 300)]
    pub timeout_secs: u64,
    /// Exit once rolled out instead of forwarding ports.
    #[arg(long)]
    pub no_port_forward: bool,
    /// The todo-ops source tree the Minikube images are built from (app/Dockerfile.*).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub source: PathBuf,
    /// Build no images: todo-backend:TAG and todo-frontend:TAG are already in Minikube.
    #[arg(long)]
    pub no_build: bool,
    /// Local port for the backend.
    #[arg(long, default_value_t = 8000)]
    pub backend_port: u16,
    /// Local port for the chat UI.
    #[arg(long, default_value_t = 3000)]
    pub frontend_port: u16,
    /// The charts folder (default: the settings file's `charts`, else the built-in charts).
    #[arg(long)]
    pub charts: Option<PathBuf>,
    /// Which cluster and namespace.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// Options of `undeploy`.
#[derive(Debug, Clone, Args)]
pub struct UndeployArgs {
    /// Which cluster and namespace.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// Report formats of `eval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EvalFormat {
    /// A table.
    Markdown,
    /// Everything, per run.
    Json,
}

/// Options of `eval`.
#[derive(Debug, Clone, Args)]
pub struct EvalArgs {
    /// The model at OPENAI_BASE_URL (default: OPENAI_MODEL, else gpt-4o-mini); without
    /// OPENAI_API_KEY the offline planner runs.
    #[arg(long)]
    pub model: Option<String>,
    /// Use the offline planner even when a model is configured.
    #[arg(long)]
    pub offline: bool,
    /// For models served without function calling (see `todo-ops chat --tool-shim`).
    #[arg(long)]
    pub tool_shim: bool,
    /// Answer with recorded good runs (DIR/TASK.jsonl, e.g. tests/replays) instead of a
    /// model; tasks without one are skipped.
    #[arg(long, value_name = "DIR")]
    pub replays: Option<PathBuf>,
    /// Write each run's transcript to DIR/TASK.jsonl (run K > 1 to DIR/runK/TASK.jsonl), the
    /// form `--replays` and the scripted model read back.
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// Only tasks whose name contains this.
    #[arg(long)]
    pub tasks: Option<String>,
    /// Runs per task (pass@k uses all of them).
    #[arg(long, default_value_t = 1)]
    pub runs: u32,
    /// Report format.
    #[arg(short = 'o', long, value_enum, default_value_t = EvalFormat::Markdown)]
    pub output: EvalFormat,
    /// kubesim's time scale (shorter back-offs and probe periods).
    #[arg(long, default_value_t = 10.0)]
    pub time_scale: f64,
    /// Model calls allowed per task.
    #[arg(long, default_value_t = 20)]
    pub max_model_calls: u32,
    /// How long each task's verifier waits, in seconds (default: each task's own).
    #[arg(long)]
    pub timeout_secs: Option<u64>,
    /// The task folder (default: the settings file's `evals`, else the built-in tasks).
    #[arg(long, conflicts_with = "suite")]
    pub evals: Option<PathBuf>,
    /// A folder of tasks in k8s-ai-bench's format (task.yaml, setup.sh, verify.sh,
    /// cleanup.sh), each run on a fresh kubesim; `--tasks` is then a regular expression.
    #[arg(long, value_name = "DIR")]
    pub suite: Option<PathBuf>,
    /// With `--suite`: instead of the agent, run each task's reference solution
    /// (DIR/TASK.sh, bash with KUBECONFIG set, its output the answer) — a check of kubesim
    /// against the tasks (`scripts/k8s-ai-bench`).
    #[arg(long, value_name = "DIR", requires = "suite", conflicts_with_all = ["replays", "record", "model", "offline"])]
    pub solutions: Option<PathBuf>,
    /// The charts folder (default: the settings file's `charts`, else the built-in charts).
    #[arg(long)]
    pub charts: Option<PathBuf>,
}

/// Options of `mcp`.
#[derive(Debug, Clone, Args)]
pub struct McpArgs {
    /// Also serve the tools that change the cluster; each change is put to the client's
    /// person through MCP elicitation.
    #[arg(long)]
    pub allow_mutations: bool,
    /// A change for a client that cannot ask its person (no elicitation): `deny` refuses it
    /// (the default), `allow` runs it (for clients that ask before every tool call).
    #[arg(long, value_enum, default_value_t = Unconfirmed::Deny)]
    pub unconfirmed: Unconfirmed,
    /// The charts folder, for Helm upgrades and diffs (default: the settings file's `charts`, else the built-in charts).
    #[arg(long)]
    pub charts: Option<PathBuf>,
    /// The approval policy: its deny rules hold for every client, and a rule that says ask
    /// asks through elicitation (refused for a client that cannot ask).
    #[command(flatten)]
    pub gate: super::PolicyArgs,
    /// Serve MCP over streamable HTTP at this address (e.g. 127.0.0.1:8808, path /mcp)
    /// instead of stdio; every request needs `Authorization: Bearer TOKEN`.
    #[arg(long, value_name = "ADDR")]
    pub http: Option<std::net::SocketAddr>,
    /// The bearer token for --http (default: a random one, printed on stderr).
    #[arg(long, env = "TODO_OPS_MCP_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// The audit log.
    #[command(flatten)]
    pub audit: super::AuditArgs,
    /// Which cluster and namespace.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// `playbook` subcommands.
#[derive(Debug, Subcommand)]
pub enum PlaybookCommand {
    /// Each playbook: name, title, and when to use it.
    List(PlaybookDir),
    /// Print one playbook.
    Show {
        /// The playbook's name.
        name: String,
        /// Where the playbooks are.
        #[command(flatten)]
        dir: PlaybookDir,
    },
    /// Follow a playbook's steps against the cluster; every change waits for your yes.
    /// Exit 0 when every step showed what it must, 1 when one did not.
    Run(PlaybookRunArgs),
    /// Write the built-in playbooks into a new or empty folder, to edit them and use them
    /// with --playbooks (or the settings file's `playbooks`).
    Export {
        /// The folder to write.
        dir: PathBuf,
    },
    /// Write docs/troubleshooting.md from the playbooks.
    Docs {
        /// Where to write it (`-` for stdout).
        #[arg(short = 'o', long, default_value = "docs/troubleshooting.md")]
        output: PathBuf,
        /// Where the playbooks are.
        #[command(flatten)]
        dir: PlaybookDir,
    },
}

/// Where the playbooks are.
#[derive(Debug, Clone, Args)]
pub struct PlaybookDir {
    /// The playbooks folder (default: the settings file's `playbooks`, else the built-in ones).
    #[arg(long)]
    pub playbooks: Option<PathBuf>,
}

/// Options of `playbook run`.
#[derive(Debug, Clone, Args)]
pub struct PlaybookRunArgs {
    /// The playbook's name.
    pub name: String,
    /// Apply changes without asking (automation only).
    #[arg(long)]
    pub yes: bool,
    /// Refuse every change (the steps that only look still run).
    #[arg(long)]
    pub read_only: bool,
    /// Where the playbooks are.
    #[command(flatten)]
    pub dir: PlaybookDir,
    /// The charts folder, for Helm upgrades and diffs (default: the settings file's `charts`, else the built-in charts).
    #[arg(long)]
    pub charts: Option<PathBuf>,
    /// Which cluster and namespace.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// What `mcp` does with a change nobody can be asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Unconfirmed {
    /// Refuse it, saying why.
    Deny,
    /// Run it.
    Allow,
}
