//! Entered indicators (填报): an indicator the platform cannot compute (系统巡检次数, 培训人次 …)
//! gets its actual from a person — the value, or a qualitative indicator's band, with evidence as
//! text and as a file (an inspection log, a sign-in sheet). Each entry is kept with who entered it
//! and when; the project-year's document takes the new actual (checked whole, written on the
//! version read), and the entry, the file and the audit row land in the same transaction.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::document;
use super::payments::Attach;
use crate::audit::{self, Change};
use crate::auth::Principal;
use crate::error::{Error, FieldError, Result};
use crate::files;
use crate::storage::{Db, FromRow, query, query_as};

/// An entry as sent: the actual (a number for `>=`, `<=`, `=`), or the band of a qualitative
/// indicator, and the evidence text; the file goes beside it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = PerformanceIndicatorEntryNew)]
pub struct Entry {
    #[serde(default)]
    pub actual: Option<String>,
    #[serde(default)]
    pub band: Option<String>,
    #[serde(default)]
    pub evidence: Option<String>,
    /// A file uploaded before (`POST /api/v1/files`) as the evidence.
    #[serde(default)]
    pub file_id: Option<i64>,
}

/// An entry on record.
#[derive(Debug, Clone, Serialize, FromRow, utoipa::ToSchema)]
#[schema(as = PerformanceIndicatorEntry)]
pub struct Record {
    /// The indicator's place in the self-evaluation table, counted from 1.
    pub indicator: i64,
    pub actual: Option<String>,
    pub evidence: Option<String>,
    pub file_id: Option<i64>,
    pub file_name: Option<String>,
    pub entered_by: String,
    pub entered_at: String,
}

/// Enters indicator `n` (counted from 1) of project-year `code`.
pub async fn enter(
    db: &Db,
    who: &Principal,
    code: &str,
    n: usize,
    e: &Entry,
    file: Option<Attach<'_>>,
) -> Result<Record> {
    let (path, mut d, stamp) = super::repo::writable(db, who, code).await?;
    let at = n.checked_sub(1).filter(|i| *i < d.indicators.len());
    let at = at.ok_or(Error::NotFound)?;
    if d.indicators[at].source.is_some() {
        return Err(Error::Conflict("err.perf_indicator_computed"));
    }
    let kept = |t: &Option<String>| {
        t.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
    };
    let mut errs = Vec::new();
    if let Some(Attach::Uploaded(id)) = file {
        let mine = files::meta(db, id)
            .await
            .ok()
            .is_some_and(|m| m.uploaded_by == who.username);
        if !mine {
            errs.push(FieldError::with(
                "file_id",
                "field.file_unknown",
                id.to_string(),
            ));
        }
    }
    let x = &mut d.indicators[at];
    if x.nature == "qualitative" {
        x.band = kept(&e.band);
    } else {
        x.actual = kept(&e.actual);
        match x.actual.as_deref() {
            None => errs.push(FieldError::new("actual", "field.required")),
            // As people write a figure: digits, a point, a sign — never 1e3 or inf.
            Some(a) if !plain_number(a) => errs.push(FieldError::new("actual", "field.number")),
            Some(_) => {}
        }
    }
    x.evidence = kept(&e.evidence);
    let name = x.name.clone();
    let shown = x.actual.clone().or_else(|| x.band.clone());
    document::tidy(&mut d);
    if let Err(v) = document::check(&d) {
        errs.extend(document::own_fields(v, &format!("indicators[{at}].")));
    }
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let evidence = d.indicators[at].evidence.clone();
    let mut tx = db.begin().await?;
    super::repo::write_back(&mut tx, who, code, &d, &stamp).await?;
    let file_id = match &file {
        Some(Attach::Uploaded(id) | Attach::Kept(id)) => Some(*id),
        Some(Attach::New(c)) => Some(files::put(&mut tx, who, c).await?.id),
        None => None,
    };
    let now = tx.now();
    query(
        "INSERT INTO perf_indicator_entries (code, indicator, actual, evidence, file_id, \
         entered_by, entered_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(code)
    .bind(n as i64)
    .bind(&shown)
    .bind(&evidence)
    .bind(file_id)
    .bind(&who.username)
    .bind(&now)
    .execute(&mut tx)
    .await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "performance.indicator",
            entity: "performance_project",
            entity_id: code.to_string(),
            scope_path: &path,
            summary: format!("{code} {name} {}", shown.as_deref().unwrap_or("")),
            before: None,
            after: Some(json!({"indicator": n, "name": name, "actual": shown,
                "evidence": evidence, "file_id": file_id})),
        },
    )
    .await?;
    tx.commit().await?;
    let latest = latest(db, code).await?;
    latest
        .get(&(n as i64))
        .cloned()
        .ok_or(Error::Internal(anyhow::anyhow!("entry not kept")))
}

/// A figure as written by hand: an optional minus, digits, at most one point with digits after
/// it, at most 15 digits.
fn plain_number(s: &str) -> bool {
    let t = s.strip_prefix('-').unwrap_or(s);
    let (whole, frac) = t.split_once('.').unwrap_or((t, "0"));
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && digits(frac) && whole.len() + frac.len() <= 15
}

/// Every entry of project-year `code`, oldest first (the caller has checked who may read it).
pub async fn all(db: &Db, code: &str) -> Result<Vec<Record>> {
    Ok(query_as(
        "SELECT e.indicator, e.actual, e.evidence, e.file_id, f.name AS file_name, \
         e.entered_by, e.entered_at FROM perf_indicator_entries e \
         LEFT JOIN files f ON f.id = e.file_id WHERE e.code = $1 ORDER BY e.id",
    )
    .bind(code)
    .fetch_all(db)
    .await?)
}

/// The latest entry of each indicator of `code`, by its place (counted from 1).
pub async fn latest(db: &Db, code: &str) -> Result<BTreeMap<i64, Record>> {
    Ok(all(db, code)
        .await?
        .into_iter()
        .map(|r| (r.indicator, r))
        .collect())
}

/// Whether file `id` is the evidence of one of `code`'s entries.
pub async fn holds_file(db: &Db, code: &str, id: i64) -> Result<bool> {
    let n: Option<i64> = crate::storage::query_scalar(
        "SELECT 1 FROM perf_indicator_entries WHERE code = $1 AND file_id = $2",
    )
    .bind(code)
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(n.is_some())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_hand_written_figure_is_digits_and_a_point() {
        for ok in ["4", "98.52", "-5", "0.5"] {
            assert!(super::plain_number(ok), "{ok}");
        }
        for bad in [
            "1e3",
            "inf",
            "NaN",
            "4.",
            ".5",
            "+4",
            "4,000",
            "1234567890123456",
            "",
        ] {
            assert!(!super::plain_number(bad), "{bad}");
        }
    }
}
