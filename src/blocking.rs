//! CPU-heavy work off the async workers: Argon2 hashing, PDF layout with font subsetting,
//! building and reading spreadsheets, rebuilding the search index. Each runs on tokio's
//! blocking pool through [`run`], so a burst of exports or sign-ins never stalls the requests
//! waiting on the same worker threads; a panic inside becomes an internal error.
//!
//! This is also where the server limits concurrency: at most [`MAX_AT_ONCE`] such jobs run at
//! once and the rest wait their turn (within the request's deadline). A limit on requests as a
//! whole would let a few hundred clients trickling their bodies in hold every place while they
//! do nothing; a request that only waits costs little, one that computes is what a flood of
//! exports or sign-ins would pile up.

use crate::error::{Error, Result};

/// CPU-heavy jobs running at once, per process.
pub const MAX_AT_ONCE: usize = 8;

static PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_AT_ONCE);

/// Runs `f` on the blocking pool, once one of the [`MAX_AT_ONCE`] places is free, and answers
/// what it answered.
pub async fn run<T, E>(f: impl FnOnce() -> std::result::Result<T, E> + Send + 'static) -> Result<T>
where
    T: Send + 'static,
    E: Into<Error> + Send + 'static,
{
    let _place = PERMITS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(Into::into),
        Err(e) => Err(Error::Internal(anyhow::anyhow!(
            "blocking task failed: {e}"
        ))),
    }
}
