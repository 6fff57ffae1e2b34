//! Scoring schemes in the store, kept with versions: the built-in central 2020 rules until a
//! province saves its own (or a new version of the built-in one). The district's finance
//! officers and bureau admins write them (a save names the version it was written on; a stale
//! one is refused), everyone who reads performance reads them; every save is audited.

use serde::Serialize;
use serde_json::json;

use super::document::code_ok;
use super::score::{CENTRAL_2020, Scheme};
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::error::{Error, FieldError, Result};
use crate::org;
use crate::storage::{Db, query, query_as};

/// A scheme as kept: its code, version (0: the built-in, never saved) and who saved it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = PerformanceStoredScheme)]
pub struct Stored {
    pub code: String,
    pub version: i64,
    pub scheme: Scheme,
    pub written_by: Option<String>,
    pub written_at: Option<String>,
}

fn built_in() -> Stored {
    Stored {
        code: CENTRAL_2020.into(),
        version: 0,
        scheme: Scheme::default(),
        written_by: None,
        written_at: None,
    }
}

fn stored(row: (String, i64, String, String, String)) -> Result<Stored> {
    let (code, version, body, by, at) = row;
    Ok(Stored {
        code,
        version,
        scheme: serde_json::from_str(&body).map_err(|e| Error::Internal(e.into()))?,
        written_by: Some(by),
        written_at: Some(at),
    })
}

/// Scheme `code`'s latest version (the built-in for its code when never saved).
pub async fn current(db: &Db, code: &str) -> Result<Option<Stored>> {
    let row: Option<(String, i64, String, String, String)> = query_as(
        "SELECT code, version, body_json, written_by, written_at FROM perf_schemes \
         WHERE code = $1 ORDER BY version DESC LIMIT 1",
    )
    .bind(code)
    .fetch_optional(db)
    .await?;
    match row {
        Some(r) => stored(r).map(Some),
        None if code == CENTRAL_2020 => Ok(Some(built_in())),
        None => Ok(None),
    }
}

/// The scheme a project-year is scored on, and how the evaluation names it.
pub async fn for_code(db: &Db, code: Option<&str>) -> Result<(String, Scheme)> {
    let code = code
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .unwrap_or(CENTRAL_2020);
    let s = current(db, code).await?.unwrap_or_else(built_in);
    let label = format!("{}（{} 第 {} 版）", s.scheme.name, s.code, s.version);
    Ok((label, s.scheme))
}

fn readable(who: &Principal) -> Result<()> {
    if who.has(Perm::ViewPerformance) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// Every scheme's latest version.
pub async fn list(db: &Db, who: &Principal) -> Result<Vec<Stored>> {
    readable(who)?;
    let rows: Vec<(String, i64, String, String, String)> = query_as(
        "SELECT s.code, s.version, s.body_json, s.written_by, s.written_at FROM perf_schemes s \
         WHERE s.version = (SELECT MAX(t.version) FROM perf_schemes t WHERE t.code = s.code) \
         ORDER BY s.code",
    )
    .fetch_all(db)
    .await?;
    let mut out = rows.into_iter().map(stored).collect::<Result<Vec<_>>>()?;
    if !out.iter().any(|s| s.code == CENTRAL_2020) {
        out.insert(0, built_in());
    }
    Ok(out)
}

/// Every saved version of scheme `code`, newest first.
pub async fn versions(db: &Db, who: &Principal, code: &str) -> Result<Vec<Stored>> {
    readable(who)?;
    let rows: Vec<(String, i64, String, String, String)> = query_as(
        "SELECT code, version, body_json, written_by, written_at FROM perf_schemes \
         WHERE code = $1 ORDER BY version DESC",
    )
    .bind(code)
    .fetch_all(db)
    .await?;
    let mut out = rows.into_iter().map(stored).collect::<Result<Vec<_>>>()?;
    if code == CENTRAL_2020 {
        out.push(built_in());
    }
    if out.is_empty() {
        return Err(Error::NotFound);
    }
    Ok(out)
}

/// Saves `s` as scheme `code`'s next version, written on version `base`; answers the new one.
pub async fn save(db: &Db, who: &Principal, code: &str, s: &Scheme, base: i64) -> Result<i64> {
    let root = org::root(db).await?;
    if !who.can(Perm::ManagePerformance, &root.path) {
        return Err(Error::Forbidden);
    }
    let mut errs = Vec::new();
    if !code_ok(code) || code.len() > 40 {
        errs.push(FieldError::new("code", "perf.bad_scheme_code"));
    }
    errs.extend(s.check());
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let mut tx = db.begin().await?;
    let last: Option<(i64, String, String)> = query_as(
        "SELECT version, written_by, written_at FROM perf_schemes WHERE code = $1 \
         ORDER BY version DESC LIMIT 1",
    )
    .bind(code)
    .fetch_optional(&mut tx)
    .await?;
    let version = super::narrative::next_version(last, base)?;
    let body = serde_json::to_string(s).map_err(|e| Error::Internal(e.into()))?;
    query(
        "INSERT INTO perf_schemes (code, version, body_json, written_by, written_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(code)
    .bind(version)
    .bind(&body)
    .bind(&who.username)
    .bind(db.now())
    .execute(&mut tx)
    .await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "performance.scheme",
            entity: "performance_scheme",
            entity_id: code.to_string(),
            scope_path: &root.path,
            summary: format!("{code} v{version} {}", s.name),
            before: None,
            after: Some(json!(s)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}
