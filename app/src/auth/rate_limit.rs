//! Sign-in rate limit kept in the database, so every replica enforces the same count.

use crate::db::{Db, now_ms};
use crate::error::ApiError;

/// Failed attempts allowed per email within the window.
pub const MAX_FAILED_ATTEMPTS: i64 = 5;
/// The window, in milliseconds (15 minutes).
pub const WINDOW_MS: i64 = 15 * 60 * 1000;

/// Refuses the attempt when the email has too many recent failures.
pub async fn check(db: &Db, email: &str) -> Result<(), ApiError> {
    let since = now_ms() - WINDOW_MS;
    let (failed, oldest): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(at) FROM sign_in_attempts WHERE email = $1 AND at > $2 AND succeeded = 0",
    )
    .bind(email)
    .bind(since)
    .fetch_one(db)
    .await?;
    if failed >= MAX_FAILED_ATTEMPTS {
        let retry_ms = oldest.unwrap_or(since) + WINDOW_MS - now_ms();
        return Err(ApiError::TooManyRequests {
            message: format!(
                "too many failed sign-in attempts for this account; try again in {} minutes",
                (retry_ms / 60_000).max(1)
            ),
            retry_after_secs: (retry_ms / 1000).max(1) as u64,
        });
    }
    Ok(())
}

/// Records the outcome of a sign-in attempt.
pub async fn record(db: &Db, email: &str, succeeded: bool) -> Result<(), ApiError> {
    sqlx::query("INSERT INTO sign_in_attempts (email, succeeded, at) VALUES ($1, $2, $3)")
        .bind(email)
        .bind(i64::from(succeeded))
        .bind(now_ms())
        .execute(db)
        .await?;
    Ok(())
}
