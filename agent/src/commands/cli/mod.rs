//! The command line: one clap definition drives parsing and help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod ops;
mod setup;
mod sim;
pub use ops::*;
pub use setup::*;
pub use sim::*;

/// AI-assisted troubleshooting for the bundled Todo chatbot on Kubernetes.
#[derive(Debug, Parser)]
#[command(
    name = "todo-ops",
    about,
    disable_version_flag = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// Print the versions of todo-ops, of the Helm SDK it finds and of the Kubernetes API
    /// it was built for.
    #[arg(short = 'V', long)]
    pub version: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
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
    /// Serve the tools over MCP on stdio or HTTP (read-only unless --allow-mutations).
    Mcp(McpArgs),
    /// Markdown procedures: list, show, follow one with no model, write the troubleshooting doc.
    #[command(subcommand)]
    Playbook(PlaybookCommand),
    /// Run a recorded chat (--record) again against the current cluster; exit 1 when a tool
    /// result no longer matches the recording.
    Replay(ReplayArgs),
    /// The built-in Helm charts of the chatbot: write them out for editing.
    #[command(subcommand)]
    Charts(ChartsCommand),
    /// The model endpoint: what it can do (`model check`).
    #[command(subcommand)]
    Model(ModelCommand),
    /// Install what todo-ops needs beside itself (the Helm SDK library).
    #[command(subcommand)]
    Setup(SetupCommand),
    /// Print a shell completion script (e.g. `source <(todo-ops completions bash)`).
    Completions(CompletionsArgs),
    /// Print the man page (or write one page per command into --dir).
    Man(ManArgs),
    /// The approval policy: which rule decides a call.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Read the audit log: every tool call, who decided it and what it changed.
    Audit(AuditReadArgs),
}

/// `policy` subcommands.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Print which rule of the policy decides a call, and the decision: allow, ask or deny.
    Check(PolicyCheckArgs),
}

/// Options of `policy check`.
#[derive(Debug, Clone, Args)]
pub struct PolicyCheckArgs {
    /// The tool, e.g. `scale`.
    pub tool: String,
    /// Its arguments as JSON, e.g. '{"deployment": "web", "namespace": "prod"}'.
    #[arg(default_value = "{}")]
    pub args: String,
    /// The session's namespace, for calls that name none.
    #[arg(long, default_value = "default")]
    pub session_namespace: String,
    /// The policy flags.
    #[command(flatten)]
    pub gate: PolicyArgs,
}

impl Command {
    /// Whether the command serves connections (kubesim, port-forwards, the demo, eval's
    /// embedded clusters) for longer than one answer. Such a process must outlive any peer
    /// that hangs up, so a write to a closed socket has to be an error, never SIGPIPE.
    pub fn serves_connections(&self) -> bool {
        matches!(
            self,
            Command::Sim(SimCommand::Serve(_) | SimCommand::Start(_) | SimCommand::PortForward(_))
                | Command::Demo(_)
                | Command::Deploy(_)
                | Command::Eval(_)
        )
    }
}

/// `model` subcommands.
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Ask the endpoint (OPENAI_BASE_URL, OPENAI_API_KEY, --model) what it can do: the models
    /// it lists and its context window, tool calls streamed and whole, token usage; and say
    /// how to chat with it. Exit 0 when tools work natively, 1 when only the tool shim will
    /// do, 2 when the endpoint cannot be reached.
    Check(ModelCheckArgs),
}

/// Options of `model check`.
#[derive(Debug, Clone, Args)]
pub struct ModelCheckArgs {
    /// The model name (default: the settings file's, else gpt-4o-mini).
    #[arg(long, env = "OPENAI_MODEL")]
    pub model: Option<String>,
    /// Seconds to wait for each answer.
    #[arg(long)]
    pub timeout_secs: Option<u64>,
    /// The settings file (default: $XDG_CONFIG_HOME/todo-ops/config.toml).
    #[arg(long, env = "TODO_OPS_CONFIG")]
    pub config: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Options of `replay`.
#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    /// The transcript (JSONL written by `todo-ops chat --record FILE`).
    pub file: PathBuf,
    /// The charts folder, for Helm upgrades and diffs (default: the settings file's `charts`, else the built-in charts).
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
    /// The model's context window in tokens (default: the config file's, else 50000); a
    /// tenth of it is what one tool result may take before it is cut and kept for
    /// search_result.
    #[arg(long)]
    pub context_tokens: Option<u64>,
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
    /// The charts folder, for Helm upgrades and diffs (default: the settings file's `charts`, else the built-in charts).
    #[arg(long)]
    pub charts: Option<PathBuf>,
    /// The approval policy.
    #[command(flatten)]
    pub gate: PolicyArgs,
    /// The audit log.
    #[command(flatten)]
    pub audit: AuditArgs,
    /// Which cluster and namespace.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// The approval policy's flags.
#[derive(Debug, Clone, Default, Args)]
pub struct PolicyArgs {
    /// The approval policy: rules that allow, ask or deny calls by tool, verb, kind,
    /// namespace and name (default: policy.toml beside the settings file, if there is one).
    #[arg(long, value_name = "FILE", env = "TODO_OPS_POLICY")]
    pub policy: Option<PathBuf>,
    /// Ask before every call, reads included (where no policy rule decides).
    #[arg(long)]
    pub paranoid: bool,
    /// Kinds no call may name, read or write, e.g. `secrets,configmaps` (`mcp` denies
    /// secrets unless told `--deny-kinds none`).
    #[arg(long, value_name = "KINDS", value_delimiter = ',')]
    pub deny_kinds: Vec<String>,
}

/// Where the audit log goes.
#[derive(Debug, Clone, Default, Args)]
pub struct AuditArgs {
    /// The audit log: one JSON line per tool call, appended (default:
    /// $XDG_STATE_HOME/todo-ops/audit.jsonl).
    #[arg(long, value_name = "FILE", env = "TODO_OPS_AUDIT")]
    pub audit: Option<PathBuf>,
}

/// Options of `audit`.
#[derive(Debug, Clone, Args)]
pub struct AuditReadArgs {
    /// Only calls since then: a duration back from now (`30m`, `2h`, `1d`) or an RFC 3339
    /// time (`2026-12-05T10:00:00Z`).
    #[arg(long)]
    pub since: Option<String>,
    /// Only the calls of this session (its id, as `chat --list-sessions` shows it).
    #[arg(long)]
    pub session: Option<String>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = AuditFormat::Text)]
    pub output: AuditFormat,
    /// Where the audit log is.
    #[command(flatten)]
    pub file: AuditArgs,
}

/// How `audit` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    /// One line per call.
    Text,
    /// The entries as JSON lines, as stored.
    Json,
}

/// Options of `diagnose`.
#[derive(Debug, Clone, Args)]
pub struct DiagnoseArgs {
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = todo_ops_tools::report::Format::Text)]
    pub output: todo_ops_tools::report::Format,
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
#[derive(Debug, Clone, Default, Args)]
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
    /// Act as this user (impersonation; the kubeconfig's identity must be allowed to
    /// impersonate), e.g. `system:serviceaccount:NS:NAME`.
    #[arg(long = "as", value_name = "USER", global = true)]
    pub as_user: Option<String>,
    /// Act as this group too (repeat for several).
    #[arg(long = "as-group", value_name = "GROUP", global = true)]
    pub as_groups: Vec<String>,
}

impl ClusterArgs {
    /// The tools' cluster target.
    pub fn target(&self) -> todo_ops_tools::cluster::ClusterTarget {
        todo_ops_tools::cluster::ClusterTarget {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
            namespace: self.namespace.clone(),
            impersonate: self.as_user.clone(),
            impersonate_groups: self.as_groups.clone(),
        }
    }
}

/// `$XDG_STATE_HOME/todo-ops/kubesim.kubeconfig` (or `~/.local/state/…`).
pub fn default_kubeconfig() -> PathBuf {
    todo_ops_tools::cluster::kubesim_kubeconfig()
}
