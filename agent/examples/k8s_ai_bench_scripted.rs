//! The benchmark suite through the model path: `todo-ops eval --suite` with a model server
//! (the scripted OpenAI-compatible server of the test support) that answers each task as a
//! recorded run did. Without `--recorded DIR` it first records the offline planner on the
//! suite (`eval --offline --record`), then runs the same suite with those turns as the
//! model, and prints both reports.
//!
//! ```sh
//! cargo build -p todo-ops -p todo-app --bins
//! cargo run -p todo-ops --example k8s_ai_bench_scripted -- [--recorded DIR] [eval flags…]
//! ```
//! Flags after those go to both evals (`--suite` defaults to `tests/k8s-ai-bench`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use todo_e2e::recorded_model::RecordedTurns;
use todo_e2e::scripted_llm::ScriptedLlm;

fn todo_ops() -> Result<PathBuf, String> {
    // target/debug/examples/this → target/debug/todo-ops
    let exe = std::env::current_exe().map_err(|e| format!("finding this program: {e}"))?;
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("todo-ops"))
        .filter(|b| b.is_file())
        .ok_or("todo-ops is not built beside this example: run `cargo build -p todo-ops -p todo-app --bins` first")?;
    Ok(bin)
}

/// Runs `todo-ops eval` with `args`; its report goes to stdout, its progress to stderr.
async fn eval(bin: &Path, args: &[String], model: Option<&str>) -> Result<i32, String> {
    let mut cmd = tokio::process::Command::new(bin);
    cmd.arg("eval").args(args).kill_on_drop(true);
    match model {
        Some(base_url) => cmd
            .env("OPENAI_BASE_URL", base_url)
            .env("OPENAI_API_KEY", "scripted")
            .env("OPENAI_MODEL", "recorded-runs"),
        None => cmd
            .arg("--offline")
            .env_remove("OPENAI_API_KEY")
            .env_remove("OPENAI_BASE_URL"),
    };
    let status = cmd
        .status()
        .await
        .map_err(|e| format!("running {}: {e}", bin.display()))?;
    Ok(status.code().unwrap_or(2))
}

async fn main_result() -> Result<i32, String> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let recorded = match args.iter().position(|a| a == "--recorded") {
        Some(i) if i + 1 < args.len() => {
            let dir = PathBuf::from(args.remove(i + 1));
            args.remove(i);
            Some(dir)
        }
        Some(_) => return Err("--recorded needs a folder".into()),
        None => None,
    };
    if !args.iter().any(|a| a == "--suite") {
        let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/k8s-ai-bench");
        args.extend(["--suite".into(), suite.display().to_string()]);
    }
    let bin = todo_ops()?;
    let dir = match recorded {
        Some(d) => d,
        None => {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/k8s-ai-bench-recorded");
            let _ = std::fs::remove_dir_all(&dir);
            let mut record = args.clone();
            record.extend(["--record".into(), dir.display().to_string()]);
            eprintln!("recording the offline planner's runs in {}", dir.display());
            eval(&bin, &record, None).await?;
            dir
        }
    };
    let turns = RecordedTurns::load(&dir)?;
    if turns.is_empty() {
        return Err(format!("no recorded run (TASK.jsonl) in {}", dir.display()));
    }
    let llm = ScriptedLlm::start()
        .await
        .map_err(|e| format!("starting the scripted model server: {e}"))?;
    turns.serve_on(&llm);
    eprintln!(
        "the scripted model at {} answers as the recorded runs did",
        llm.base_url
    );
    eval(&bin, &args, Some(&llm.base_url)).await
}

#[tokio::main]
async fn main() -> ExitCode {
    match main_result().await {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(2)),
        Err(e) => {
            eprintln!("k8s_ai_bench_scripted: {e}");
            ExitCode::from(2)
        }
    }
}
