//! Per-process caches of what never changes once published: a workflow version, and a matter
//! version's owning department and promised limit. Published versions are immutable, so an entry
//! never goes stale, even with several servers on one store; entries are keyed by store (`Db::id`)
//! so that many stores in one process (the tests) stay apart.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use crate::approval::definition::WorkflowDef;
use crate::approval::workflow_repo;
use crate::error::Result;
use crate::storage::Db;

type Key = (u64, String, i64);

static WORKFLOWS: LazyLock<Mutex<HashMap<Key, Arc<WorkflowDef>>>> = LazyLock::new(Default::default);
static MATTERS: LazyLock<Mutex<HashMap<Key, Arc<MatterBrief>>>> = LazyLock::new(Default::default);

/// What the engine needs of a matter version.
#[derive(Debug)]
pub struct MatterBrief {
    /// Code of the owning department.
    pub department: String,
    /// The promised limit in working days (0: on the spot).
    pub promised_days: u32,
}

fn cached<T>(map: &Mutex<HashMap<Key, Arc<T>>>, key: &Key) -> Option<Arc<T>> {
    map.lock().expect("engine cache").get(key).cloned()
}

fn keep<T>(map: &Mutex<HashMap<Key, Arc<T>>>, key: Key, value: T) -> Arc<T> {
    let v = Arc::new(value);
    map.lock().expect("engine cache").insert(key, v.clone());
    v
}

/// A published workflow version.
pub async fn workflow(db: &Db, code: &str, version: i64) -> Result<Arc<WorkflowDef>> {
    let key = (db.id, code.to_string(), version);
    if let Some(d) = cached(&WORKFLOWS, &key) {
        return Ok(d);
    }
    let def = workflow_repo::published(db, code, version).await?;
    Ok(keep(&WORKFLOWS, key, def))
}

/// A published matter version's department and promised limit.
pub async fn matter(db: &Db, code: &str, version: i64) -> Result<Arc<MatterBrief>> {
    let key = (db.id, code.to_string(), version);
    if let Some(m) = cached(&MATTERS, &key) {
        return Ok(m);
    }
    let m = crate::catalog::repo::version(db, code, version).await?;
    let brief = MatterBrief {
        department: m.department,
        promised_days: m.guide.promised_limit_days,
    };
    Ok(keep(&MATTERS, key, brief))
}
