//! In-memory copies of small, rarely changed tables (the org tree, the holiday calendar) that
//! nearly every request reads. A copy is trusted for a second; after that one cheap version row
//! (row count and latest change) is compared before it is used again, which also catches changes
//! made by other servers on the same PostgreSQL. Changes made in this process drop the copy at
//! once (`invalidate`), so they are seen by the next read here, never a second late. Written by
//! hand: it is a map and a clock, and the invalidation rule is ours.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use super::Db;

/// How long a copy is used without looking at the store.
const TRUST: Duration = Duration::from_secs(1);

type Version = (i64, Option<String>);

struct Entry<T> {
    version: Version,
    checked: Instant,
    /// The cache's generation when the copy was read: a change in this process since then
    /// makes it untrusted, even within `TRUST`.
    generation: u64,
    value: Arc<T>,
}

/// One table's copies, by store (`Db::id`).
pub struct StoreCache<T> {
    /// `SELECT COUNT(*), MAX(updated_at) FROM …`: the version row.
    version_sql: &'static str,
    generation: AtomicU64,
    entries: LazyLock<Mutex<HashMap<u64, Entry<T>>>>,
}

impl<T> StoreCache<T> {
    pub const fn new(version_sql: &'static str) -> StoreCache<T> {
        StoreCache {
            version_sql,
            generation: AtomicU64::new(0),
            entries: LazyLock::new(Default::default),
        }
    }

    /// The copy for `db`, reading the table with `load` when it is missing or out of date.
    pub async fn get<E, F, Fut>(&self, db: &Db, load: F) -> Result<Arc<T>, E>
    where
        E: From<sqlx::Error>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let generation = self.generation.load(Ordering::Acquire);
        if let Some(e) = self.entries.lock().expect("store cache").get(&db.id)
            && e.generation == generation
            && e.checked.elapsed() < TRUST
        {
            return Ok(e.value.clone());
        }
        let version: Version = crate::storage::query_as(self.version_sql)
            .fetch_one(&db)
            .await?;
        if let Some(value) = self.confirm(db, &version, generation) {
            return Ok(value);
        }
        let value = Arc::new(load().await?);
        self.entries.lock().expect("store cache").insert(
            db.id,
            Entry {
                version,
                checked: Instant::now(),
                generation,
                value: value.clone(),
            },
        );
        Ok(value)
    }

    /// The copy, if it is of `version`, now confirmed as of `generation`.
    fn confirm(&self, db: &Db, version: &Version, generation: u64) -> Option<Arc<T>> {
        let mut entries = self.entries.lock().expect("store cache");
        let e = entries.get_mut(&db.id).filter(|e| e.version == *version)?;
        e.checked = Instant::now();
        e.generation = generation;
        Some(e.value.clone())
    }

    /// Call after committing a change to the table: every copy is checked before its next use.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    static NOTES: StoreCache<i64> = StoreCache::new("SELECT COUNT(*), MAX(at) FROM notes");

    async fn read(db: &Db, loads: &AtomicUsize) -> i64 {
        *NOTES
            .get(db, || async {
                loads.fetch_add(1, Ordering::SeqCst);
                let n: i64 = crate::storage::query_scalar("SELECT COUNT(*) FROM notes")
                    .fetch_one(&db)
                    .await?;
                Ok::<_, sqlx::Error>(n)
            })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_copy_is_reused_dropped_on_local_change_and_rechecked_after_a_second() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&crate::storage::sqlite_url(dir.path()))
            .await
            .unwrap();
        db.execute_batch("CREATE TABLE notes (at TEXT)")
            .await
            .unwrap();
        let loads = AtomicUsize::new(0);
        let add = |at: &'static str| {
            let db = db.clone();
            async move {
                crate::storage::query("INSERT INTO notes (at) VALUES ($1)")
                    .bind(at)
                    .execute(&db)
                    .await
                    .unwrap();
            }
        };
        assert_eq!(read(&db, &loads).await, 0);
        assert_eq!(read(&db, &loads).await, 0);
        assert_eq!(loads.load(Ordering::SeqCst), 1, "read once");
        // A change in this process is seen at once.
        add("a").await;
        NOTES.invalidate();
        assert_eq!(read(&db, &loads).await, 1);
        // A change by another server is seen within a second, by the version row.
        add("b").await;
        tokio::time::sleep(TRUST + Duration::from_millis(50)).await;
        assert_eq!(read(&db, &loads).await, 2);
        assert_eq!(loads.load(Ordering::SeqCst), 3);
        // Unchanged: the version row confirms the copy, nothing is reread.
        tokio::time::sleep(TRUST + Duration::from_millis(50)).await;
        assert_eq!(read(&db, &loads).await, 2);
        assert_eq!(loads.load(Ordering::SeqCst), 3);
    }
}
