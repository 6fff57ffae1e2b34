//! The audit trail: every change records who, when, from where, what, and the values before and
//! after. Entries are written in the same transaction as the change they describe, so a change
//! cannot land without its entry. Each entry carries the org path it concerns, so an auditor
//! granted at a street reads that street's entries only.
//!
//! The trail is tamper-evident ([`chain`]): each entry carries the digest of the one before it,
//! in the order the entries were written, so a changed, removed or slipped-in entry breaks the
//! chain where it happened, and each day's head is kept (and logged, and mailed if asked) as an
//! anchor that a shortened trail cannot match.

pub mod chain;
mod export;

pub use export::{to_csv, to_xlsx};

use crate::storage::FromRow;
use serde::Serialize;
use serde_json::Value;

use crate::clock;
use crate::storage::{Db, Sql};

/// Who acts, as recorded.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub ip: Option<String>,
}

impl Actor {
    /// The command line acting on the store directly.
    pub fn cli() -> Actor {
        Actor {
            user_id: None,
            name: "cli".into(),
            ip: None,
        }
    }
}

/// One change to record.
pub struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub scope_path: &'a str,
    pub summary: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Records a change in the transaction that makes it, as the chain's next link.
pub async fn record(
    conn: &mut crate::storage::Tx,
    actor: &Actor,
    c: Change<'_>,
) -> sqlx::Result<()> {
    let prev = chain::lock_head(conn).await?;
    let e = Entry {
        id: 0,
        at: conn.now(),
        actor_id: actor.user_id,
        actor: actor.name.clone(),
        ip: actor.ip.clone(),
        action: c.action.to_string(),
        entity: c.entity.to_string(),
        entity_id: Some(c.entity_id),
        scope_path: c.scope_path.to_string(),
        summary: c.summary,
        before_json: c.before.map(|v| v.to_string()),
        after_json: c.after.map(|v| v.to_string()),
    };
    let hash = chain::link(prev.as_deref(), &e);
    crate::storage::query(
        "INSERT INTO audit_log (at, actor_id, actor, ip, action, entity, entity_id, scope_path, \
         summary, before_json, after_json, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&e.at)
    .bind(e.actor_id)
    .bind(&e.actor)
    .bind(&e.ip)
    .bind(&e.action)
    .bind(&e.entity)
    .bind(&e.entity_id)
    .bind(&e.scope_path)
    .bind(&e.summary)
    .bind(&e.before_json)
    .bind(&e.after_json)
    .bind(&prev)
    .bind(&hash)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, FromRow, utoipa::ToSchema)]
pub struct Entry {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub ip: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub scope_path: String,
    pub summary: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

/// Filters an auditor can set; all optional.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Filter {
    /// Actor username (exact) or part of it.
    pub actor: Option<String>,
    /// Action prefix, e.g. `user.` or `grant.add`.
    pub action: Option<String>,
    /// Entity kind: `org_unit`, `user`, `grant`, `session`.
    pub entity: Option<String>,
    /// First day, `YYYY-MM-DD` (China time).
    pub from: Option<String>,
    /// Last day, inclusive.
    pub to: Option<String>,
    /// Free text in the summary.
    pub q: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl Filter {
    /// The period's days parse, or the field is named.
    fn check(&self) -> crate::Result<()> {
        let errs: Vec<_> = [("from", &self.from), ("to", &self.to)]
            .into_iter()
            .filter_map(|(k, v)| crate::clock::filter_day(k, v.as_deref()).err())
            .collect();
        if errs.is_empty() {
            Ok(())
        } else {
            Err(crate::Error::Validation(errs))
        }
    }
}

fn clean(o: &Option<String>) -> Option<&str> {
    o.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Entries about the platform as a whole (the duty rota, inspections, print templates…) carry
/// the scope `/`: an auditor of the whole tree (a scope at its root) reads them.
pub const PLATFORM_SCOPE: &str = "/";

fn push_where(q: &mut Sql, f: &Filter, scopes: &[String]) {
    q.push(" WHERE (").any_subtree("scope_path", scopes);
    if scopes
        .iter()
        .any(|p| p == "/" || p.matches('/').count() == 2)
    {
        q.push(" OR scope_path = ").bind(PLATFORM_SCOPE);
    }
    q.push(")");
    if let Some(a) = clean(&f.actor) {
        q.push(" AND ").contains_any(&["actor"], a);
    }
    if let Some(a) = clean(&f.action) {
        q.push(" AND ").starts_with("action", a);
    }
    if let Some(e) = clean(&f.entity) {
        q.push(" AND entity = ").bind(e);
    }
    if let Some(d) = clean(&f.from).and_then(clock::day_start_db) {
        q.push(" AND at >= ").bind(d);
    }
    if let Some(d) = clean(&f.to)
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .and_then(|d| d.succ_opt())
        .and_then(|d| clock::day_start_db(&d.to_string()))
    {
        q.push(" AND at < ").bind(d);
    }
    if let Some(t) = clean(&f.q) {
        q.push(" AND ").contains_any(&["summary"], t);
    }
}

/// Every entry about one entity (e.g. `approval`, `42`), oldest first: its history.
pub async fn history(db: &Db, entity: &str, entity_id: &str) -> sqlx::Result<Vec<Entry>> {
    crate::storage::query_as(
        "SELECT id, at, actor_id, actor, ip, action, entity, entity_id, scope_path, summary, \
         before_json, after_json FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id",
    )
    .bind(entity)
    .bind(entity_id)
    .fetch_all(&db)
    .await
}

/// Every entry the filter selects, for an export — refused when more than
/// [`crate::sheets::MAX_EXPORT_ROWS`].
pub async fn for_export(db: &Db, f: &Filter, scopes: &[String]) -> crate::Result<Vec<Entry>> {
    f.check()?;
    let mut q = Sql::new("SELECT COUNT(*) FROM audit_log");
    push_where(&mut q, f, scopes);
    let total: i64 = q.scalar().fetch_one(&db).await?;
    if total > crate::sheets::MAX_EXPORT_ROWS {
        return Err(crate::sheets::export_too_large("from"));
    }
    Ok(rows(db, f, scopes, false).await?.0)
}

/// One page of the entries visible under `scopes` (org paths) matching `f`, newest first, with
/// the total count.
pub async fn search(db: &Db, f: &Filter, scopes: &[String]) -> crate::Result<(Vec<Entry>, i64)> {
    f.check()?;
    Ok(rows(db, f, scopes, true).await?)
}

async fn rows(
    db: &Db,
    f: &Filter,
    scopes: &[String],
    paged: bool,
) -> sqlx::Result<(Vec<Entry>, i64)> {
    let mut q = Sql::new("SELECT COUNT(*) FROM audit_log");
    push_where(&mut q, f, scopes);
    let total: i64 = q.scalar().fetch_one(&db).await?;

    let mut q = Sql::new(
        "SELECT id, at, actor_id, actor, ip, action, entity, entity_id, scope_path, summary, \
         before_json, after_json FROM audit_log",
    );
    push_where(&mut q, f, scopes);
    q.push(" ORDER BY id DESC");
    if paged {
        q.paged(f.page, Some(f.per_page.unwrap_or(50)));
    }
    let rows = q.query_as::<Entry>().fetch_all(&db).await?;
    Ok((rows, total))
}

#[cfg(test)]
mod tests {
    /// Every action the code records, written as a literal in a `Change { action: … }`, has its
    /// name in both languages (the audit page and export show the name, not the code).
    #[test]
    fn every_recorded_action_has_a_name() {
        let lit = regex::Regex::new(r#""([a-z_]+\.[a-z_.]+)""#).unwrap();
        let mut missing = Vec::new();
        let mut seen = 0;
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            for block in text.split("Change {").skip(1) {
                // The audit's own `Change { action: …, entity: … }`, not another type's.
                let Some(action) = block
                    .trim_start()
                    .strip_prefix("action:")
                    .and_then(|rest| rest.split_once("entity:"))
                    .map(|(a, _)| a)
                    .filter(|a| a.len() < 400)
                else {
                    continue;
                };
                for c in lit.captures_iter(action) {
                    seen += 1;
                    let key = format!("audit.{}", &c[1]);
                    if !crate::i18n::is_known(&key) {
                        missing.push(format!("{}: {key}", p.display()));
                    }
                }
            }
        }
        assert!(seen > 20, "found only {seen} recorded actions");
        assert!(missing.is_empty(), "actions without a name: {missing:#?}");
    }
}
