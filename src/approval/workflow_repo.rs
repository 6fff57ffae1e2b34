//! Workflow definitions in the store: one editable draft per matter, published as the next
//! immutable version; authorised against the matter's department and audited.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use serde::Serialize;
use serde_json::json;

use super::definition::WorkflowDef;
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::catalog::repo as matters;
use crate::error::{Error, Result};
use crate::org;
use crate::storage::Db;

#[derive(Debug, Clone, Serialize, crate::storage::FromRow, utoipa::ToSchema)]
pub struct VersionRow {
    pub version: i64,
    pub status: String,
    pub created_by: String,
    pub created_at: String,
    pub published_at: Option<String>,
}

/// The department path that scopes a matter's workflow, and its promised limit.
async fn scope(db: &Db, code: &str) -> Result<(String, crate::days::WorkingDays)> {
    let m = matters::current_or_draft(db, code).await?;
    let units = org::list(db).await?;
    let path = units
        .iter()
        .find(|u| u.code == m.department)
        .map_or_else(|| "/".into(), |u| u.path.clone());
    Ok((path, m.guide.promised_limit_days))
}

async fn load(db: &Db, code: &str, version: i64) -> Result<Option<(String, WorkflowDef)>> {
    let row: Option<(String, String)> = crate::storage::query_as(
        "SELECT status, def_json FROM workflow_defs WHERE matter_code = $1 AND version = $2",
    )
    .bind(code)
    .bind(version)
    .fetch_optional(&db)
    .await?;
    row.map(|(s, j)| {
        Ok((
            s,
            serde_json::from_str(&j).map_err(|e| Error::Internal(e.into()))?,
        ))
    })
    .transpose()
}

pub async fn versions(db: &Db, code: &str) -> Result<Vec<VersionRow>> {
    Ok(crate::storage::query_as(
        "SELECT version, status, created_by, created_at, published_at FROM workflow_defs \
         WHERE matter_code = $1 ORDER BY version",
    )
    .bind(code)
    .fetch_all(&db)
    .await?)
}

type Published = HashMap<(u64, String, i64), Arc<WorkflowDef>>;

/// Published versions read so far, by store (`Db::id`), matter and version. A published version
/// never changes, so an entry never goes stale, even with several servers on one store.
static PUBLISHED: LazyLock<Mutex<Published>> = LazyLock::new(Default::default);

/// A published version (public: applicants may see how their case travels). Read once per
/// process, then from memory: every transition of every application needs its definition.
pub async fn published(db: &Db, code: &str, version: i64) -> Result<Arc<WorkflowDef>> {
    let key = (db.id, code.to_string(), version);
    if let Some(d) = PUBLISHED.lock().expect("workflow cache").get(&key) {
        return Ok(d.clone());
    }
    match load(db, code, version).await? {
        Some((s, d)) if s == "published" => {
            let d = Arc::new(d);
            PUBLISHED
                .lock()
                .expect("workflow cache")
                .insert(key, d.clone());
            Ok(d)
        }
        _ => Err(Error::NotFound),
    }
}

/// The latest published version and its number.
pub async fn current(db: &Db, code: &str) -> Result<(i64, Arc<WorkflowDef>)> {
    let v: Option<i64> = crate::storage::query_scalar(
        "SELECT MAX(version) FROM workflow_defs WHERE matter_code = $1 AND status = 'published'",
    )
    .bind(code)
    .fetch_one(&db)
    .await?;
    let v = v.ok_or(Error::NotFound)?;
    Ok((v, published(db, code, v).await?))
}

/// The draft (editors), or a fresh one: a copy of the current version, or the standard flow.
pub async fn draft(db: &Db, who: &Principal, code: &str) -> Result<(i64, WorkflowDef)> {
    let (path, promised) = scope(db, code).await?;
    if !who.can(Perm::EditMatters, &path) && !who.can(Perm::ReviewMatters, &path) {
        return Err(Error::NotFound);
    }
    let rows = versions(db, code).await?;
    if let Some(d) = rows.iter().find(|r| r.status == "draft") {
        let (_, def) = load(db, code, d.version).await?.ok_or(Error::NotFound)?;
        return Ok((d.version, def));
    }
    let next = rows.last().map_or(1, |r| r.version + 1);
    let def = match current(db, code).await {
        Ok((_, d)) => WorkflowDef::clone(&d),
        Err(Error::NotFound) => WorkflowDef::standard(promised),
        Err(e) => return Err(e),
    };
    Ok((next, def))
}

/// When the draft was last saved (its version token, `saved_at` of the draft's reply), if
/// there is a draft.
pub async fn draft_saved_at(db: &Db, code: &str) -> Result<Option<String>> {
    Ok(versions(db, code)
        .await?
        .into_iter()
        .find(|r| r.status == "draft")
        .map(|r| r.created_at))
}

/// Saves the draft after checking it. With `base` (the `saved_at` the editor loaded; `new` for
/// a draft not saved yet), a save over someone else's since is refused naming them.
pub async fn save_draft_over(
    db: &Db,
    who: &Principal,
    code: &str,
    def: &WorkflowDef,
    base: Option<&str>,
) -> Result<i64> {
    if let Some(base) = base {
        let current = versions(db, code)
            .await?
            .into_iter()
            .find(|r| r.status == "draft");
        let now = current.as_ref().map_or("new", |r| r.created_at.as_str());
        if now != base {
            // The draft the editor loaded was published (or never existed): reload.
            let Some(r) = current else {
                return Err(Error::Conflict("err.draft_gone"));
            };
            return Err(
                crate::accounts::lookup::changed_by(db, &r.created_by, &r.created_at).await?,
            );
        }
    }
    save_draft(db, who, code, def).await
}

/// Saves the draft after checking it.
pub async fn save_draft(db: &Db, who: &Principal, code: &str, def: &WorkflowDef) -> Result<i64> {
    let (path, promised) = scope(db, code).await?;
    if !who.can(Perm::EditMatters, &path) {
        return Err(if who.can(Perm::ReviewMatters, &path) {
            Error::Forbidden
        } else {
            Error::NotFound
        });
    }
    let problems = def.check(promised);
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    let (version, _) = draft(db, who, code).await?;
    let text = serde_json::to_string(def).map_err(anyhow::Error::from)?;
    let now = db.now();
    let mut tx = db.begin().await?;
    crate::storage::query("DELETE FROM workflow_defs WHERE matter_code = $1 AND status = 'draft'")
        .bind(code)
        .execute(&mut tx)
        .await?;
    crate::storage::query(
        "INSERT INTO workflow_defs (matter_code, version, status, def_json, created_by, created_at) \
         VALUES ($1, $2, 'draft', $3, $4, $5)",
    )
    .bind(code)
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
            action: "workflow.edit",
            entity: "workflow",
            entity_id: format!("{code}/{version}"),
            scope_path: &path,
            summary: format!("{code} v{version}"),
            before: None,
            after: Some(json!(def.steps.iter().map(|s| &s.name).collect::<Vec<_>>())),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// Publishes the draft as an immutable version.
pub async fn publish(db: &Db, who: &Principal, code: &str) -> Result<i64> {
    let (path, promised) = scope(db, code).await?;
    if !who.can(Perm::ReviewMatters, &path) {
        return Err(if who.can(Perm::EditMatters, &path) {
            Error::Forbidden
        } else {
            Error::NotFound
        });
    }
    let draft = versions(db, code)
        .await?
        .into_iter()
        .find(|r| r.status == "draft");
    let Some(d) = draft else {
        return Err(Error::Conflict("err.wf_no_draft"));
    };
    super::four_eyes::check_author(
        db,
        who,
        Some(&d.created_by),
        "workflow",
        &format!("{code}/{}", d.version),
        &["workflow.edit"],
        None,
    )
    .await?;
    let (_, def) = load(db, code, d.version).await?.ok_or(Error::NotFound)?;
    let mut problems = def.check(promised);
    problems.extend(super::reach::problems(db, code, &def).await?);
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    let mut tx = db.begin().await?;
    let n = crate::storage::query(
        "UPDATE workflow_defs SET status = 'published', published_at = $1 \
         WHERE matter_code = $2 AND version = $3 AND status = 'draft'",
    )
    .bind(db.now())
    .bind(code)
    .bind(d.version)
    .execute(&mut tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(Error::Conflict("err.wf_no_draft"));
    }
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "workflow.publish",
            entity: "workflow",
            entity_id: format!("{code}/{}", d.version),
            scope_path: &path,
            summary: format!("{code} v{}", d.version),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(d.version)
}
