//! Lints a chart with an optional values file through the real Helm SDK.
//!
//! `cargo run -p todo-ops-tools --example chart_lint -- charts/todo-backend charts/todo-backend/values-minikube.yaml`

use std::process::ExitCode;

use todo_ops_tools::helm::{self, LintOptions, Severity};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(chart) = args.next() else {
        eprintln!("usage: chart_lint CHART_DIR [VALUES.yaml]");
        return ExitCode::from(2);
    };
    let values = match args.next().map(std::fs::read_to_string).transpose() {
        Ok(text) => text.map(|t| helm::values_from_yaml(&t)).transpose(),
        Err(e) => {
            eprintln!("chart_lint: cannot read the values file: {e}");
            return ExitCode::from(2);
        }
    };
    let report =
        values.and_then(|v| helm::lint(chart.as_ref(), v.as_ref(), &LintOptions::default()));
    match report {
        Ok(r) => {
            for m in &r.messages {
                println!("[{:?}] {}: {}", m.severity, m.path, m.error);
            }
            if r.at_least(Severity::Error).is_empty() && r.errors.is_empty() {
                println!("{chart}: lint clean");
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("chart_lint: {e}");
            ExitCode::from(2)
        }
    }
}
