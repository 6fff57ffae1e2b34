//! The storage layer: one handle, [`Db`], over embedded SQLite (the default: one file under the
//! data dir, WAL, foreign keys on) or PostgreSQL (a `postgres://` URL), chosen at run time from
//! the URL scheme.
//!
//! Queries are written once in the SQL both engines accept (`$1` placeholders, `RETURNING`,
//! BIGINT integers, fixed-width text timestamps) and run through [`query`], [`query_as`] and
//! [`query_scalar`] on either store: PostgreSQL through sqlx's driver ([`pg`]), SQLite in the
//! calling thread through rusqlite ([`lite`] says why). Rows come back as the layer's own [`Row`]
//! either way ([`row`]), decoded into structs by `#[derive(FromRow)]`. The only backend-specific
//! text is the DDL in `migrations/sqlite` and `migrations/postgres`, kept side by side and checked
//! to match by a test; sqlx's migrator applies PostgreSQL's, [`migrate`] SQLite's (through
//! rusqlite, in the same `_sqlx_migrations` table).

mod cache;
mod durable;
mod lite;
mod migrate;
mod pg;
mod query;
mod row;
mod sql;

pub use cache::StoreCache;
pub use query::{Cells, Done, Ex, Query, query, query_as, query_scalar};
pub use row::{ColumnIndex, FromRow, FromValue, Row, Value};
pub use sql::{Arg, NullKind, Page, Sql};
pub use zhengwu_derive::FromRow;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

enum Store {
    Postgres(PgPool),
    Sqlite {
        lite: lite::Lite,
        /// SQLite has one writer at a time: the writing connection is the process's write gate,
        /// so writers queue here instead of meeting in SQLite's busy handler, which sleeps for
        /// milliseconds between retries.
        writer: Arc<tokio::sync::Mutex<rusqlite::Connection>>,
        /// Flushes the log before a write is answered ([`durable`]).
        syncer: Arc<durable::Syncer>,
    },
}

#[derive(Clone)]
pub struct Db {
    store: Arc<Store>,
    pub backend: Backend,
    /// Distinguishes connections to different stores in one process (for in-memory caches).
    pub id: u64,
    /// What "now" is for the code working on this store.
    clock: crate::clock::Clock,
}

/// A transaction; on SQLite it holds the process's write gate until it ends. Statements run in
/// it with `&mut tx`; dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    conn: TxConn,
    clock: crate::clock::Clock,
}

enum TxConn {
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
    Sqlite(LiteTx),
}

/// SQLite's side of a transaction: the writer, rolled back when dropped while still open.
struct LiteTx {
    conn: tokio::sync::OwnedMutexGuard<rusqlite::Connection>,
    open: bool,
    syncer: Arc<durable::Syncer>,
}

impl Tx {
    /// Now by the store's clock, as stored.
    pub fn now(&self) -> String {
        self.clock.now()
    }

    /// The store's clock.
    pub fn clock(&self) -> &crate::clock::Clock {
        &self.clock
    }

    /// Whether this transaction is on PostgreSQL (where concurrent writers need explicit locks
    /// that SQLite's single writer makes unnecessary).
    pub fn is_postgres(&self) -> bool {
        matches!(self.conn, TxConn::Postgres(_))
    }

    pub async fn commit(self) -> sqlx::Result<()> {
        match self.conn {
            TxConn::Postgres(t) => t.commit().await,
            TxConn::Sqlite(mut t) => {
                t.conn.execute_batch("COMMIT").map_err(lite::to_sqlx)?;
                t.open = false;
                let n = t.syncer.committed();
                let syncer = t.syncer.clone();
                // The writer goes to the next transaction while this one waits for the disk.
                drop(t);
                syncer.wait(n).await.map_err(sqlx::Error::Io)
            }
        }
    }
}

impl Drop for LiteTx {
    fn drop(&mut self) {
        if self.open
            && let Err(e) = self.conn.execute_batch("ROLLBACK")
        {
            tracing::error!(error = %e, "rolling back an abandoned SQLite transaction");
        }
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

/// The file a `sqlite:` URL names.
fn sqlite_path(url: &str) -> PathBuf {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

/// Copies the SQLite store at `url` to `dest` through SQLite's online backup API, all pages in
/// one step: a consistent snapshot, taken while other connections go on writing.
pub fn sqlite_snapshot(url: &str, dest: &Path) -> anyhow::Result<()> {
    let src = rusqlite::Connection::open_with_flags(
        sqlite_path(url),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    let mut dst = rusqlite::Connection::open(dest)?;
    let b = rusqlite::backup::Backup::new(&src, &mut dst)?;
    loop {
        match b.step(-1)? {
            rusqlite::backup::StepResult::Done => break,
            // Another connection held a lock for a moment: try again.
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    drop(b);
    dst.execute_batch("PRAGMA journal_mode = DELETE")?;
    Ok(())
}

/// Puts `bytes` (a whole SQLite database) where the store at `url` lives, replacing the empty
/// file and its log.
pub fn sqlite_replace(url: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let path = sqlite_path(url);
    for ext in ["-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(ext);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    let tmp = path.with_extension("restoring");
    std::fs::write(&tmp, bytes)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    Ok(())
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`). Does not migrate.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            anyhow::bail!("unsupported database URL scheme (use sqlite:// or postgres://)");
        };
        let store = match backend {
            Backend::Sqlite => {
                let path = sqlite_path(url);
                let writer = lite::open(&path)?;
                writer.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
                Store::Sqlite {
                    syncer: Arc::new(durable::Syncer::new(&path)),
                    lite: lite::Lite::new(path),
                    writer: Arc::new(tokio::sync::Mutex::new(writer)),
                }
            }
            Backend::Postgres => {
                let opts = PgConnectOptions::from_str(url)?.disable_statement_logging();
                Store::Postgres(
                    PgPoolOptions::new()
                        .max_connections(16)
                        .acquire_timeout(Duration::from_secs(10))
                        .connect_with(opts)
                        .await?,
                )
            }
        };
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(Db {
            store: Arc::new(store),
            backend,
            id,
            clock: crate::clock::Clock::default(),
        })
    }

    /// The store's clock (shared by every handle and transaction of it).
    pub fn clock(&self) -> &crate::clock::Clock {
        &self.clock
    }

    /// Now by the store's clock, as stored.
    pub fn now(&self) -> String {
        self.clock.now()
    }

    /// Begins a transaction (on SQLite, after the transactions before it in this process).
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        let conn = match &*self.store {
            Store::Postgres(pool) => TxConn::Postgres(pool.begin().await?),
            Store::Sqlite { writer, syncer, .. } => {
                let c = writer.clone().lock_owned().await;
                c.execute_batch("BEGIN IMMEDIATE").map_err(lite::to_sqlx)?;
                TxConn::Sqlite(LiteTx {
                    conn: c,
                    open: true,
                    syncer: syncer.clone(),
                })
            }
        };
        Ok(Tx {
            conn,
            clock: self.clock.clone(),
        })
    }

    /// Runs several statements separated by `;` (DDL, test fixtures), outside a transaction.
    pub async fn execute_batch(&self, sql: &str) -> sqlx::Result<()> {
        match &*self.store {
            Store::Postgres(pool) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(pool)
                .await
                .map(|_| ()),
            Store::Sqlite { writer, syncer, .. } => {
                let n = {
                    let w = writer.lock().await;
                    w.execute_batch(sql).map_err(lite::to_sqlx)?;
                    syncer.committed()
                };
                syncer.wait(n).await.map_err(sqlx::Error::Io)
            }
        }
    }

    /// Applies pending schema migrations for this backend: sqlx's migrator on PostgreSQL, ours
    /// on SQLite's writer ([`migrate`]); both keep sqlx's `_sqlx_migrations` table.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match &*self.store {
            Store::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
            Store::Sqlite { writer, syncer, .. } => {
                let n = {
                    let mut w = writer.lock().await;
                    migrate::sqlite(&mut w, &SQLITE_MIGRATIONS)?;
                    syncer.committed()
                };
                syncer.wait(n).await?;
            }
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
        query("SELECT 1").fetch_one(self).await.is_ok()
    }
}

/// `LIKE` pattern for "this path and everything below it".
pub fn subtree_pattern(path: &str) -> String {
    format!("{path}%")
}

#[cfg(test)]
mod tests {
    /// The two migration sets must define the same tables, columns and indexes: only the
    /// identity-column and binary-type spellings may differ.
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
                .replace(" BYTEA", " BLOB")
            };
            assert_eq!(
                norm(&s),
                norm(&p),
                "{n} differs beyond identity columns and blob types"
            );
        }
    }
}
