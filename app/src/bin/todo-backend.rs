//! The todo-backend server.

use std::process::ExitCode;

use todo_app::config::{BackendConfig, LogFormat, log_format_from};
use todo_app::{logging, server};

fn main() -> ExitCode {
    let format = log_format_from(&|k| std::env::var(k).ok()).unwrap_or(LogFormat::Json);
    logging::init(format);
    let cfg = match BackendConfig::from_env() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(variable = e.variable, "invalid configuration: {e}");
            return ExitCode::from(1);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(server::run(cfg)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("todo-backend failed: {e}");
            ExitCode::from(1)
        }
    }
}
