//! The command line: the clap definitions (`cli`), one module per command, and the person's
//! side of a chat (`terminal`, `repl`). Nothing below this layer imports it.

pub mod about;
pub mod audit;
pub mod chat;
pub mod cli;
pub mod demo;
pub mod deploy;
pub mod eval;
pub mod fix;
pub mod mcp;
pub mod model;
pub mod playbook;
pub mod policy;
pub mod repl;
pub mod replay;
pub mod setup;
pub mod sim;
pub mod terminal;
