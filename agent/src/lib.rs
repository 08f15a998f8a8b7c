//! todo-ops: the operator agent. The command line (`cli`) drives thin command modules
//! (`*_cmd`); the chat is a `session` over a `brain` (a model, the offline `planner`, a
//! `replay`) whose tool calls pass the `dispatch` gate (`approval`); `playbook`s, `eval`,
//! `transcript`s and the MCP server are clients of the same pieces.

pub mod about_cmd;
pub mod approval;
pub mod brain;
pub mod bundle;
pub mod chat_cmd;
pub mod chat_config;
pub mod cli;
pub mod connect;
pub mod context;
pub mod demo;
pub mod deploy;
pub mod deploy_cmd;
pub mod dispatch;
pub mod eval;
pub mod eval_cmd;
pub mod fix_cmd;
pub mod fix_object;
pub mod generated;
pub mod loop_guard;
pub mod mcp_cmd;
pub mod model;
pub mod planner;
pub mod playbook;
pub mod playbook_cmd;
pub mod port_forward;
pub mod protocol;
pub mod repl;
pub mod replay;
pub mod replay_cmd;
pub mod report;
pub mod scenarios;
pub mod session;
pub mod sessions;
pub mod setup_cmd;
pub mod sim_cmd;
pub mod terminal;
pub mod tool_shim;
pub mod transcript;
