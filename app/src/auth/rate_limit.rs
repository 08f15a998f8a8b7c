//! Sign-in rate limit kept in the database, so every replica enforces the same count.
//!
//! An attempt is recorded (as a failure) before its password is checked, and the count read
//! after that record: of any number of parallel guesses, only those that find fewer than the
//! limit already recorded go on to the password check, so parallel requests cannot outrun
//! the limit. The limit is per account *and* client address: five wrong guesses from one
//! address lock that address out of the account, while the owner, elsewhere, can still sign
//! in; a much larger limit per account (any address) stops a guesser with many addresses.

use crate::db::{Db, now_ms};
use crate::error::ApiError;

/// Failed attempts allowed per account from one client within the window.
pub const MAX_FAILED_ATTEMPTS: i64 = 5;
/// Failed attempts allowed per account from all clients together within the window.
pub const MAX_FAILED_PER_ACCOUNT: i64 = 50;
/// The window, in milliseconds (15 minutes).
pub const WINDOW_MS: i64 = 15 * 60 * 1000;

/// One attempt in progress: its row, marked a success once the password matched.
#[derive(Debug, Clone, Copy)]
pub struct Attempt(i64);

/// Records the attempt, then refuses it when the account has too many recent failures from
/// this client (or from everywhere).
pub async fn begin(db: &Db, email: &str, client: &str) -> Result<Attempt, ApiError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO sign_in_attempts (email, client, succeeded, at) VALUES ($1, $2, 0, $3) RETURNING id",
    )
    .bind(email)
    .bind(client)
    .bind(now_ms())
    .fetch_one(db)
    .await?;
    let since = now_ms() - WINDOW_MS;
    let (from_client, from_all, oldest): (i64, i64, Option<i64>) = sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN client = $2 THEN 1 ELSE 0 END), 0), COUNT(*), MIN(at) \
         FROM sign_in_attempts WHERE email = $1 AND at > $3 AND succeeded = 0",
    )
    .bind(email)
    .bind(client)
    .bind(since)
    .fetch_one(db)
    .await?;
    // This attempt is among the rows counted, hence `>`.
    if from_client > MAX_FAILED_ATTEMPTS || from_all > MAX_FAILED_PER_ACCOUNT {
        let retry_ms = oldest.unwrap_or(since) + WINDOW_MS - now_ms();
        return Err(ApiError::TooManyRequests {
            message: format!(
                "too many failed sign-in attempts for this account; try again in {} minutes",
                (retry_ms / 60_000).max(1)
            ),
            retry_after_secs: (retry_ms / 1000).max(1) as u64,
        });
    }
    Ok(Attempt(id))
}

/// Marks the attempt as the success it was, so it counts against nobody.
pub async fn succeeded(db: &Db, attempt: Attempt) -> Result<(), ApiError> {
    sqlx::query("UPDATE sign_in_attempts SET succeeded = 1 WHERE id = $1")
        .bind(attempt.0)
        .execute(db)
        .await?;
    Ok(())
}
