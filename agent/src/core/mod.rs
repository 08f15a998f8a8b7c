//! The agent loop and what it needs, for every front end alike: the session, the gate that
//! every tool call passes (`dispatch`, `approval`, `loop_guard`), the context window,
//! generated secrets, playbooks, and transcripts and saved sessions.

pub mod access;
pub mod approval;
pub mod audit;
pub mod brain;
pub mod context_window;
pub mod dispatch;
pub mod generated;
pub mod loop_guard;
pub mod playbook;
pub mod policy;
pub mod saved_sessions;
pub mod session;
pub mod transcript;
