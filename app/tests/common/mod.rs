//! Test support: a fresh database per test (Postgres or SQLite), backend and frontend
//! processes started from the built binaries, and a small HTTP client.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The shared Postgres server CI provides.
pub const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
/// A valid auth secret for tests.
pub const SECRET: &str = "test-secret-0123456789abcdef-0123456789";

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default()
    )
}

/// A scratch directory under `target/` for this test run.
pub fn scratch_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("app-tests");
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Which database engine a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The real Postgres on 127.0.0.1:5432.
    Postgres,
    /// A SQLite file.
    Sqlite,
}

/// A database of its own for one test; dropped when the test ends.
pub struct TestDb {
    /// URL to pass as `DATABASE_URL`.
    pub url: String,
    engine: Engine,
    name: String,
}

impl TestDb {
    /// Creates an empty database.
    pub async fn new(engine: Engine) -> Self {
        match engine {
            Engine::Postgres => {
                use sqlx::Connection;
                let name = unique("todo_test");
                let mut conn = sqlx::PgConnection::connect(PG_ADMIN_URL).await.expect(
                    "Postgres must be running on 127.0.0.1:5432 with trust auth (database `test`)",
                );
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                Self {
                    url: format!("postgres://postgres@127.0.0.1:5432/{name}"),
                    engine,
                    name,
                }
            }
            Engine::Sqlite => {
                let name = unique("todo_test");
                let path = scratch_dir().join(format!("{name}.db"));
                Self {
                    url: format!("sqlite://{}", path.display()),
                    engine,
                    name: path.display().to_string(),
                }
            }
        }
    }

    /// A pool on this database, for checking rows directly.
    pub async fn pool(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::any::AnyPoolOptions::new()
            .max_connections(2)
            .connect(&self.url)
            .await
            .expect("connect to test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self.engine {
            Engine::Sqlite => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", self.name));
                }
            }
            Engine::Postgres => {
                let name = self.name.clone();
                // Drop runs inside the test's runtime; a fresh thread gets its own.
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    rt.block_on(async move {
                        use sqlx::Connection;
                        if let Ok(mut c) = sqlx::PgConnection::connect(PG_ADMIN_URL).await {
                            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            )))
                            .execute(&mut c)
                            .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// A free loopback port (bound then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A server process started from a built binary; killed on drop.
pub struct Process {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The process.
    pub child: Child,
    /// Where its stderr goes.
    pub log: PathBuf,
}

impl Process {
    /// Starts `bin` with `env` (plus `PORT`), without waiting.
    pub fn spawn(bin: &str, env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let log = scratch_dir().join(format!("{}.log", unique("proc")));
        let file = std::fs::File::create(&log).expect("log file");
        let mut cmd = Command::new(bin);
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("PORT", port.to_string())
            .env("LOG_FORMAT", "json")
            .stdout(Stdio::null())
            .stderr(Stdio::from(file));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("spawn server binary");
        Self {
            url: format!("http://127.0.0.1:{port}"),
            child,
            log,
        }
    }

    /// The process's log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until `path` answers 200, failing loudly with the log after `timeout`.
    pub async fn wait_ready(&mut self, path: &str, timeout: Duration) {
        let client = http();
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "server exited early with {status}; log:\n{}",
                    self.log_text()
                );
            }
            if let Ok(r) = client.get(format!("{}{path}", self.url)).send().await
                && r.status().is_success()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "server not ready on {path} within {timeout:?}; log:\n{}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits for exit, failing after `timeout`.
    pub async fn wait_exit(&mut self, timeout: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "process did not exit within {timeout:?}; log:\n{}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The backend binary path.
pub const BACKEND: &str = env!("CARGO_BIN_EXE_todo-backend");
/// The frontend binary path.
pub const FRONTEND: &str = env!("CARGO_BIN_EXE_todo-frontend");

/// Starts a backend on `db` and waits until `/ready`.
pub async fn backend(db: &TestDb, extra: &[(&str, &str)]) -> Process {
    let mut env = vec![
        ("DATABASE_URL", db.url.as_str()),
        ("BETTER_AUTH_SECRET", SECRET),
    ];
    env.extend_from_slice(extra);
    let mut p = Process::spawn(BACKEND, &env);
    p.wait_ready("/ready", Duration::from_secs(60)).await;
    p
}

/// An HTTP client with a timeout.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .no_proxy()
        .build()
        .expect("http client")
}

/// A signed-in API user.
#[derive(Clone)]
pub struct User {
    /// Base URL of the backend.
    pub base: String,
    /// Session token.
    pub token: String,
    /// User id.
    pub id: String,
    pub client: reqwest::Client,
}

impl User {
    /// Signs up a new user with a unique email.
    pub async fn sign_up(base: &str) -> Self {
        let email = format!("{}@example.com", unique("user"));
        let r = http()
            .post(format!("{base}/api/auth/sign-up/email"))
            .json(&json!({"email": email, "password": "correct-horse-1", "name": "Tess"}))
            .send()
            .await
            .expect("sign-up request");
        assert_eq!(r.status(), 200, "sign-up failed");
        let body: Value = r.json().await.expect("sign-up json");
        Self {
            base: base.to_string(),
            token: body["token"].as_str().expect("token").to_string(),
            id: body["user"]["id"].as_str().expect("id").to_string(),
            client: http(),
        }
    }

    /// Sends a request with the bearer token; returns status and JSON (or Null).
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        let text = r.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Sends a chat message; returns the response JSON, asserting 200.
    pub async fn chat(&self, conversation: Option<i64>, message: &str) -> Value {
        let (status, body) = self
            .call(
                "POST",
                "/api/chat",
                Some(json!({"conversation_id": conversation, "message": message})),
            )
            .await;
        assert_eq!(status, 200, "chat {message:?} failed: {body}");
        body
    }
}
