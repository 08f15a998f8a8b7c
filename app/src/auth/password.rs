//! argon2id password hashing, run off the async workers because it is CPU-bound.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::ApiError;

/// Hashes a password to a PHC string (`$argon2id$…`).
pub async fn hash(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| ApiError::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("password hashing task failed: {e}")))?
}

/// Checks a password against a stored PHC string.
pub async fn verify(password: String, stored: String) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| ApiError::Internal(format!("stored password hash is malformed: {e}")))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|e| ApiError::Internal(format!("password check task failed: {e}")))?
}

/// Spends the same work as checking a real password, for an email no account has: answering
/// faster would tell who has an account (the message is the same either way).
pub async fn verify_nobody(password: String) -> Result<(), ApiError> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let stored = DUMMY
        .get_or_try_init(|| hash("no account has this password".into()))
        .await?
        .clone();
    verify(password, stored).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn hash_is_argon2id_and_verifies() {
        let h = super::hash("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(
            super::verify("correct horse".into(), h.clone())
                .await
                .unwrap()
        );
        assert!(!super::verify("wrong horse".into(), h).await.unwrap());
    }
}
