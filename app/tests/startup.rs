//! Start-up behaviour the troubleshooting agent relies on: bad settings exit 1 with one log
//! line naming the variable; an unreachable database is retried, then exits non-zero;
//! concurrent migrations are safe.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod common;

use std::time::Duration;

use common::{BACKEND, Engine, Process, SECRET, TestDb, User, free_port};
use serde_json::Value;

fn error_lines(log: &str) -> Vec<Value> {
    log.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["level"] == "ERROR")
        .collect()
}

async fn exits_with_one_error(env: &[(&str, &str)], variable: &str, words: &str) {
    let mut p = Process::spawn(BACKEND, env);
    let status = p.wait_exit(Duration::from_secs(20)).await;
    assert_eq!(status.code(), Some(1), "log:\n{}", p.log_text());
    let log = p.log_text();
    let errors = error_lines(&log);
    assert_eq!(errors.len(), 1, "exactly one error line expected:\n{log}");
    assert_eq!(errors[0]["variable"], variable, "{log}");
    let msg = errors[0]["message"].as_str().unwrap_or_default();
    assert!(msg.contains(variable) && msg.contains(words), "{msg}");
}

#[tokio::test]
async fn bad_settings_exit_1_naming_the_variable() {
    exits_with_one_error(
        &[("BETTER_AUTH_SECRET", SECRET)],
        "DATABASE_URL",
        "is not set",
    )
    .await;
    exits_with_one_error(
        &[("DATABASE_URL", "sqlite://x.db")],
        "BETTER_AUTH_SECRET",
        "is not set",
    )
    .await;
    exits_with_one_error(
        &[
            ("DATABASE_URL", "sqlite://x.db"),
            ("BETTER_AUTH_SECRET", "too-short"),
        ],
        "BETTER_AUTH_SECRET",
        "at least 32",
    )
    .await;
    exits_with_one_error(
        &[
            ("DATABASE_URL", "mysql://db/x"),
            ("BETTER_AUTH_SECRET", SECRET),
        ],
        "DATABASE_URL",
        "unsupported scheme",
    )
    .await;
    exits_with_one_error(
        &[
            ("DATABASE_URL", "sqlite://x.db"),
            ("BETTER_AUTH_SECRET", SECRET),
            ("OPENAI_BASE_URL", "api.openai.com"),
        ],
        "OPENAI_BASE_URL",
        "http",
    )
    .await;
}

#[tokio::test]
async fn unreachable_database_is_retried_then_exits_nonzero() {
    // Nothing listens on this port, and the password must not reach the log.
    let url = format!("postgres://app:s3cr3t-pw@127.0.0.1:{}/todo", free_port());
    let mut p = Process::spawn(
        BACKEND,
        &[
            ("DATABASE_URL", &url),
            ("BETTER_AUTH_SECRET", SECRET),
            ("DATABASE_CONNECT_ATTEMPTS", "3"),
        ],
    );
    let status = p.wait_exit(Duration::from_secs(30)).await;
    assert_eq!(status.code(), Some(1));
    let log = p.log_text();
    let retries = log
        .lines()
        .filter(|l| l.contains("database not reachable yet, retrying"))
        .count();
    assert_eq!(retries, 2, "{log}");
    let errors = error_lines(&log);
    assert_eq!(errors.len(), 1, "{log}");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("after 3 attempts"),
        "{log}"
    );
    assert!(
        !log.contains("s3cr3t-pw"),
        "password leaked into the log:\n{log}"
    );
}

async fn two_replicas_migrate_at_once(engine: Engine) {
    let db = TestDb::new(engine).await;
    let env = [
        ("DATABASE_URL", db.url.as_str()),
        ("BETTER_AUTH_SECRET", SECRET),
    ];
    let mut a = Process::spawn(BACKEND, &env);
    let mut b = Process::spawn(BACKEND, &env);
    a.wait_ready("/ready", Duration::from_secs(60)).await;
    b.wait_ready("/ready", Duration::from_secs(60)).await;
    let pool = db.pool().await;
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    // Each migration once, however many replicas raced to apply them.
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(match engine {
        Engine::Sqlite => "migrations/sqlite",
        _ => "migrations/postgres",
    });
    let files = std::fs::read_dir(folder).unwrap().count() as i64;
    assert_eq!(applied, files);
    if engine == Engine::Sqlite {
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal", "replicas writing one SQLite file need WAL");
    }
    // Both serve the same data.
    let u = User::sign_up(&a.url).await;
    u.chat(None, "add water plants").await;
    let on_b = User {
        base: b.url.clone(),
        ..u
    };
    let (_, tasks) = on_b.call("GET", "/api/tasks", None).await;
    assert_eq!(tasks[0]["title"], "water plants");
}

#[tokio::test]
async fn two_replicas_migrate_at_once_postgres() {
    two_replicas_migrate_at_once(Engine::Postgres).await;
}

#[tokio::test]
async fn two_replicas_migrate_at_once_sqlite() {
    two_replicas_migrate_at_once(Engine::Sqlite).await;
}
