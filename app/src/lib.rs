//! The bundled Todo AI chatbot: the backend API (auth, tasks, chat, MCP) and the chat web UI.

pub mod auth;
pub mod chat;
pub mod config;
pub mod csrf;
pub mod db;
pub mod error;
pub mod frontend;
pub mod input;
pub mod logging;
pub mod mcp;
pub mod metrics;
pub mod server;
pub mod shutdown;
pub mod state;
pub mod tasks;
