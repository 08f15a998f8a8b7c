//! The todo-ops binary: parse, run, print the error chain, exit with a code.

use std::process::ExitCode;

use clap::Parser;
use todo_ops::commands::cli::{ChartsCommand, Cli, Command, PolicyCommand, SimCommand};
use todo_ops::commands::sim;

/// Output piped into `head` ends quietly, as for any Unix tool, instead of panicking.
/// Only for commands that print one answer: a server keeps Rust's ignored SIGPIPE, because
/// vectored socket writes (`writev`, used by hyper) raise it when a client has gone, and the
/// default disposition would kill kubesim and every pod with it.
#[allow(unsafe_code)]
fn default_sigpipe() {
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// `diagnose`: 0 healthy, 1 problems found.
async fn diagnose(a: &todo_ops::commands::cli::DiagnoseArgs) -> anyhow::Result<u8> {
    let cluster = a.cluster.target().connect().await?;
    let focus = todo_ops_tools::diagnose::Focus {
        release: a.release.clone(),
        resource: a.resource.clone(),
    };
    use std::io::IsTerminal;
    let tty_err = std::io::stderr().is_terminal();
    if tty_err {
        eprint!(
            "diagnosing namespace {} on {} …",
            cluster.namespace, cluster.server
        );
    }
    let d = todo_ops_tools::diagnose::diagnose_focused(&cluster, &focus).await;
    if tty_err {
        // Clear the progress line.
        eprint!("\r\x1b[2K");
    }
    let d = d?;
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    print!(
        "{}",
        todo_ops_tools::report::render_styled(&d, a.output, color)
    );
    Ok(if d.findings.is_empty() { 0 } else { 1 })
}

/// `sim port-forward`.
async fn port_forward(a: &todo_ops::commands::cli::PortForwardArgs) -> anyhow::Result<u8> {
    let (svc, local, remote) = todo_ops::ops::port_forward::parse(&a.target, &a.ports)?;
    let cluster = a.cluster.target().connect().await?;
    todo_ops::ops::port_forward::run(cluster, svc, local, remote).await?;
    Ok(0)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = match cli.command {
        Some(c) => c,
        None => {
            // `--version` alone (clap prints help itself when nothing is given).
            default_sigpipe();
            print!("{}", todo_ops::commands::about::version_text());
            return ExitCode::SUCCESS;
        }
    };
    if !command.serves_connections() {
        default_sigpipe();
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("todo-ops: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        match &command {
            Command::Sim(SimCommand::Start(o)) => sim::start(o).await.map(|_| 0),
            Command::Sim(SimCommand::Serve(o)) => sim::serve(o).await.map(|_| 0),
            Command::Sim(SimCommand::Stop(t)) => sim::stop(t).await.map(|_| 0),
            Command::Sim(SimCommand::PortForward(a)) => port_forward(a).await,
            Command::Sim(SimCommand::Scenario(a)) => sim::scenario(a).await.map(|_| 0),
            Command::Diagnose(a) => diagnose(a).await,
            Command::Chat(a) => todo_ops::commands::chat::run(a).await,
            Command::Replay(a) => todo_ops::commands::replay::replay(a).await,
            Command::Eval(a) => todo_ops::commands::eval::run_eval(a).await,
            Command::Deploy(a) => todo_ops::commands::deploy::deploy(a).await,
            Command::Undeploy(a) => todo_ops::commands::deploy::undeploy(a).await,
            Command::Mcp(a) => todo_ops::commands::mcp::run(a).await,
            Command::Fix(a) => todo_ops::commands::fix::run(a).await,
            Command::Playbook(c) => todo_ops::commands::playbook::run(c).await,
            Command::Demo(d) => todo_ops::commands::demo::run(d).await.map(|_| 0),
            Command::Charts(ChartsCommand::Export { dir }) => {
                todo_ops::commands::about::export(todo_ops::ops::bundle::Bundled::Charts, dir)
            }
            Command::Setup(c) => todo_ops::commands::setup::run(c).await,
            Command::Model(c) => todo_ops::commands::model::run(c).await,
            Command::Completions(a) => todo_ops::commands::about::completions(a),
            Command::Man(a) => todo_ops::commands::about::man(a),
            Command::Policy(PolicyCommand::Check(a)) => todo_ops::commands::policy::check(a),
            Command::Audit(a) => todo_ops::commands::audit::show(a),
            Command::Sim(SimCommand::Status(t)) => {
                sim::status(t).map(|running| if running { 0 } else { 1 })
            }
        }
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("todo-ops: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
