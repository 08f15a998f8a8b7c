//! Database connection (Postgres or SQLite through sqlx's `Any` driver) and migrations.

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Connection};

use crate::config::redact_database_url;

static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");

/// The shared connection pool.
pub type Db = AnyPool;

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// Every connection attempt failed.
    #[error(
        "could not connect to the database at {target} after {attempts} attempts: {source}; check DATABASE_URL and that the database is running and reachable"
    )]
    Unreachable {
        /// The URL with its password hidden.
        target: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last error.
        source: sqlx::Error,
    },
    /// A migration failed.
    #[error("database migration failed on {target}: {source}")]
    Migration {
        /// The URL with its password hidden.
        target: String,
        /// The migrator's error.
        source: sqlx::migrate::MigrateError,
    },
}

/// How start-up retries a database that is not reachable yet.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts before giving up.
    pub attempts: u32,
    /// Delay after the first failure; doubled each time up to `max_delay`.
    pub first_delay: Duration,
    /// The longest delay between attempts.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 6,
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
        }
    }
}

fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// SQLite URLs get `mode=rwc` so a new file is created, as a first run expects.
fn normalise_url(url: &str) -> String {
    if is_sqlite(url) && !url.contains("mode=") && !url.contains(":memory:") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}mode=rwc")
    } else {
        url.to_string()
    }
}

/// Connects with back-off, logging each failed attempt, then runs the migrations.
pub async fn connect_and_migrate(url: &str, retry: RetryPolicy) -> Result<Db, DbError> {
    sqlx::any::install_default_drivers();
    let target = redact_database_url(url);
    let url = normalise_url(url);
    let mut delay = retry.first_delay;
    let mut attempt = 0;
    let pool = loop {
        attempt += 1;
        let opts = AnyPoolOptions::new()
            .max_connections(if is_sqlite(&url) { 4 } else { 10 })
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(|conn, _| {
                Box::pin(async move {
                    // SQLite: wait for a concurrent writer instead of failing with SQLITE_BUSY.
                    if conn.backend_name() == "SQLite" {
                        sqlx::query("PRAGMA busy_timeout = 5000")
                            .execute(&mut *conn)
                            .await?;
                        // WAL: readers never block the writer, and a writer waits for the
                        // lock instead of failing at once, as rollback journals make it
                        // (SQLITE_BUSY with no wait) when replicas write at the same time.
                        // The mode is the file's; another replica may be switching it.
                        let _ = sqlx::query("PRAGMA journal_mode = WAL")
                            .execute(&mut *conn)
                            .await;
                        sqlx::query("PRAGMA foreign_keys = ON")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            });
        // One real connection per attempt (the pool alone would retry silently until its
        // acquire timeout), so each failure is logged and the back-off is ours.
        let probe =
            tokio::time::timeout(Duration::from_secs(5), sqlx::AnyConnection::connect(&url)).await;
        let result = match probe {
            Ok(Ok(conn)) => {
                let _ = conn.close().await;
                opts.connect(&url).await
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(sqlx::Error::PoolTimedOut),
        };
        match result {
            Ok(pool) => break pool,
            Err(source) if attempt >= retry.attempts => {
                return Err(DbError::Unreachable {
                    target,
                    attempts: attempt,
                    source,
                });
            }
            Err(e) => {
                tracing::warn!(
                    attempt,
                    max_attempts = retry.attempts,
                    retry_in_ms = delay.as_millis() as u64,
                    database = %target,
                    error = %e,
                    "database not reachable yet, retrying"
                );
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(retry.max_delay);
            }
        }
    };
    migrate(&pool, &url, &target).await?;
    Ok(pool)
}

async fn migrate(pool: &Db, url: &str, target: &str) -> Result<(), DbError> {
    let migrator = if is_sqlite(url) {
        &SQLITE_MIGRATIONS
    } else {
        &POSTGRES_MIGRATIONS
    };
    // Postgres serialises concurrent migrators with an advisory lock. SQLite has none, so
    // a replica that loses the race sees a conflict once; the second run finds it applied.
    let mut last = None;
    for _ in 0..3 {
        match migrator.run(pool).await {
            Ok(()) => return Ok(()),
            Err(e) => {
                tracing::warn!(database = %target, error = %e, "migration attempt failed, retrying");
                last = Some(e);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    Err(DbError::Migration {
        target: target.to_string(),
        source: last.unwrap_or(sqlx::migrate::MigrateError::Execute(
            sqlx::Error::PoolClosed,
        )),
    })
}

/// True when the database answers and every embedded migration is applied.
pub async fn is_ready(pool: &Db) -> Result<(), String> {
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await
        .map_err(|e| format!("database check failed: {e}"))?;
    let expected = POSTGRES_MIGRATIONS.iter().count() as i64;
    if applied < expected {
        return Err(format!(
            "migrations pending: {applied} of {expected} applied"
        ));
    }
    Ok(())
}

/// Milliseconds since the Unix epoch: the one timestamp format in the schema.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}
