//! The todo-frontend server: chat web UI and `/api` proxy.

use std::process::ExitCode;

use todo_app::config::{LogFormat, log_format_from};
use todo_app::frontend::{self, FrontendConfig};
use todo_app::{logging, shutdown};

fn main() -> ExitCode {
    let lookup = |k: &str| std::env::var(k).ok();
    let format = log_format_from(&lookup).unwrap_or(LogFormat::Json);
    logging::init(format);
    let cfg = match log_format_from(&lookup).and_then(|_| FrontendConfig::from_lookup(&lookup)) {
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
    let result = runtime.block_on(async {
        let draining = shutdown::Draining::default();
        let app = frontend::router(&cfg, draining.clone())?;
        let listener = shutdown::bind(cfg.port).await?;
        tracing::info!(port = cfg.port, backend = %cfg.backend_url, "todo-frontend listening");
        shutdown::serve(listener, app, cfg.drain, draining)
            .await
            .map_err(|e| format!("server error: {e}"))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("todo-frontend failed: {e}");
            ExitCode::from(1)
        }
    }
}
