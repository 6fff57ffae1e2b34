//! The storage layer: one handle, [`Db`], over embedded SQLite (the default: one file under the
//! data dir, WAL, foreign keys on) or PostgreSQL (a `postgres://` URL), chosen at run time from
//! the URL scheme.
//!
//! Queries are written once in the SQL both engines accept (`$1` placeholders, `RETURNING`,
//! BIGINT integers, fixed-width text timestamps) and run through sqlx's `Any` driver; the only
//! backend-specific text is the DDL in `migrations/sqlite` and `migrations/postgres`, kept side
//! by side and checked to match by a test.

mod cache;
mod sql;

pub use cache::StoreCache;
pub use sql::{Arg, Page, Sql};

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, ConnectOptions};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// Distinguishes connections to different stores in one process (for in-memory caches).
    pub id: u64,
    /// SQLite has one writer at a time; transactions queue here instead of meeting in SQLite's
    /// busy handler, which sleeps for milliseconds between retries.
    write_gate: Arc<tokio::sync::Mutex<()>>,
}

/// A transaction; on SQLite it holds the process's write gate until it ends. Dereferences to the
/// connection, so `&mut *tx` runs statements in it.
pub struct Tx {
    inner: sqlx::Transaction<'static, sqlx::Any>,
    _gate: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.inner
    }
}

impl Tx {
    pub async fn commit(self) -> sqlx::Result<()> {
        self.inner.commit().await
    }
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .finish()
    }
}

/// The SQLite URL for a data dir.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("zhengwu.db").display()
    )
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`). Does not migrate.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            anyhow::bail!("unsupported database URL scheme (use sqlite:// or postgres://)");
        };
        let opts = AnyConnectOptions::from_str(url)?.disable_statement_logging();
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(8)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            sqlx::raw_sql(
                                "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                                 PRAGMA synchronous = NORMAL;",
                            )
                            .execute(conn)
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(opts)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await?
            }
        };
        if backend == Backend::Sqlite {
            sqlx::raw_sql("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(Db {
            pool,
            backend,
            id,
            write_gate: Arc::default(),
        })
    }

    /// Begins a transaction (on SQLite, after the transactions before it in this process).
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        let gate = match self.backend {
            Backend::Sqlite => Some(self.write_gate.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        Ok(Tx {
            inner: self.pool.begin().await?,
            _gate: gate,
        })
    }

    /// Applies pending schema migrations for this backend.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// Connects and migrates.
    pub async fn open(url: &str) -> anyhow::Result<Db> {
        let db = Db::connect(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// `LIKE` pattern for "this path and everything below it".
pub fn subtree_pattern(path: &str) -> String {
    format!("{path}%")
}

#[cfg(test)]
mod tests {
    /// The two migration sets must define the same tables, columns and indexes: only the
    /// identity-column spelling may differ.
    #[test]
    fn migrations_match_across_backends() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
        let names = |b: &str| {
            let mut v: Vec<_> = std::fs::read_dir(format!("{dir}/{b}"))
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            v.sort();
            v
        };
        assert_eq!(names("sqlite"), names("postgres"));
        for n in names("sqlite") {
            let s = std::fs::read_to_string(format!("{dir}/sqlite/{n}")).unwrap();
            let p = std::fs::read_to_string(format!("{dir}/postgres/{n}")).unwrap();
            let norm = |t: &str| {
                t.replace(
                    "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
                    "id INTEGER PRIMARY KEY AUTOINCREMENT",
                )
            };
            assert_eq!(norm(&s), norm(&p), "{n} differs beyond identity columns");
        }
    }
}
