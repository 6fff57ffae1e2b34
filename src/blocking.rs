//! CPU-heavy work off the async workers: Argon2 hashing, PDF layout with font subsetting,
//! building and reading spreadsheets, rebuilding the search index. Each runs on tokio's
//! blocking pool through [`run`], so a burst of exports or sign-ins never stalls the requests
//! waiting on the same worker threads; a panic inside becomes an internal error.

use crate::error::{Error, Result};

/// Runs `f` on the blocking pool and answers what it answered.
pub async fn run<T, E>(f: impl FnOnce() -> std::result::Result<T, E> + Send + 'static) -> Result<T>
where
    T: Send + 'static,
    E: Into<Error> + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(Into::into),
        Err(e) => Err(Error::Internal(anyhow::anyhow!(
            "blocking task failed: {e}"
        ))),
    }
}
