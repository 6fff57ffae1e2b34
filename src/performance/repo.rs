//! Project-years in the store: imported or replaced whole (all or nothing, audited), read and
//! evaluated by those whose scope holds the competent department — finance officers and bureau
//! admins write, auditors read.

use serde::Serialize;
use serde_json::json;

use super::document::{self, Doc, Money};
use super::evaluation::{self, Evaluation};
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::error::{Error, FieldError, Result};
use crate::org;
use crate::storage::{Db, query, query_as, query_scalar};

#[derive(Debug, Clone, Serialize, crate::storage::FromRow, utoipa::ToSchema)]
#[schema(as = PerformanceSummary)]
pub struct Summary {
    pub code: String,
    pub name: String,
    pub year: i64,
    pub unit_path: String,
    pub updated_by: String,
    pub updated_at: String,
}

/// Creates or replaces the project-year `d` as `who`; answers whether it was new.
pub async fn import(db: &Db, who: &Principal, d: &Doc) -> Result<bool> {
    import_as(db, who, d, false).await
}

/// The competent department of `d`: a unit in service.
pub async fn department(db: &Db, d: &Doc) -> Result<org::Unit> {
    org::by_code(db, d.department.trim())
        .await?
        .filter(|u| !u.is_retired())
        .ok_or_else(|| {
            Error::Validation(vec![FieldError::with(
                "department",
                "field.unit_unknown",
                d.department.trim(),
            )])
        })
}

/// As [`import`]; with `dry_run` every check runs (the document, its department and scope,
/// its scheme, the caller's rights, a frozen year) and nothing is written.
pub async fn import_as(db: &Db, who: &Principal, d: &Doc, dry_run: bool) -> Result<bool> {
    // A project-year whose report is issued no longer changes (said before anything else about
    // the new document, to those who may write it).
    let issued = super::narrative::is_issued(db, d.code.trim()).await?;
    if !issued {
        document::check(d).map_err(Error::Validation)?;
    }
    let unit = department(db, d).await?;
    if let Some(scope) = d.scope.as_deref().filter(|s| !s.trim().is_empty())
        && org::by_code(db, scope.trim()).await?.is_none()
    {
        return Err(Error::Validation(vec![FieldError::with(
            "scope",
            "field.unit_unknown",
            scope.trim(),
        )]));
    }
    if let Some(code) = d.scheme.as_deref().map(str::trim).filter(|c| !c.is_empty())
        && super::schemes::current(db, code).await?.is_none()
    {
        return Err(Error::Validation(vec![FieldError::with(
            "scheme",
            "perf.scheme_unknown",
            code,
        )]));
    }
    if !who.can(Perm::ManagePerformance, &unit.path) {
        return Err(Error::Forbidden);
    }
    let before: Option<(String, String)> =
        query_as("SELECT unit_path, doc_json FROM perf_projects WHERE code = $1")
            .bind(d.code.trim())
            .fetch_optional(db)
            .await?;
    if let Some((path, _)) = &before
        && !who.can(Perm::ManagePerformance, path)
    {
        return Err(Error::Forbidden);
    }
    if issued {
        return Err(Error::Conflict("err.perf_report_issued"));
    }
    if dry_run {
        return Ok(before.is_none());
    }
    let now = db.now();
    let text = serde_json::to_string(d).map_err(|e| Error::Internal(e.into()))?;
    let contract = d
        .contract
        .as_ref()
        .map(|c| c.number.trim().to_string())
        .filter(|n| !n.is_empty());
    let mut tx = db.begin().await?;
    if before.is_some() {
        query(
            "UPDATE perf_projects SET name = $1, year = $2, unit_id = $3, unit_path = $4, \
             contract_number = $5, doc_json = $6, updated_by = $7, updated_at = $8 WHERE code = $9",
        )
    } else {
        query(
            "INSERT INTO perf_projects (name, year, unit_id, unit_path, contract_number, doc_json, \
             updated_by, updated_at, code) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
    }
    .bind(d.name.trim())
    .bind(i64::from(d.year))
    .bind(unit.id)
    .bind(&unit.path)
    .bind(&contract)
    .bind(&text)
    .bind(&who.username)
    .bind(&now)
    .bind(d.code.trim())
    .execute(&mut tx)
    .await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "performance.import",
            entity: "performance_project",
            entity_id: d.code.trim().to_string(),
            scope_path: &unit.path,
            summary: format!("{} {} {}", d.code.trim(), d.year, d.name.trim()),
            before: before
                .as_ref()
                .and_then(|(_, j)| serde_json::from_str(j).ok()),
            after: Some(json!(d)),
        },
    )
    .await?;
    tx.commit().await?;
    // The department's payment workflow, there to configure before its first request.
    super::requests::ensure_matter(db, &unit).await?;
    Ok(before.is_none())
}

/// The project-years `who` may read, newest year first.
pub async fn list(db: &Db, who: &Principal) -> Result<Vec<Summary>> {
    if !who.has(Perm::ViewPerformance) {
        return Err(Error::Forbidden);
    }
    let all: Vec<Summary> = query_as(
        "SELECT code, name, year, unit_path, updated_by, updated_at FROM perf_projects \
         ORDER BY year DESC, code",
    )
    .fetch_all(db)
    .await?;
    Ok(all
        .into_iter()
        .filter(|s| who.can(Perm::ViewPerformance, &s.unit_path))
        .collect())
}

/// Project-year `code` as `who` may read it (not found otherwise), with its money.
pub async fn get(db: &Db, who: &Principal, code: &str) -> Result<(Doc, Money)> {
    let row: Option<(String, String)> =
        query_as("SELECT unit_path, doc_json FROM perf_projects WHERE code = $1")
            .bind(code)
            .fetch_optional(db)
            .await?;
    let (path, text) = row.ok_or(Error::NotFound)?;
    if !who.can(Perm::ViewPerformance, &path) {
        return Err(Error::NotFound);
    }
    let d: Doc = serde_json::from_str(&text).map_err(|e| Error::Internal(e.into()))?;
    let m = document::check(&d).map_err(|e: Vec<FieldError>| {
        Error::Internal(anyhow::anyhow!(
            "stored project {code} no longer checks: {e:?}"
        ))
    })?;
    Ok((d, m))
}

/// What earlier project-years paid on contract `number`, in fen.
async fn paid_before(db: &Db, number: &str, year: i32) -> Result<i64> {
    let docs: Vec<String> =
        query_scalar("SELECT doc_json FROM perf_projects WHERE contract_number = $1 AND year < $2")
            .bind(number)
            .bind(i64::from(year))
            .fetch_all(db)
            .await?;
    Ok(docs
        .iter()
        .filter_map(|t| serde_json::from_str::<Doc>(t).ok())
        .flat_map(|d| d.payments)
        .filter_map(|p| crate::money::Fen::parse_yuan(&p.amount))
        .map(|f| f.0)
        .sum())
}

/// The unit path whose subtree `d`'s computed figures cover: its scope, or the district.
pub async fn scope_path(db: &Db, d: &Doc) -> Result<String> {
    Ok(match d.scope.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(c) => org::by_code(db, c.trim())
            .await?
            .map(|u| u.path)
            .ok_or(Error::NotFound)?,
        None => org::root(db).await?.path,
    })
}

/// Project-year `code` evaluated against the platform's data for its year.
pub async fn evaluate(db: &Db, who: &Principal, code: &str) -> Result<Evaluation> {
    Ok(evaluated(db, who, code).await?.2)
}

/// Project-year `code` read once: its document, its money and its evaluation.
pub async fn evaluated(db: &Db, who: &Principal, code: &str) -> Result<(Doc, Money, Evaluation)> {
    let (d, m) = get(db, who, code).await?;
    let scope = scope_path(db, &d).await?;
    let computed = super::sources::compute(db, d.year, &scope, &m).await?;
    let before = match d.contract.as_ref().map(|c| c.number.trim()) {
        Some(n) if !n.is_empty() => paid_before(db, n, d.year).await?,
        _ => 0,
    };
    let (label, scheme) = super::schemes::for_code(db, d.scheme.as_deref()).await?;
    let mut e = evaluation::evaluate(&d, &m, computed, &scheme, before);
    e.scheme = label;
    if let Some(u) = org::by_code(db, d.department.trim()).await? {
        e.department = u.name;
    }
    Ok((d, m, e))
}

/// A project-year as one who changes it part by part (a payment, a request, an entered
/// indicator) reads it: its unit path, its document and the stamp to write it back on — 404 for
/// those who may not read it, 403 for readers who may not write, 409 once its report is issued.
pub async fn writable(db: &Db, who: &Principal, code: &str) -> Result<(String, Doc, String)> {
    let row: Option<(String, String, String)> =
        query_as("SELECT unit_path, doc_json, updated_at FROM perf_projects WHERE code = $1")
            .bind(code)
            .fetch_optional(db)
            .await?;
    let (path, text, stamp) = row.ok_or(Error::NotFound)?;
    if !who.can(Perm::ViewPerformance, &path) {
        return Err(Error::NotFound);
    }
    if !who.can(Perm::ManagePerformance, &path) {
        return Err(Error::Forbidden);
    }
    if super::narrative::is_issued(db, code).await? {
        return Err(Error::Conflict("err.perf_report_issued"));
    }
    let d = serde_json::from_str(&text).map_err(|e| Error::Internal(e.into()))?;
    Ok((path, d, stamp))
}

/// Writes document `d` back over the version read at `stamp`, inside `tx`: a concurrent change
/// makes this one a conflict (the caller tries again).
pub async fn write_back(
    tx: &mut crate::storage::Tx,
    who: &Principal,
    code: &str,
    d: &Doc,
    stamp: &str,
) -> Result<()> {
    let text = serde_json::to_string(d).map_err(|e| Error::Internal(e.into()))?;
    let done = query(
        "UPDATE perf_projects SET doc_json = $1, updated_by = $2, updated_at = $3 \
         WHERE code = $4 AND updated_at = $5",
    )
    .bind(&text)
    .bind(&who.username)
    .bind(tx.now())
    .bind(code)
    .bind(stamp)
    .execute(tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::Conflict("err.perf_changed"));
    }
    Ok(())
}

/// A project-year's name (for pages that show it beside something the caller already may see).
pub async fn name_of(db: &Db, code: &str) -> Result<Option<String>> {
    Ok(
        query_scalar("SELECT name FROM perf_projects WHERE code = $1")
            .bind(code)
            .fetch_optional(db)
            .await?,
    )
}
