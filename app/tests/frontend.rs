//! The frontend server: embedded UI, `/api` proxy with cookies, `HTTP_PROXY`, and a clear
//! message when the backend is down.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod common;

use std::time::Duration;

use common::{Engine, FRONTEND, Process, TestDb, backend, free_port, http};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn frontend(backend_url: &str, extra: &[(&str, &str)]) -> Process {
    let mut env = vec![("BACKEND_URL", backend_url)];
    env.extend_from_slice(extra);
    let mut p = Process::spawn(FRONTEND, &env);
    p.wait_ready("/health", Duration::from_secs(30)).await;
    p
}

#[tokio::test]
async fn serves_the_ui_and_proxies_the_api_with_cookies() {
    let db = TestDb::new(Engine::Sqlite).await;
    let be = backend(&db, &[]).await;
    let fe = frontend(&be.url, &[]).await;
    let c = http();
    let page = c.get(&fe.url).send().await.unwrap();
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("Todo AI Chatbot") && html.contains("/app.js"));
    let js = c
        .get(format!("{}/app.js", fe.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(js.contains("/api/chat"));

    let r = c
        .post(format!("{}/api/auth/sign-up/email", fe.url))
        .json(&json!({"email": "fe@example.com", "password": "frontend-pass"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let r = c
        .post(format!("{}/api/chat", fe.url))
        .header("cookie", &cookie)
        .json(&json!({"message": "add buy milk"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let tasks: Value = c
        .get(format!("{}/api/tasks?status=pending", fe.url))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tasks[0]["title"], "buy milk");
    // Errors from the backend pass through unchanged.
    let r = c.get(format!("{}/api/tasks", fe.url)).send().await.unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn backend_down_gives_a_clear_message() {
    let dead = format!("http://127.0.0.1:{}", free_port());
    let fe = frontend(&dead, &[]).await;
    let r = http()
        .get(format!("{}/api/tasks", fe.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "backend_unavailable");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(msg.contains("not reachable"), "{msg}");
    // The internal address and the setting's name are for the log, not the person.
    assert!(
        !msg.contains(&dead) && !msg.contains("BACKEND_URL"),
        "{msg}"
    );
    // The UI itself still loads, so the person sees that message rather than a blank page.
    assert_eq!(http().get(&fe.url).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn backend_calls_go_through_http_proxy() {
    // A minimal HTTP proxy that records the request line and answers itself.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", listener.local_addr().unwrap());
    let seen = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 1024];
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = sock.read(&mut chunk).await.unwrap();
            assert!(n > 0, "proxy client closed early");
            buf.extend_from_slice(&chunk[..n]);
        }
        sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n[]")
            .await
            .unwrap();
        String::from_utf8_lossy(&buf)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    });
    let fe = frontend("http://todo-backend:8000", &[("HTTP_PROXY", &proxy_url)]).await;
    let r = http()
        .get(format!("{}/api/tasks", fe.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let line = tokio::time::timeout(Duration::from_secs(10), seen)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(line, "GET http://todo-backend:8000/api/tasks HTTP/1.1");
}

#[tokio::test]
async fn a_proxy_with_no_backend_becomes_a_clear_json_error() {
    // A proxy that answers 503 in plain text, as a service proxy with no ready endpoint does.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let body = "no endpoints available for service \"todo-backend\"";
            let resp = format!(
                "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(resp.as_bytes()).await;
        }
    });
    let fe = frontend("http://todo-backend:8000", &[("HTTP_PROXY", &proxy_url)]).await;
    let r = http()
        .get(format!("{}/api/tasks", fe.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "backend_unavailable");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("not available right now (503: no endpoints available"),
        "{msg}"
    );
}

#[tokio::test]
async fn bad_backend_url_exits_1_naming_it() {
    let mut p = Process::spawn(FRONTEND, &[("BACKEND_URL", "todo-backend:8000")]);
    let status = p.wait_exit(Duration::from_secs(20)).await;
    assert_eq!(status.code(), Some(1));
    assert!(p.log_text().contains("BACKEND_URL"), "{}", p.log_text());
}

/// One raw request (no client-side normalisation of the path); the status code.
async fn raw_status(base: &str, path: &str) -> u16 {
    let addr = base.trim_start_matches("http://");
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    sock.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), sock.read_to_end(&mut out))
        .await
        .unwrap()
        .unwrap();
    let head = String::from_utf8_lossy(&out);
    head.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn encoded_dot_segments_never_reach_the_backend_s_other_routes() {
    let db = TestDb::new(Engine::Sqlite).await;
    let be = backend(&db, &[]).await;
    let fe = frontend(&be.url, &[]).await;
    // The backend serves /metrics and /ready outside /api/.
    assert_eq!(raw_status(&be.url, "/metrics").await, 200);
    for escape in [
        "/api/%2e%2e/metrics",
        "/api/%2E%2E/ready",
        "/api/.%2e/metrics",
        "/api/%252e%252e/metrics",
        "/api/tasks/..%2f..%2fmetrics",
        "/api/%2e%2e%5cmetrics",
    ] {
        assert_eq!(raw_status(&fe.url, escape).await, 400, "{escape}");
    }
    // API paths still pass (401: no session).
    assert_eq!(raw_status(&fe.url, "/api/tasks").await, 401);
}

#[tokio::test]
async fn every_answer_forbids_framing_sniffing_and_foreign_scripts() {
    let dead = format!("http://127.0.0.1:{}", free_port());
    let fe = frontend(&dead, &[]).await;
    for path in ["/", "/app.js", "/api/tasks", "/nope"] {
        let r = http()
            .get(format!("{}{path}", fe.url))
            .send()
            .await
            .unwrap();
        let h = r.headers();
        let csp = h
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("{path}: no CSP"))
            .to_str()
            .unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{path}: {csp}"
        );
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
    }
    // The page loads nothing the policy would block: no inline script or style.
    let html = http()
        .get(&fe.url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("<script>") && !html.contains("style="),
        "{html}"
    );
}
