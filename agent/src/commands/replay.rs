//! `todo-ops replay FILE`.

use anyhow::Result;

use crate::commands::cli::ReplayArgs;
use crate::commands::terminal::print_event;
use crate::core::approval::MutationPolicy;
use crate::core::dispatch::Dispatcher;
use crate::core::session::{Limits, Session};
use crate::ops::connect::tool_context;

/// `todo-ops replay FILE`: 0 when every tool result still holds, 1 when one differs.
pub async fn replay(a: &ReplayArgs) -> Result<u8> {
    let entries = crate::core::transcript::read(&a.file)?;
    let replay = crate::brains::replay::Replay::new(entries);
    let ctx = tool_context(&a.cluster.target(), a.charts.as_deref()).await?;
    let mut session = Session::new(
        replay.brain(),
        Dispatcher {
            ctx,
            policy: MutationPolicy::Ask,
            rules: Default::default(),
        },
        Limits {
            // The transcript bounds the session, not a count.
            model_calls_per_turn: u32::MAX,
            ..Limits::default()
        },
        "",
    );
    let mut on_event = print_event;
    let report = replay.run(&mut session, &mut on_event).await?;
    print!("{}", report.render(&a.file.display().to_string()));
    Ok(if report.passed() { 0 } else { 1 })
}
