//! Graceful shutdown shared by both servers: SIGTERM or Ctrl-C stops accepting, in-flight
//! requests get a grace period to finish.

use std::time::Duration;

/// How long in-flight requests may run after the signal (Kubernetes gives 30 s).
pub const GRACE: Duration = Duration::from_secs(25);

/// Resolves on SIGTERM or SIGINT.
pub async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => tracing::info!(signal = "SIGTERM", "shutting down: no new connections, finishing in-flight requests"),
                    _ = tokio::signal::ctrl_c() => tracing::info!(signal = "SIGINT", "shutting down: no new connections, finishing in-flight requests"),
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

/// Serves `listener` with `app` until a signal, then waits up to [`GRACE`] for in-flight work.
pub async fn serve(listener: tokio::net::TcpListener, app: axum::Router) -> std::io::Result<()> {
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
    let _ = tx.send(());
    match tokio::time::timeout(GRACE, server).await {
        Ok(r) => r,
        Err(_) => {
            tracing::warn!(
                grace_secs = GRACE.as_secs(),
                "in-flight requests did not finish within the grace period; exiting anyway"
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
