//! Waiting for a condition in tests: poll until it holds, fail loudly naming what never
//! happened. The one `until` of the workspace's tests (no fixed sleeps).

use std::future::Future;
use std::time::{Duration, Instant};

/// How often a condition is polled.
const EVERY: Duration = Duration::from_millis(50);

/// Polls `f` until it gives a value; `None` once `timeout` has passed.
pub async fn poll<T>(timeout: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(EVERY).await;
    }
}

/// Polls `f` until it gives a value; panics naming `what` after `timeout`.
pub async fn until<T>(what: &str, timeout: Duration, f: impl FnMut() -> Option<T>) -> T {
    match poll(timeout, f).await {
        Some(v) => v,
        None => panic!("timed out after {timeout:?} waiting for {what}"),
    }
}

/// Awaits `f` until it is true; panics naming `what` after `timeout`.
pub async fn until_async<F, Fut>(what: &str, timeout: Duration, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    while !f().await {
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(EVERY).await;
    }
}

/// Polls `f` on this thread until it is true; panics naming `what` after `timeout`.
pub fn until_blocking(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(EVERY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_condition_that_never_holds_times_out() {
        assert_eq!(poll(Duration::from_millis(120), || None::<()>).await, None);
        let mut n = 0;
        let got = poll(Duration::from_secs(5), || {
            n += 1;
            (n == 3).then_some(n)
        })
        .await;
        assert_eq!(got, Some(3));
    }
}
