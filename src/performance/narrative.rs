//! The report's narrative and its issue. Each section's text is kept as versions (a save never
//! overwrites; it names the version it was written on, and a save on an older one is refused as
//! stale, so two writers cannot lose each other's words; restoring an old text is saving it
//! again). Finalising freezes the report — its blocks and its evaluation as JSON with their
//! SHA-256 — after every open finding is explained in writing; it is audited, and from then on
//! the report is read from the frozen copy, so later data does not change it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::evaluation::Evaluation;
use super::report;
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::error::{Error, FieldError, Result};
use crate::print::markup::Block;
use crate::storage::{Db, FromRow, query, query_as, query_scalar};

/// Longest explanation of open findings accepted.
pub const MAX_EXPLANATION: usize = 5_000;

/// One saved version of a section.
#[derive(Debug, Clone, Serialize, FromRow, utoipa::ToSchema)]
#[schema(as = PerformanceSectionVersion)]
pub struct Version {
    pub version: i64,
    pub body: String,
    pub written_by: String,
    pub written_at: String,
}

/// A section as the editor sees it: its latest text (or the draft, version 0).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = PerformanceSection)]
pub struct Section {
    pub key: String,
    pub heading: String,
    pub text: String,
    /// 0 while the text is the draft made from the data.
    pub version: i64,
    pub written_by: Option<String>,
    pub written_at: Option<String>,
}

/// Who issued the report, when, why its open findings stand, and its content's SHA-256.
#[derive(Debug, Clone, Serialize, Deserialize, FromRow, utoipa::ToSchema)]
#[schema(as = PerformanceIssue)]
pub struct Issue {
    pub issued_by: String,
    pub issued_at: String,
    pub explanation: Option<String>,
    pub content_hash: String,
}

/// The report as it reads now: live (a draft) or as issued.
#[derive(Debug, Clone)]
pub struct Report {
    pub title: String,
    pub blocks: Vec<Block>,
    pub evaluation: Evaluation,
    pub issue: Option<Issue>,
    /// Its sections as the editor sees them (as issued, once it is).
    pub sections: Vec<Section>,
}

#[derive(Serialize, Deserialize)]
struct Frozen {
    title: String,
    blocks: Vec<Block>,
    evaluation: serde_json::Value,
    /// The sections as issued (drafts written out), so the issued report's JSON says what its
    /// PDF says.
    #[serde(default)]
    sections: Vec<Section>,
}

/// The project's unit path when `who` may read it (not found otherwise).
async fn readable(db: &Db, who: &Principal, code: &str) -> Result<String> {
    let path: Option<String> = query_scalar("SELECT unit_path FROM perf_projects WHERE code = $1")
        .bind(code)
        .fetch_optional(db)
        .await?;
    match path {
        Some(p) if who.can(Perm::ViewPerformance, &p) => Ok(p),
        _ => Err(Error::NotFound),
    }
}

async fn writable(db: &Db, who: &Principal, code: &str) -> Result<String> {
    let path = readable(db, who, code).await?;
    if !who.can(Perm::ManagePerformance, &path) {
        return Err(Error::Forbidden);
    }
    Ok(path)
}

/// The version a save written on `base` makes, given the latest (version, by whom, when): a
/// base that never was is refused by name, one someone saved over says who and when.
pub fn next_version(last: Option<(i64, String, String)>, base: i64) -> Result<i64> {
    let current = last.as_ref().map_or(0, |l| l.0);
    if base > current || base < 0 {
        return Err(Error::field("base_version", "field.invalid"));
    }
    if current != base {
        let (_, by, at) = last.unwrap_or_default();
        return Err(Error::Stale {
            by,
            at: crate::clock::display(&at),
        });
    }
    Ok(current + 1)
}

/// Whether project `code`'s report is issued (its project-year then no longer changes).
pub async fn is_issued(db: &Db, code: &str) -> Result<bool> {
    Ok(
        query_scalar::<i64>("SELECT COUNT(*) FROM perf_reports WHERE code = $1")
            .bind(code)
            .fetch_one(db)
            .await?
            > 0,
    )
}

/// Whether `who` may write project `code`'s report (it must also not be issued yet).
pub async fn may_write(db: &Db, who: &Principal, code: &str) -> Result<bool> {
    let path = readable(db, who, code).await?;
    Ok(who.can(Perm::ManagePerformance, &path))
}

async fn latest(db: &Db, code: &str) -> Result<BTreeMap<String, Version>> {
    let rows: Vec<(String, i64, String, String, String)> = query_as(
        "SELECT n.section, n.version, n.body, n.written_by, n.written_at FROM perf_narratives n \
         WHERE n.code = $1 AND n.version = (SELECT MAX(m.version) FROM perf_narratives m \
         WHERE m.code = n.code AND m.section = n.section)",
    )
    .bind(code)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(k, version, body, written_by, written_at)| {
            (
                k,
                Version {
                    version,
                    body,
                    written_by,
                    written_at,
                },
            )
        })
        .collect())
}

async fn issue_of(db: &Db, code: &str) -> Result<Option<(Issue, String)>> {
    let row: Option<(String, String, Option<String>, String, String)> = query_as(
        "SELECT issued_by, issued_at, explanation, content_hash, content_json FROM perf_reports \
         WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(db)
    .await?;
    Ok(
        row.map(|(issued_by, issued_at, explanation, content_hash, json)| {
            (
                Issue {
                    issued_by,
                    issued_at,
                    explanation,
                    content_hash,
                },
                json,
            )
        }),
    )
}

/// Every section of a report as its editor sees it: the saved text, or the draft from the data.
fn sections_of(saved: &BTreeMap<String, Version>, d: &super::Doc, e: &Evaluation) -> Vec<Section> {
    report::SECTIONS
        .iter()
        .map(|(k, h)| {
            let v = saved.get(*k);
            Section {
                key: k.to_string(),
                heading: h.to_string(),
                text: v.map_or_else(|| report::draft(k, d, e), |v| v.body.clone()),
                version: v.map_or(0, |v| v.version),
                written_by: v.map(|v| v.written_by.clone()),
                written_at: v.map(|v| v.written_at.clone()),
            }
        })
        .collect()
}

/// Every saved version of section `key`, newest first.
pub async fn versions(db: &Db, who: &Principal, code: &str, key: &str) -> Result<Vec<Version>> {
    readable(db, who, code).await?;
    if !report::is_section(key) {
        return Err(Error::NotFound);
    }
    Ok(query_as(
        "SELECT version, body, written_by, written_at FROM perf_narratives \
         WHERE code = $1 AND section = $2 ORDER BY version DESC",
    )
    .bind(code)
    .bind(key)
    .fetch_all(db)
    .await?)
}

/// Saves `text` as section `key`'s next version, written on version `base` (0: the draft);
/// answers the new version. Refused once the report is issued, or when someone saved since.
pub async fn save(
    db: &Db,
    who: &Principal,
    code: &str,
    key: &str,
    text: &str,
    base: i64,
) -> Result<i64> {
    let path = writable(db, who, code).await?;
    if !report::is_section(key) {
        return Err(Error::NotFound);
    }
    let text = text.replace("\r\n", "\n");
    let mut errs = Vec::new();
    super::document::text("text", &text, report::MAX_SECTION, &mut errs);
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let mut tx = db.begin().await?;
    if query_scalar::<i64>("SELECT COUNT(*) FROM perf_reports WHERE code = $1")
        .bind(code)
        .fetch_one(&mut tx)
        .await?
        > 0
    {
        return Err(Error::Conflict("err.perf_report_issued"));
    }
    let last: Option<(i64, String, String)> = query_as(
        "SELECT version, written_by, written_at FROM perf_narratives WHERE code = $1 \
         AND section = $2 ORDER BY version DESC LIMIT 1",
    )
    .bind(code)
    .bind(key)
    .fetch_optional(&mut tx)
    .await?;
    let version = next_version(last, base)?;
    let now = db.now();
    // The unique (code, section, version) turns a racing save into an error, not a lost one.
    query(
        "INSERT INTO perf_narratives (code, section, version, body, written_by, written_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(code)
    .bind(key)
    .bind(version)
    .bind(&text)
    .bind(&who.username)
    .bind(&now)
    .execute(&mut tx)
    .await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "performance.narrative",
            entity: "performance_project",
            entity_id: code.to_string(),
            scope_path: &path,
            summary: format!("{code} {} v{version}", report::heading(key)),
            before: None,
            after: Some(json!({"section": key, "version": version, "text": text})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// Project `code`'s report: as issued when it was, else made now from the data and the saved
/// narrative.
pub async fn report(db: &Db, who: &Principal, code: &str) -> Result<Report> {
    readable(db, who, code).await?;
    if let Some((issue, json)) = issue_of(db, code).await? {
        let f: Frozen = serde_json::from_str(&json).map_err(|e| Error::Internal(e.into()))?;
        let evaluation = serde_json::from_value::<Evaluation>(f.evaluation)
            .map_err(|e| Error::Internal(e.into()))?;
        return Ok(Report {
            title: f.title,
            blocks: f.blocks,
            evaluation,
            issue: Some(issue),
            sections: f.sections,
        });
    }
    // One evaluation for the blocks and the sections both.
    let (d, _, e) = super::repo::evaluated(db, who, code).await?;
    let saved = latest(db, code).await?;
    let sections = sections_of(&saved, &d, &e);
    let texts = saved.into_iter().map(|(k, v)| (k, v.body)).collect();
    Ok(Report {
        title: report::title(&e),
        blocks: report::blocks(&d, &e, &texts),
        evaluation: e,
        issue: None,
        sections,
    })
}

/// Issues project `code`'s report as it reads now, frozen; open findings need `explanation`.
pub async fn finalise(
    db: &Db,
    who: &Principal,
    code: &str,
    explanation: Option<&str>,
) -> Result<Issue> {
    let path = writable(db, who, code).await?;
    let r = report(db, who, code).await?;
    if r.issue.is_some() {
        return Err(Error::Conflict("err.perf_report_issued"));
    }
    let explanation = explanation.map(str::trim).filter(|t| !t.is_empty());
    let mut errs = Vec::new();
    if let Some(t) = explanation {
        super::document::text("explanation", t, MAX_EXPLANATION, &mut errs);
    } else if !r.evaluation.findings.is_empty() {
        errs.push(FieldError::new("explanation", "field.perf_explanation"));
    }
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let frozen = Frozen {
        sections: r.sections,
        title: r.title.clone(),
        blocks: r.blocks,
        evaluation: serde_json::to_value(&r.evaluation).map_err(|e| Error::Internal(e.into()))?,
    };
    let json = serde_json::to_string(&frozen).map_err(|e| Error::Internal(e.into()))?;
    let issue = Issue {
        issued_by: who.username.clone(),
        issued_at: db.now(),
        explanation: explanation.map(str::to_string),
        content_hash: hex::encode(Sha256::digest(json.as_bytes())),
    };
    let mut tx = db.begin().await?;
    let done = query(
        "INSERT INTO perf_reports (code, issued_by, issued_at, explanation, content_hash, \
         content_json) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING",
    )
    .bind(code)
    .bind(&issue.issued_by)
    .bind(&issue.issued_at)
    .bind(&issue.explanation)
    .bind(&issue.content_hash)
    .bind(&json)
    .execute(&mut tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::Conflict("err.perf_report_issued"));
    }
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "performance.finalise",
            entity: "performance_project",
            entity_id: code.to_string(),
            scope_path: &path,
            summary: format!("{code} {} sha256:{}", r.title, issue.content_hash),
            before: None,
            after: Some(json!({
                "findings": r.evaluation.findings,
                "explanation": issue.explanation,
                "score": r.evaluation.score,
                "content_hash": issue.content_hash,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(issue)
}
