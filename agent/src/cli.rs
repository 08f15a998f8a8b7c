//! The command line: one clap definition drives parsing and help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// AI-assisted troubleshooting for the bundled Todo chatbot on Kubernetes.
#[derive(Debug, Parser)]
#[command(name = "todo-ops", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run kubesim, the local Kubernetes API emulator.
    #[command(subcommand)]
    Sim(SimCommand),
    /// Deploy the chatbot on a local kubesim with Helm and open its UI on localhost.
    Demo(Demo),
    /// Find what is wrong in a namespace: one report, exit 0 healthy, 1 problems, 2 could not run.
    Diagnose(DiagnoseArgs),
    /// Ask the model about the cluster; it calls typed tools, and every change waits for your yes.
    Chat(ChatArgs),
    /// Apply diagnose's suggested Helm values fixes: diffs, your yes, upgrade, rollout,
    /// diagnose again; rolled back when worse or the rollout does not finish.
    Fix(FixArgs),
    /// Install or upgrade the chatbot on Minikube (images built into it) or the current
    /// context, wait for it, and port-forward 8000 and 3000.
    Deploy(DeployArgs),
    /// Stop a deploy's port-forwards and uninstall both releases.
    Undeploy(UndeployArgs),
    /// The agent's benchmark: each task of tests/evals on a fresh kubesim, verified after.
    Eval(EvalArgs),
    /// Serve the tools over MCP on stdio (read-only unless --allow-mutations).
    Mcp(McpArgs),
    /// Markdown procedures: list, show, follow one with no model, write the troubleshooting doc.
    #[command(subcommand)]
    Playbook(PlaybookCommand),
    /// Run a recorded chat (--record) again against the current cluster; exit 1 when a tool
    /// result no longer matches the recording.
    Replay(ReplayArgs),
}

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
    /// The charts folder (default: found from the current directory).
    #[arg(long)]
    pub charts: Option<PathBuf>,
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
    /// Local port for the backend.
    #[arg(long, default_value_t = 8000)]
    pub backend_port: u16,
    /// Local port for the chat UI.
    #[arg(long, default_value_t = 3000)]
    pub frontend_port: u16,
    /// The charts folder (default: found from the current directory).
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
    /// The task folder (default: tests/evals found from the current directory).
    #[arg(long)]
    pub evals: Option<PathBuf>,
    /// The charts folder (default: found from the current directory).
    #[arg(long)]
    pub charts: Option<PathBuf>,
}

/// Options of `mcp`.
#[derive(Debug, Clone, Args)]
pub struct McpArgs {
    /// Also serve the tools that change the cluster (the MCP client must ask its person).
    #[arg(long)]
    pub allow_mutations: bool,
    /// The charts folder, for Helm upgrades and diffs (default: found from the current directory).
    #[arg(long)]
    pub charts: Option<PathBuf>,
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
    /// The playbooks folder (default: playbooks/ found from the current directory).
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
    /// The charts folder, for Helm upgrades and diffs (default: found from the current directory).
    #[arg(long)]
    pub charts: Option<PathBuf>,
    /// Which cluster and namespace.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// Options of `replay`.
#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    /// The transcript (JSONL written by `todo-ops chat --record FILE`).
    pub file: PathBuf,
    /// The charts folder, for Helm upgrades and diffs (default: found from the current directory).
    #[arg(long)]
    pub charts: Option<PathBuf>,
    /// Which cluster and namespace.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// Options of `chat`.
#[derive(Debug, Clone, Args)]
pub struct ChatArgs {
    /// The question (a prompt piped on stdin works too; with -p, piped input is context).
    #[arg(short = 'p', long)]
    pub prompt: Option<String>,
    /// The model name at OPENAI_BASE_URL (OpenAI, Ollama, vLLM, llama.cpp, LM Studio);
    /// default: the config file's, else gpt-4o-mini.
    #[arg(long, env = "OPENAI_MODEL")]
    pub model: Option<String>,
    /// Use the offline planner even when a model is configured.
    #[arg(long)]
    pub offline: bool,
    /// For models served without function calling: tools described in the prompt, calls
    /// read from the model's JSON replies.
    #[arg(long)]
    pub tool_shim: bool,
    /// Refuse every change in the dispatcher; the model is told why.
    #[arg(long)]
    pub read_only: bool,
    /// Apply changes without asking (automation only).
    #[arg(long)]
    pub yes: bool,
    /// Model calls allowed in one turn (default: the config file's, else 20).
    #[arg(long)]
    pub max_model_calls: Option<u32>,
    /// Timeout of one model request, in seconds (default: the config file's, else 120).
    #[arg(long)]
    pub timeout_secs: Option<u64>,
    /// The settings file (default: $XDG_CONFIG_HOME/todo-ops/config.toml).
    #[arg(long, env = "TODO_OPS_CONFIG")]
    pub config: Option<PathBuf>,
    /// Write the session (prompts, model turns, confirmations, tool results; redacted) to
    /// this JSONL file, for `todo-ops replay`.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// List the saved sessions (newest first) and exit.
    #[arg(long)]
    pub list_sessions: bool,
    /// Continue a saved session: its id, or `latest`.
    #[arg(long, value_name = "ID")]
    pub resume_session: Option<String>,
    /// The charts folder, for Helm upgrades and diffs (default: found from the current directory).
    #[arg(long)]
    pub charts: Option<PathBuf>,
    /// Which cluster and namespace.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// Options of `diagnose`.
#[derive(Debug, Clone, Args)]
pub struct DiagnoseArgs {
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = crate::report::Format::Text)]
    pub output: crate::report::Format,
    /// Only findings about this Helm release.
    #[arg(long)]
    pub release: Option<String>,
    /// Only findings about this object, as KIND/NAME (e.g. deployment/todo-backend).
    #[arg(long)]
    pub resource: Option<String>,
    /// Which cluster and namespace.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// kubectl's cluster selection flags.
#[derive(Debug, Clone, Args)]
pub struct ClusterArgs {
    /// Path to the kubeconfig (default: KUBECONFIG, then ~/.kube/config).
    #[arg(long, global = true)]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use.
    #[arg(long, global = true)]
    pub context: Option<String>,
    /// Namespace (default: the context's, else `default`).
    #[arg(short = 'n', long, global = true)]
    pub namespace: Option<String>,
}

impl ClusterArgs {
    /// The tools' cluster target.
    pub fn target(&self) -> todo_ops_tools::cluster::ClusterTarget {
        todo_ops_tools::cluster::ClusterTarget {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
            namespace: self.namespace.clone(),
        }
    }
}

/// Options of `demo`.
#[derive(Debug, Clone, Args)]
pub struct Demo {
    /// Local port for the chat UI.
    #[arg(long, default_value_t = 3000)]
    pub port: u16,
    /// Use this database (e.g. postgres://…); default: a SQLite file in the state folder.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// The charts folder (default: found from the current directory).
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
    /// The charts folder (default: found from the current directory).
    #[arg(long)]
    pub charts: Option<PathBuf>,
    /// Extra image mappings `REPOSITORY[:TAG]=PROGRAM` (todo-backend and todo-frontend map to
    /// the binaries next to todo-ops by default).
    #[arg(long = "image", value_name = "IMAGE=PROGRAM")]
    pub images: Vec<String>,
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
    /// The charts folder (default: found from the current directory).
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

/// `$XDG_STATE_HOME/todo-ops/kubesim.kubeconfig` (or `~/.local/state/…`).
pub fn default_kubeconfig() -> PathBuf {
    state_dir().join("kubesim.kubeconfig")
}

/// `$XDG_STATE_HOME/todo-ops` (or `~/.local/state/todo-ops`): kubeconfig, chat history.
pub fn state_dir() -> PathBuf {
    std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("todo-ops")
}
