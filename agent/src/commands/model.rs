//! `todo-ops model check`: what the configured model endpoint can do, and how to chat with it.

use anyhow::Result;

use crate::brains::choice::{BrainFlags, BrainSettings};
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
    let flags = BrainFlags {
        model: a.model.clone(),
        timeout_secs: a.timeout_secs,
        ..BrainFlags::default()
    };
    let cfg = BrainSettings::resolve(&flags, &file, |k| std::env::var(k).ok()).model_config(1);
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
