//! MCP over streamable HTTP (rmcp's tower service under axum at `/mcp`), every request
//! checked for the bearer token first; one server per MCP session.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use sha2::{Digest, Sha256};

use super::OpsServer;

/// A new random token: 32 hex digits from the kernel's generator.
pub fn random_token() -> Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("reading /dev/urandom for a bearer token; pass --token instead")?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether `header` carries `token`; digests are compared, so the time taken says nothing
/// about how much of a guess was right.
fn authorized(header: Option<&str>, token: &str) -> bool {
    let Some(given) = header.and_then(|h| h.strip_prefix("Bearer ")) else {
        return false;
    };
    Sha256::digest(given.trim().as_bytes()) == Sha256::digest(token.as_bytes())
}

/// Serves MCP at `http://addr/mcp` until Ctrl-C; `new_server` makes each session's server.
pub async fn serve(
    addr: SocketAddr,
    token: String,
    new_server: impl Fn() -> OpsServer + Send + Sync + 'static,
) -> Result<()> {
    let service = StreamableHttpService::new(
        move || Ok(new_server()),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    let token = Arc::new(token);
    let app = axum::Router::new()
        .nest_service("/mcp", service)
        .layer(axum::middleware::from_fn(
            move |req: Request, next: Next| {
                let token = token.clone();
                async move { check(&token, req, next).await }
            },
        ));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr} for MCP; is the port free?"))?;
    let bound = listener.local_addr().context("reading the bound address")?;
    eprintln!("serving MCP on http://{bound}/mcp");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving MCP over HTTP")
}

/// Refuses a request without the token (401, saying what is missing).
async fn check(token: &str, req: Request, next: Next) -> Response {
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if authorized(given, token) {
        return next.run(req).await;
    }
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        "missing or wrong bearer token: send Authorization: Bearer <the token todo-ops mcp printed or was given>\n",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_passes() {
        let t = "0123456789abcdef0123";
        assert!(authorized(Some("Bearer 0123456789abcdef0123"), t));
        assert!(!authorized(Some("Bearer 0123456789abcdef012"), t));
        assert!(!authorized(Some("0123456789abcdef0123"), t));
        assert!(!authorized(None, t));
        assert_eq!(random_token().unwrap().len(), 32);
        assert_ne!(random_token().unwrap(), random_token().unwrap());
    }
}
