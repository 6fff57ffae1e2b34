//! The audit trail as a hash chain. Each entry's `hash` is the digest (SHA-256 or SM3, tagged
//! with its name) of the previous entry's hash and the entry's own fields, in the order the
//! entries were written: on SQLite the single writer orders them; on PostgreSQL a transaction
//! lock taken before reading the head holds every other writer of the trail until commit. So:
//! - an entry changed in the store no longer matches its hash;
//! - an entry removed, or slipped in without the chain, breaks the next entry's link;
//! - a trail cut short is caught by the day's anchor: the head, kept in `audit_anchors`, written
//!   to the log and (with `audit_anchor_recipients` set) mailed — copies outside the store.
//!
//! [`verify`] walks the chain and names the first entry that breaks it; `zhengwu audit verify`
//! prints that. Entries written before the chain existed are chained once, at start-up
//! ([`chain_existing`]), in their id order.

use serde::Serialize;
use serde_json::json;

use super::Entry;
use crate::clock;
use crate::storage::{Db, Tx, query, query_as, query_scalar};

/// The transaction lock that orders writers of the trail on PostgreSQL.
const CHAIN_LOCK: i64 = 7_201_800;

/// Takes the chain (PostgreSQL: until the transaction ends) and answers its head's hash.
pub(super) async fn lock_head(tx: &mut Tx) -> sqlx::Result<Option<String>> {
    if tx.is_postgres() {
        query("SELECT pg_advisory_xact_lock($1)")
            .bind(CHAIN_LOCK)
            .execute(&mut *tx)
            .await?;
    }
    Ok(
        query_scalar::<Option<String>>("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?
            .flatten(),
    )
}

/// The text an entry's hash covers: the previous hash and every recorded field (not the id).
fn canonical(prev: Option<&str>, e: &Entry) -> String {
    json!([
        prev,
        e.at,
        e.actor_id,
        e.actor,
        e.ip,
        e.action,
        e.entity,
        e.entity_id,
        e.scope_path,
        e.summary,
        e.before_json,
        e.after_json
    ])
    .to_string()
}

/// The hash of `e` after `prev`, with the configured digest.
pub(super) fn link(prev: Option<&str>, e: &Entry) -> String {
    crate::crypto::hash().tagged(canonical(prev, e).as_bytes())
}

#[derive(crate::storage::FromRow)]
struct Row {
    #[row(flatten)]
    e: Entry,
    prev_hash: Option<String>,
    hash: Option<String>,
}

const COLS: &str = "id, at, actor_id, actor, ip, action, entity, entity_id, scope_path, summary, \
    before_json, after_json, prev_hash, hash";

/// What walking the chain found.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    /// Entries checked (chained).
    pub entries: i64,
    /// The last entry checked and its hash.
    pub head: Option<(i64, String)>,
    /// The first entry that breaks the chain, and why.
    pub broken: Option<(i64, String)>,
}

/// Walks the whole chain in id order; stops at the first break.
pub async fn verify(db: &Db) -> anyhow::Result<Report> {
    let mut report = Report {
        entries: 0,
        head: None,
        broken: None,
    };
    let mut after = 0i64;
    let mut prev: Option<String> = None;
    loop {
        let rows: Vec<Row> = query_as(format!(
            "SELECT {COLS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT 5000"
        ))
        .bind(after)
        .fetch_all(db)
        .await?;
        let Some(last) = rows.last() else {
            return Ok(report);
        };
        after = last.e.id;
        for r in &rows {
            let Some(hash) = &r.hash else {
                report.broken = Some((r.e.id, "not in the chain (written around it)".into()));
                return Ok(report);
            };
            if r.prev_hash != prev {
                report.broken = Some((
                    r.e.id,
                    "its link does not match the entry before it (one removed or changed)".into(),
                ));
                return Ok(report);
            }
            if !crate::crypto::check_tagged(hash, canonical(prev.as_deref(), &r.e).as_bytes()) {
                report.broken = Some((r.e.id, "its content no longer matches its hash".into()));
                return Ok(report);
            }
            report.entries += 1;
            report.head = Some((r.e.id, hash.clone()));
            prev = Some(hash.clone());
        }
    }
}

/// Chains the entries written before the chain existed, once: only while no entry has a hash.
pub async fn chain_existing(db: &Db) -> anyhow::Result<usize> {
    // One indexed probe at each start, not a count over the whole trail.
    let chained: Option<i64> =
        query_scalar("SELECT id FROM audit_log WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1")
            .fetch_optional(db)
            .await?;
    if chained.is_some() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    let rows: Vec<Row> = query_as(format!("SELECT {COLS} FROM audit_log ORDER BY id"))
        .fetch_all(&mut tx)
        .await?;
    let mut prev: Option<String> = None;
    for r in &rows {
        let hash = link(prev.as_deref(), &r.e);
        query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE id = $3")
            .bind(&prev)
            .bind(&hash)
            .bind(r.e.id)
            .execute(&mut tx)
            .await?;
        prev = Some(hash);
    }
    tx.commit().await?;
    if !rows.is_empty() {
        tracing::info!(entries = rows.len(), "audit trail chained");
    }
    Ok(rows.len())
}

/// Keeps today's anchor (China time) once, whichever node gets there first: the chain's head
/// written to the log and, when `audit_anchor_recipients` is set, mailed. Answers whether this
/// call made it.
pub async fn anchor_today(db: &Db) -> anyhow::Result<bool> {
    let day = db
        .clock()
        .now_utc()
        .with_timezone(&clock::cst())
        .date_naive()
        .to_string();
    let done: Option<String> = query_scalar("SELECT day FROM audit_anchors WHERE day = $1")
        .bind(&day)
        .fetch_optional(db)
        .await?;
    if done.is_some() {
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    let head = lock_head(&mut tx).await?;
    let (id, entries): (Option<i64>, i64) = query_as("SELECT MAX(id), COUNT(*) FROM audit_log")
        .fetch_one(&mut tx)
        .await?;
    let (Some(id), Some(hash)) = (id, head) else {
        return Ok(false);
    };
    let n = query(
        "INSERT INTO audit_anchors (day, head_id, head_hash, entries, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (day) DO NOTHING",
    )
    .bind(&day)
    .bind(id)
    .bind(&hash)
    .bind(entries)
    .bind(db.now())
    .execute(&mut tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    let to: Option<String> = query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind("audit_anchor_recipients")
        .fetch_optional(&mut tx)
        .await?;
    if let Some(to) = to.filter(|t| !t.trim().is_empty()) {
        let mail = crate::mail::Mail {
            to: to
                .split([',', ';', ' '])
                .filter(|a| !a.is_empty())
                .map(String::from)
                .collect(),
            subject: format!("审计日志锚点 {day}"),
            body: format!(
                "{day} 审计日志链头：第 {id} 条，共 {entries} 条。\n{hash}\n\n\
                 请妥善留存本邮件：日后可用 `zhengwu audit verify` 核对审计日志是否被篡改或截短。\n"
            ),
            attachment: None,
        };
        crate::mail::queue(&mut tx, &mail).await?;
    }
    tx.commit().await?;
    tracing::info!(target: "audit_anchor", day = %day, head_id = id, entries, head_hash = %hash, "audit trail anchor");
    Ok(true)
}

/// Checks the kept anchors against the chain: each anchored head must still be the entry it
/// was. Answers the first day whose anchor the trail no longer matches.
pub async fn check_anchors(db: &Db) -> anyhow::Result<Option<String>> {
    let anchors: Vec<(String, i64, String)> =
        query_as("SELECT day, head_id, head_hash FROM audit_anchors ORDER BY day")
            .fetch_all(db)
            .await?;
    for (day, id, hash) in anchors {
        let now: Option<Option<String>> = query_scalar("SELECT hash FROM audit_log WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?;
        if now.flatten().as_deref() != Some(hash.as_str()) {
            return Ok(Some(day));
        }
    }
    Ok(None)
}
