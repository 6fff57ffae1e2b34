//! Matters in the store: drafts, review, publication as immutable numbered versions, suspension
//! and retirement, per-unit switches. Every change is authorised against the owning department's
//! place in the org tree and audited in the same transaction.

use crate::storage::FromRow;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Matter;
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::error::{Error, FieldError, Result};
use crate::org::{self, Unit};
use crate::storage::{Db, Sql};

/// Public state: `unpublished`, `published`, `suspended`, `retired`.
#[derive(Debug, Clone, Serialize, FromRow, utoipa::ToSchema)]
pub struct Summary {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub department_code: String,
    pub status: String,
    pub published_version: Option<i64>,
    /// `editing` or `in_review` when an unpublished draft exists.
    pub draft_state: Option<String>,
    pub draft_by: Option<String>,
    pub updated_at: String,
}

#[derive(FromRow)]
struct Full {
    #[row(flatten)]
    summary: Summary,
    draft_json: Option<String>,
}

const COLS: &str = "id, code, name, department_code, status, published_version, draft_state, \
    draft_by, updated_at, draft_json";

/// The status of a matter that exists only to carry an internal workflow (a department's payment
/// requests): never in the hall, the search, the catalog's lists or its exports.
pub const INTERNAL: &str = "internal";

async fn load(db: &Db, code: &str) -> Result<Full> {
    Sql::new(format!("SELECT {COLS} FROM matters WHERE code = "))
        .bind(code)
        .query_as::<Full>()
        .fetch_optional(&db)
        .await?
        .ok_or(Error::NotFound)
}

fn department<'a>(units: &'a [Unit], code: &str) -> Option<&'a Unit> {
    units.iter().find(|u| u.code == code)
}

/// The matter's department path, for scoping; `/` if the department is unknown (so only
/// district-wide grants cover it).
fn scope(units: &[Unit], dept: &str) -> String {
    department(units, dept).map_or_else(|| "/".into(), |u| u.path.clone())
}

/// Loads a matter whose drafts the principal may see (editors and reviewers of its department).
async fn visible(db: &Db, who: &Principal, code: &str) -> Result<(Full, String)> {
    let m = load(db, code).await?;
    // An internal matter (a payment workflow's) is not the catalog's to edit or publish.
    if m.summary.status == INTERNAL {
        return Err(Error::NotFound);
    }
    let units = org::list(db).await?;
    let path = scope(&units, &m.summary.department_code);
    if !(who.can(Perm::EditMatters, &path) || who.can(Perm::ReviewMatters, &path)) {
        return Err(Error::NotFound);
    }
    Ok((m, path))
}

/// Loads a matter the principal holds `perm` over: 404 if they may not see it, 403 if they
/// see it without that right.
async fn guarded(db: &Db, who: &Principal, code: &str, perm: Perm) -> Result<(Full, String)> {
    let (m, path) = visible(db, who, code).await?;
    if !who.can(perm, &path) {
        return Err(Error::Forbidden);
    }
    Ok((m, path))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub q: Option<String>,
    pub status: Option<String>,
    pub department: Option<String>,
}

/// Matters of the departments the principal edits or reviews.
pub async fn list(db: &Db, who: &Principal, q: &ListQuery) -> Result<Vec<Summary>> {
    let mut scopes = who.scopes(Perm::EditMatters);
    scopes.extend(who.scopes(Perm::ReviewMatters));
    if scopes.is_empty() {
        return Err(Error::Forbidden);
    }
    let units = org::list(db).await?;
    let depts: Vec<&str> = units
        .iter()
        .filter(|u| scopes.iter().any(|s| u.path.starts_with(s.as_str())))
        .map(|u| u.code.as_str())
        .collect();
    let mut s = Sql::new(format!(
        "SELECT {COLS} FROM matters WHERE department_code IN ("
    ));
    for (i, d) in depts.iter().enumerate() {
        if i > 0 {
            s.push(", ");
        }
        s.bind(*d);
    }
    if depts.is_empty() {
        s.push("''");
    }
    s.push(") AND status <> ").bind(INTERNAL);
    if let Some(t) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        s.push(" AND ").contains_any(&["name", "code"], t);
    }
    if let Some(st) = q.status.as_deref().filter(|t| !t.is_empty()) {
        s.push(" AND status = ").bind(st);
    }
    if let Some(d) = q.department.as_deref().filter(|t| !t.is_empty()) {
        s.push(" AND department_code = ").bind(d);
    }
    s.push(" ORDER BY department_code, code");
    let rows: Vec<Full> = s.query_as().fetch_all(&db).await?;
    Ok(rows.into_iter().map(|f| f.summary).collect())
}

fn parse(json_text: &str) -> Result<Matter> {
    serde_json::from_str(json_text)
        .map_err(|e| Error::Internal(anyhow::anyhow!("stored matter: {e}")))
}

/// A matter as an editor sees it: its state, its draft and its published content.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Detail {
    #[serde(flatten)]
    pub summary: Summary,
    pub draft: Option<Matter>,
    pub published: Option<Matter>,
}

pub async fn detail(db: &Db, who: &Principal, code: &str) -> Result<Detail> {
    let (m, _) = visible(db, who, code).await?;
    let published = match m.summary.published_version {
        Some(v) => Some(version(db, code, v).await?),
        None => None,
    };
    let draft = m.draft_json.as_deref().map(parse).transpose()?;
    Ok(Detail {
        summary: m.summary,
        draft,
        published,
    })
}

fn record<'a>(
    action: &'a str,
    code: &str,
    path: &'a str,
    summary: String,
    after: Option<serde_json::Value>,
) -> Change<'a> {
    Change {
        action,
        entity: "matter",
        entity_id: code.to_string(),
        scope_path: path,
        summary,
        before: None,
        after,
    }
}

/// Creates a matter as a draft of the department named in it.
pub async fn create(db: &Db, who: &Principal, m: Matter) -> Result<Summary> {
    let units = org::list(db).await?;
    let Some(dept) = department(&units, &m.department) else {
        return Err(Error::Validation(vec![FieldError::with(
            "department",
            "rule.department",
            &m.department,
        )]));
    };
    if !who.can(Perm::EditMatters, &dept.path) {
        return Err(Error::Forbidden);
    }
    if m.code.trim().is_empty() || m.name.trim().is_empty() {
        return Err(Error::Validation(vec![FieldError::new(
            if m.code.trim().is_empty() {
                "code"
            } else {
                "name"
            },
            "field.required",
        )]));
    }
    let now = db.now();
    let mut tx = db.begin().await?;
    crate::storage::query(
        "INSERT INTO matters (code, name, department_code, status, draft_json, draft_state, draft_by, \
         created_at, updated_at) VALUES ($1, $2, $3, 'unpublished', $4, 'editing', $5, $6, $6)",
    )
    .bind(&m.code)
    .bind(&m.name)
    .bind(&m.department)
    .bind(serde_json::to_string(&m).map_err(anyhow::Error::from)?)
    .bind(&who.username)
    .bind(&now)
    .execute(&mut tx)
    .await
    .map_err(|e| Error::on_unique(e, "err.matter_code_taken"))?;
    audit::record(
        &mut tx,
        &who.actor(),
        record(
            "matter.create",
            &m.code,
            &dept.path,
            format!("{} {}", m.code, m.name),
            Some(json!({"name": m.name})),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(load(db, &m.code).await?.summary)
}

/// Replaces the draft (starting one from the published version when there is none). `base` is
/// the matter's `updated_at` as the editor loaded it: when someone saved since, nothing is
/// written and the editor learns who and when ([`Error::Stale`]).
pub async fn save_draft(
    db: &Db,
    who: &Principal,
    code: &str,
    m: Matter,
    base: Option<&str>,
) -> Result<Summary> {
    let (cur, path) = guarded(db, who, code, Perm::EditMatters).await?;
    // Who changed it since, and when: the matter as it now stands.
    let stale = || async {
        let now = load(db, code).await?.summary;
        let by = now.draft_by.unwrap_or_default();
        crate::accounts::lookup::changed_by(db, &by, &now.updated_at).await
    };
    if base.is_some_and(|b| b != cur.summary.updated_at) {
        return Err(stale().await?);
    }
    if cur.summary.status == "retired" {
        return Err(Error::Conflict("err.matter_retired"));
    }
    if m.code != code {
        return Err(Error::field("code", "err.matter_code_fixed"));
    }
    let units = org::list(db).await?;
    let new_path = scope(&units, &m.department);
    if !who.can(Perm::EditMatters, &new_path) {
        return Err(Error::Forbidden);
    }
    let mut tx = db.begin().await?;
    // Guarded by the version read: of two saves at once, the second finds it changed.
    let n = crate::storage::query(
        "UPDATE matters SET draft_json = $1, draft_state = 'editing', draft_by = $2, name = \
         CASE WHEN published_version IS NULL THEN $3 ELSE name END, updated_at = $4 \
         WHERE code = $5 AND updated_at = $6",
    )
    .bind(serde_json::to_string(&m).map_err(anyhow::Error::from)?)
    .bind(&who.username)
    .bind(&m.name)
    .bind(db.now())
    .bind(code)
    .bind(&cur.summary.updated_at)
    .execute(&mut tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(stale().await?);
    }
    audit::record(
        &mut tx,
        &who.actor(),
        record(
            "matter.edit",
            code,
            &path,
            format!("{code} {}", m.name),
            None,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(load(db, code).await?.summary)
}

async fn draft_of(cur: &Full) -> Result<Matter> {
    cur.draft_json
        .as_deref()
        .map(parse)
        .transpose()?
        .ok_or(Error::Conflict("err.no_draft"))
}

/// Sends the draft for review after checking every consistency rule.
pub async fn submit(db: &Db, who: &Principal, code: &str) -> Result<Summary> {
    let (cur, path) = guarded(db, who, code, Perm::EditMatters).await?;
    if cur.summary.draft_state.as_deref() != Some("editing") {
        return Err(Error::Conflict("err.no_draft"));
    }
    let m = draft_of(&cur).await?;
    let v = m.violations(&org::list(db).await?);
    if !v.is_empty() {
        return Err(Error::Validation(v));
    }
    let change = record(
        "matter.submit",
        code,
        &path,
        format!("{code} {}", m.name),
        None,
    );
    transition(
        db,
        who,
        code,
        "draft_state = 'in_review'",
        "draft_state = 'editing'",
        change,
    )
    .await
}

/// Returns a draft in review to its editors, with the reviewer's reason in the audit trail.
pub async fn reject(db: &Db, who: &Principal, code: &str, reason: &str) -> Result<Summary> {
    let (_, path) = guarded(db, who, code, Perm::ReviewMatters).await?;
    if reason.trim().is_empty() {
        return Err(Error::field("reason", "field.required"));
    }
    let change = Change {
        after: Some(json!({ "reason": reason })),
        ..record("matter.reject", code, &path, code.into(), None)
    };
    transition(
        db,
        who,
        code,
        "draft_state = 'editing'",
        "draft_state = 'in_review'",
        change,
    )
    .await
}

/// Runs one state change: `set` applies only where `when` holds (else a conflict, so two
/// reviewers acting at once cannot both succeed), audited as `change`.
async fn transition(
    db: &Db,
    who: &Principal,
    code: &str,
    set: &str,
    when: &str,
    change: Change<'_>,
) -> Result<Summary> {
    let mut tx = db.begin().await?;
    let done = crate::storage::query(format!(
        "UPDATE matters SET {set}, updated_at = $1 WHERE code = $2 AND {when}"
    ))
    .bind(db.now())
    .bind(code)
    .execute(&mut tx)
    .await?
    .rows_affected();
    if done == 0 {
        return Err(Error::Conflict("err.matter_state"));
    }
    audit::record(&mut tx, &who.actor(), change).await?;
    tx.commit().await?;
    Ok(load(db, code).await?.summary)
}

/// Publishes the reviewed draft as the next immutable version.
pub async fn publish(db: &Db, who: &Principal, code: &str) -> Result<Summary> {
    let (cur, path) = guarded(db, who, code, Perm::ReviewMatters).await?;
    if cur.summary.draft_state.as_deref() != Some("in_review") {
        return Err(Error::Conflict("err.matter_state"));
    }
    let since: Option<String> = crate::storage::query_scalar(
        "SELECT MAX(published_at) FROM matter_versions WHERE matter_id = $1",
    )
    .bind(cur.summary.id)
    .fetch_one(db)
    .await?;
    crate::approval::four_eyes::check_author(
        db,
        who,
        cur.summary.draft_by.as_deref(),
        "matter",
        code,
        &["matter.create", "matter.edit", "matter.import"],
        since.as_deref(),
    )
    .await?;
    let m = draft_of(&cur).await?;
    let v = m.violations(&org::list(db).await?);
    if !v.is_empty() {
        return Err(Error::Validation(v));
    }
    let next = cur.summary.published_version.unwrap_or(0) + 1;
    let now = db.now();
    let mut tx = db.begin().await?;
    let done = crate::storage::query(
        "UPDATE matters SET status = 'published', published_version = $1, name = $2, \
         department_code = $3, draft_json = NULL, draft_state = NULL, draft_by = NULL, updated_at = $4 \
         WHERE code = $5 AND draft_state = 'in_review'",
    )
    .bind(next)
    .bind(&m.name)
    .bind(&m.department)
    .bind(&now)
    .bind(code)
    .execute(&mut tx)
    .await?
    .rows_affected();
    if done == 0 {
        return Err(Error::Conflict("err.matter_state"));
    }
    crate::storage::query(
        "INSERT INTO matter_versions (matter_id, version, content_json, published_at, published_by) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(cur.summary.id)
    .bind(next)
    .bind(serde_json::to_string(&m).map_err(anyhow::Error::from)?)
    .bind(&now)
    .bind(&who.username)
    .execute(&mut tx)
    .await
    .map_err(|e| Error::on_unique(e, "err.matter_state"))?;
    let summary = format!("{code} {} v{next}", m.name);
    audit::record(
        &mut tx,
        &who.actor(),
        record(
            "matter.publish",
            code,
            &path,
            summary,
            Some(json!({"version": next})),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(load(db, code).await?.summary)
}

/// `suspend` (published → suspended), `resume` (suspended → published) or `retire`.
pub async fn set_status(db: &Db, who: &Principal, code: &str, action: &str) -> Result<Summary> {
    let (_, path) = guarded(db, who, code, Perm::ReviewMatters).await?;
    let (set, when, act) = match action {
        "suspend" => (
            "status = 'suspended'",
            "status = 'published'",
            "matter.suspend",
        ),
        "resume" => (
            "status = 'published'",
            "status = 'suspended'",
            "matter.resume",
        ),
        "retire" => (
            "status = 'retired', draft_json = NULL, draft_state = NULL",
            "status <> 'retired'",
            "matter.retire",
        ),
        _ => return Err(Error::NotFound),
    };
    transition(
        db,
        who,
        code,
        set,
        when,
        record(act, code, &path, code.into(), None),
    )
    .await
}

/// One published version, as it was published.
pub async fn version(db: &Db, code: &str, n: i64) -> Result<Matter> {
    let text: Option<String> = crate::storage::query_scalar(
        "SELECT v.content_json FROM matter_versions v JOIN matters m ON m.id = v.matter_id \
         WHERE m.code = $1 AND v.version = $2",
    )
    .bind(code)
    .bind(n)
    .fetch_optional(&db)
    .await?;
    parse(&text.ok_or(Error::NotFound)?)
}

#[derive(Debug, Clone, Serialize, FromRow, utoipa::ToSchema)]
pub struct VersionInfo {
    pub version: i64,
    pub published_at: String,
    pub published_by: String,
}

pub async fn versions(db: &Db, code: &str) -> Result<Vec<VersionInfo>> {
    Ok(crate::storage::query_as(
        "SELECT v.version, v.published_at, v.published_by FROM matter_versions v \
         JOIN matters m ON m.id = v.matter_id WHERE m.code = $1 ORDER BY v.version",
    )
    .bind(code)
    .fetch_all(&db)
    .await?)
}

/// The published content of a matter, or its draft when it was never published.
pub async fn current_or_draft(db: &Db, code: &str) -> Result<Matter> {
    if let Some(m) = current(db, code).await? {
        return Ok(m);
    }
    let f = load(db, code).await?;
    f.draft_json
        .as_deref()
        .map(parse)
        .transpose()?
        .ok_or(Error::NotFound)
}

/// The current published content of a matter, whatever its status (for imports).
pub async fn current(db: &Db, code: &str) -> Result<Option<Matter>> {
    let text: Option<String> = crate::storage::query_scalar(
        "SELECT v.content_json FROM matters m JOIN matter_versions v ON v.matter_id = m.id \
         AND v.version = m.published_version WHERE m.code = $1",
    )
    .bind(code)
    .fetch_optional(&db)
    .await?;
    text.as_deref().map(parse).transpose()
}

/// The public view: the current published version of a matter that is in service.
pub async fn public(db: &Db, code: &str) -> Result<(i64, Matter)> {
    let row: Option<(String, Option<i64>)> =
        crate::storage::query_as("SELECT status, published_version FROM matters WHERE code = $1")
            .bind(code)
            .fetch_optional(&db)
            .await?;
    match row {
        Some((status, Some(v))) if status == "published" => Ok((v, version(db, code, v).await?)),
        _ => Err(Error::NotFound),
    }
}

/// Every matter in service with its current version (for the search index and the portal).
pub async fn all_public(db: &Db) -> Result<Vec<(i64, Matter)>> {
    let rows: Vec<(i64, String)> = crate::storage::query_as(
        "SELECT v.version, v.content_json FROM matters m JOIN matter_versions v \
         ON v.matter_id = m.id AND v.version = m.published_version WHERE m.status = 'published' \
         ORDER BY m.code",
    )
    .fetch_all(&db)
    .await?;
    rows.into_iter().map(|(v, t)| Ok((v, parse(&t)?))).collect()
}

/// Switches a matter on or off for a district, street or community (and so for its halls).
pub async fn set_unit(
    db: &Db,
    who: &Principal,
    code: &str,
    unit_id: i64,
    enabled: bool,
) -> Result<()> {
    let m = load(db, code).await?;
    let unit = org::get(db, unit_id).await?;
    if super::Level::of(unit.kind).is_none() {
        return Err(Error::field("unit_id", "err.not_a_level"));
    }
    if !who.can(Perm::ConfigureMatters, &unit.path) {
        return Err(Error::Forbidden);
    }
    // A hall that starts serving the matter must be able to run its workflow: said now, to
    // whoever switches it on, not found later by a citizen's application.
    if enabled {
        let current = current_or_draft(db, code).await?;
        let after = halls_with(db, code, &current, Some((unit_id, true))).await?;
        let problems = crate::approval::reach::problems_at(db, code, &after).await?;
        if !problems.is_empty() {
            return Err(Error::Validation(problems));
        }
    }
    let now = db.now();
    let mut tx = db.begin().await?;
    crate::storage::query(
        "INSERT INTO matter_units (matter_id, unit_id, enabled, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (matter_id, unit_id) DO UPDATE SET enabled = $3, updated_at = $4",
    )
    .bind(m.summary.id)
    .bind(unit_id)
    .bind(i64::from(enabled))
    .bind(&now)
    .execute(&mut tx)
    .await?;
    crate::storage::query("UPDATE matters SET updated_at = $1 WHERE id = $2")
        .bind(&now)
        .bind(m.summary.id)
        .execute(&mut tx)
        .await?;
    let change = Change {
        after: Some(json!({"unit": unit.code, "enabled": enabled})),
        ..record(
            "matter.configure",
            code,
            &unit.path,
            format!("{code} @ {}", unit.name),
            None,
        )
    };
    audit::record(&mut tx, &who.actor(), change).await?;
    tx.commit().await?;
    Ok(())
}

/// The halls that serve a matter: those of every district, street or community of the matter's
/// levels that has not been switched off (and of those switched on explicitly).
pub async fn halls(db: &Db, code: &str, m: &Matter) -> Result<Vec<Unit>> {
    halls_with(db, code, m, None).await
}

/// The halls that would serve matter `code` with the switch of one unit (`over`: unit id, on or
/// off) set as given: what switching it would change, checked before the switch is made.
pub async fn halls_with(
    db: &Db,
    code: &str,
    m: &Matter,
    over: Option<(i64, bool)>,
) -> Result<Vec<Unit>> {
    let mut switches: Vec<(i64, i64)> = crate::storage::query_as(
        "SELECT mu.unit_id, mu.enabled FROM matter_units mu JOIN matters m ON m.id = mu.matter_id \
         WHERE m.code = $1",
    )
    .bind(code)
    .fetch_all(&db)
    .await?;
    if let Some((unit, on)) = over {
        switches.retain(|(id, _)| *id != unit);
        switches.push((unit, i64::from(on)));
    }
    let units = org::list(db).await?;
    let serves = |u: &Unit| match switches.iter().find(|(id, _)| *id == u.id) {
        Some((_, on)) => *on == 1,
        None => super::Level::of(u.kind).is_some_and(|l| m.levels.contains(&l)),
    };
    Ok(units
        .iter()
        .filter(|h| h.kind == org::Kind::Hall && !h.is_retired())
        .filter(|h| {
            h.parent_id
                .and_then(|p| units.iter().find(|u| u.id == p))
                .is_some_and(serves)
        })
        .cloned()
        .collect())
}
