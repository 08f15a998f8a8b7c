//! Graceful shutdown shared by both servers. On SIGTERM or Ctrl-C a server first *drains*:
//! `/ready` answers 503 while every request is still served, so a load balancer that has not
//! yet dropped the pod (endpoint removal races the signal on a real cluster) loses nothing.
//! Then it stops accepting and gives in-flight requests a bounded time to finish.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::config::ConfigError;

/// How long a server keeps serving after the signal when `SHUTDOWN_DRAIN_SECONDS` is unset.
pub const DEFAULT_DRAIN: Duration = Duration::from_secs(5);
/// The longest drain accepted: with the in-flight limit it must fit Kubernetes' 30 s grace.
pub const MAX_DRAIN_SECS: u64 = 10;
/// How long in-flight requests may run once the server stops accepting.
pub const IN_FLIGHT_LIMIT: Duration = Duration::from_secs(15);

/// Whether the server has been told to stop; `/ready` reads it.
#[derive(Debug, Clone, Default)]
pub struct Draining(Arc<AtomicBool>);

impl Draining {
    /// True once the stop signal arrived.
    pub fn is_draining(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    fn start(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Middleware: while draining, every answer closes its connection, so clients holding
/// keep-alive connections to this pod move to another before it stops accepting.
pub async fn close_connections_while_draining(
    axum::extract::State(draining): axum::extract::State<Draining>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut resp = next.run(req).await;
    if draining.is_draining() {
        resp.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
    }
    resp
}

/// Parses `SHUTDOWN_DRAIN_SECONDS` (0 to [`MAX_DRAIN_SECS`], default [`DEFAULT_DRAIN`]).
pub fn drain_from(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Duration, ConfigError> {
    let Some(v) = lookup("SHUTDOWN_DRAIN_SECONDS").filter(|v| !v.trim().is_empty()) else {
        return Ok(DEFAULT_DRAIN);
    };
    match v.trim().parse::<u64>() {
        Ok(n) if n <= MAX_DRAIN_SECS => Ok(Duration::from_secs(n)),
        _ => Err(ConfigError {
            variable: "SHUTDOWN_DRAIN_SECONDS",
            problem: format!(
                "is {v:?}: expected a whole number of seconds from 0 to {MAX_DRAIN_SECS} (drain plus the {}s in-flight limit must fit the pod's 30s grace period)",
                IN_FLIGHT_LIMIT.as_secs()
            ),
        }),
    }
}

/// Resolves on SIGTERM or SIGINT.
pub async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => tracing::info!(signal = "SIGTERM", "stop requested"),
                    _ = tokio::signal::ctrl_c() => tracing::info!(signal = "SIGINT", "stop requested"),
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the server");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Serves `listener` with `app` until a signal, drains for `drain` (marking `draining`), then
/// stops accepting and waits up to [`IN_FLIGHT_LIMIT`] for in-flight work.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    drain: Duration,
    draining: Draining,
) -> std::io::Result<()> {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    // Handlers may read the peer's address (the sign-in rate limit counts per client).
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        let _ = rx.await;
    });
    let mut server = std::pin::pin!(server.into_future());
    tokio::select! {
        r = &mut server => return r,
        _ = signal() => {}
    }
    draining.start();
    if !drain.is_zero() {
        tracing::info!(
            drain_secs = drain.as_secs(),
            "draining: /ready answers 503, requests are still served"
        );
        // Keep serving while load balancers notice; a second signal ends the drain early.
        tokio::select! {
            r = &mut server => return r,
            _ = tokio::time::sleep(drain) => {}
            _ = signal() => {}
        }
    }
    tracing::info!("no new connections; finishing in-flight requests");
    let _ = tx.send(());
    match tokio::time::timeout(IN_FLIGHT_LIMIT, server).await {
        Ok(r) => r,
        Err(_) => {
            tracing::warn!(
                limit_secs = IN_FLIGHT_LIMIT.as_secs(),
                "in-flight requests did not finish in time; exiting anyway"
            );
            Ok(())
        }
    }
}

/// Binds `0.0.0.0:port`, naming the port in the error.
pub async fn bind(port: u16) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind(("0.0.0.0", port))
        .await
        .map_err(|e| format!("cannot listen on port {port} (PORT): {e}; choose a free port"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drain_setting_is_bounded_and_named() {
        let none = |_: &str| None;
        assert_eq!(drain_from(&none).ok(), Some(DEFAULT_DRAIN));
        let two = |_: &str| Some("2".to_string());
        assert_eq!(drain_from(&two).ok(), Some(Duration::from_secs(2)));
        let long = |_: &str| Some("60".to_string());
        let e = drain_from(&long)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("SHUTDOWN_DRAIN_SECONDS") && e.contains("0 to 10"),
            "{e}"
        );
    }
}
