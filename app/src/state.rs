//! The state every backend handler shares.

use std::sync::Arc;

use crate::chat::ChatEngine;
use crate::db::Db;
use crate::metrics::Metrics;

/// Shared, cheaply clonable backend state.
#[derive(Clone)]
pub struct AppState {
    /// The connection pool.
    pub db: Db,
    /// Secret that keys session token hashes.
    pub auth_secret: Arc<str>,
    /// Whether session cookies get the `Secure` attribute (auth URL is https).
    pub secure_cookies: bool,
    /// The chat engine: an OpenAI-compatible model or the offline intent engine.
    pub chat: Arc<ChatEngine>,
    /// Request counters and latency histogram.
    pub metrics: Arc<Metrics>,
    /// Set on SIGTERM: `/ready` answers 503 while requests are still served.
    pub draining: crate::shutdown::Draining,
}
