//! todo-ops: the operator agent, in layers that only import downwards (ARCHITECTURE.md):
//! `protocol` (the conversation's plain types) ← `core` (the session loop, the gate,
//! playbooks, transcripts) ← `brains` (a model, the tool shim, the offline planner, a replay)
//! ← `ops` (installing the chatbot, scenarios, port-forwards, settings) ← `eval` ←
//! `commands` (the command line and each command, the terminal, the REPL).

pub mod brains;
pub mod commands;
pub mod core;
pub mod eval;
pub mod ops;
pub mod protocol;
