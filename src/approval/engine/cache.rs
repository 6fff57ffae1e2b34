//! Per-process cache of what the engine needs of a published matter version: its owning
//! department and promised limit. Published versions are immutable, so an entry never goes stale,
//! even with several servers on one store; entries are keyed by store (`Db::id`) so that many
//! stores in one process (the tests) stay apart. (Published workflow versions are cached the same
//! way by `workflow_repo::published`.)

use crate::days::WorkingDays;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use crate::error::Result;
use crate::storage::Db;

type Key = (u64, String, i64);

static MATTERS: LazyLock<Mutex<HashMap<Key, Arc<MatterBrief>>>> = LazyLock::new(Default::default);

/// What the engine needs of a matter version.
#[derive(Debug)]
pub struct MatterBrief {
    /// Code of the owning department.
    pub department: String,
    /// The promised limit in working days (0: on the spot).
    pub promised_days: WorkingDays,
}

/// A published matter version's department and promised limit.
pub async fn matter(db: &Db, code: &str, version: i64) -> Result<Arc<MatterBrief>> {
    let key = (db.id, code.to_string(), version);
    if let Some(m) = MATTERS.lock().expect("engine cache").get(&key) {
        return Ok(m.clone());
    }
    let m = crate::catalog::repo::version(db, code, version).await?;
    let brief = Arc::new(MatterBrief {
        department: m.department,
        promised_days: m.guide.promised_limit_days,
    });
    MATTERS
        .lock()
        .expect("engine cache")
        .insert(key, brief.clone());
    Ok(brief)
}
