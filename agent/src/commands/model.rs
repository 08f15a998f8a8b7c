//! `todo-ops model check`: what the configured model endpoint can do, and how to chat with it.

use std::time::Duration;

use anyhow::Result;

use crate::brains::openai::ModelConfig;
use crate::brains::openai::check::check;
use crate::commands::cli::{ModelCheckArgs, ModelCommand};
use crate::ops::settings;

/// Runs a `model` subcommand; the exit code.
pub async fn run(c: &ModelCommand) -> Result<u8> {
    match c {
        ModelCommand::Check(a) => run_check(a).await,
    }
}

async fn run_check(a: &ModelCheckArgs) -> Result<u8> {
    let file = match &a.config {
        Some(p) => settings::load(p, true)?,
        None => settings::load(&settings::default_path(), false)?,
    };
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let cfg = ModelConfig {
        // Local servers take any key; a missing one is sent as a placeholder.
        api_key: env("OPENAI_API_KEY")
            .or(file.api_key.clone())
            .unwrap_or_else(|| "no-key".into()),
        base_url: env("OPENAI_BASE_URL").or(file.base_url.clone()),
        model: a
            .model
            .clone()
            .or(file.model.clone())
            .unwrap_or_else(|| "gpt-4o-mini".into()),
        request_timeout: Duration::from_secs(a.timeout_secs.or(file.timeout_secs).unwrap_or(120)),
        attempts: 1,
    };
    let report = check(&cfg).await?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.render());
    }
    Ok(match (report.reachable(), report.tools_work()) {
        (false, _) => 2,
        (true, true) => 0,
        (true, false) => 1,
    })
}
