//! Receiving an applicant in person at a window: find them by ID number (their account, if any,
//! and what they filed before), reuse materials they have filed already, file the matter's form
//! on their behalf with the materials scanned at the window, and check each material against the
//! guide. The decision that follows is the same as for online applications ([`super::accept`]).
//!
//! A clerk sees what their halls may see: the applications and files of halls within their
//! acceptance scope, never another street's. An account registered online only *claims* its ID
//! number; a clerk who has seen the document binds it ([`verify_claim`]), and only a bound
//! account is the applicant a counter filing belongs to.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::repo::{Application, COLS, FROM, Filer, Row, Save, row, store};
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::error::{Error, FieldError, Result};
use crate::ids::{CreditCode, ResidentId};
use crate::org::{self, Kind};
use crate::storage::{Db, query, query_as, query_scalar};

/// An applicant as found at the counter.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Applicant {
    /// Their account, when they registered one.
    pub username: Option<String>,
    pub name: Option<String>,
    pub id_masked: String,
    /// Their applications, newest first.
    pub applications: Vec<Application>,
    /// Files filed with those applications, which may be filed again.
    pub files: Vec<Reusable>,
    /// Accounts that claim this number online but are not bound to it yet: the clerk may bind
    /// one after seeing the document.
    pub unverified_claims: i64,
}

/// A file an applicant filed before.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reusable {
    pub file_id: i64,
    pub name: String,
    pub size: i64,
    /// The material it was filed for.
    pub material: String,
    pub application_number: String,
}

/// A clerk's check of one material against the guide.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = MaterialCheck)]
pub struct Check {
    pub ok: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// An application filed at the counter on an applicant's behalf.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct CounterFiling {
    /// Resident ID number or credit code, as presented.
    pub id_number: String,
    /// The applicant's name (their account's name is used when they have one).
    #[serde(default)]
    pub name: String,
    /// The matter, the hall (`unit_code`, required), form values and materials; `submit` is implied.
    #[serde(flatten)]
    pub save: Save,
    /// Material id → the clerk's check.
    #[serde(default)]
    pub checks: BTreeMap<String, Check>,
}

fn id_number(raw: &str) -> Result<String> {
    let id = raw.trim().to_ascii_uppercase();
    if ResidentId::parse(&id).is_err() && CreditCode::parse(&id).is_err() {
        return Err(Error::field("id_number", "field.holder_id"));
    }
    Ok(id)
}

/// Where a clerk's look-ups are recorded: the unit they accept at (so that unit's auditors read
/// them), or the whole platform.
fn clerk_scope(who: &Principal) -> String {
    who.scopes(Perm::StartApprovals)
        .into_iter()
        .next()
        .unwrap_or_else(|| crate::audit::PLATFORM_SCOPE.to_string())
}

/// A clerk may receive applicants when they accept applications somewhere.
fn clerk(who: &Principal) -> Result<()> {
    if who.has(Perm::StartApprovals) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// Files the applicant filed at halls within the clerk's reach.
async fn reusable(db: &Db, who: &Principal, id: &str) -> Result<Vec<Reusable>> {
    let mut q = crate::storage::Sql::new(
        "SELECT f.id, f.name, f.size, m.material, a.number FROM applications a \
         JOIN org_units o ON o.id = a.unit_id \
         JOIN application_materials m ON m.application_id = a.id JOIN files f ON f.id = m.file_id \
         WHERE a.applicant_tag = ",
    );
    q.bind(crate::vault::tag(id)).push(" AND ");
    q.any_subtree("o.path", &who.scopes(Perm::StartApprovals));
    q.push(" ORDER BY a.id DESC, m.material");
    let rows: Vec<(i64, String, i64, String, String)> = q.query_as().fetch_all(db).await?;
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|r| seen.insert(r.0))
        .map(
            |(file_id, name, size, material, application_number)| Reusable {
                file_id,
                name,
                size,
                material,
                application_number,
            },
        )
        .collect())
}

/// Finds an applicant by ID number; the look-up is recorded in the audit trail.
pub async fn find(db: &Db, who: &Principal, raw_id: &str) -> Result<Applicant> {
    clerk(who)?;
    let id = id_number(raw_id)?;
    let account = bound_account(db, &id).await?;
    let mut q = crate::storage::Sql::new(format!(
        "SELECT {COLS} FROM {FROM} JOIN org_units o ON o.id = a.unit_id WHERE a.applicant_tag = "
    ));
    q.bind(crate::vault::tag(&id)).push(" AND ");
    q.any_subtree("o.path", &who.scopes(Perm::StartApprovals));
    q.push(" ORDER BY a.id DESC LIMIT 50");
    let rows = q.query_as::<Row>().fetch_all(db).await?;
    let claims: i64 = query_scalar(
        "SELECT COUNT(*) FROM users WHERE id_tag = $1 AND id_verified_at IS NULL AND active = 1",
    )
    .bind(crate::vault::tag(&id))
    .fetch_one(db)
    .await?;
    let applications = super::repo::shown_all(db, rows).await?;
    let name = account
        .as_ref()
        .map(|a| a.1.clone())
        .or_else(|| applications.first().map(|a| a.applicant_name.clone()));
    let mut tx = db.begin().await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "applicant.lookup",
            entity: "applicant",
            entity_id: crate::ids::mask_any(&id),
            scope_path: &clerk_scope(who),
            summary: format!(
                "{} {}",
                crate::ids::mask_any(&id),
                name.clone().unwrap_or_default()
            ),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Applicant {
        username: account.map(|a| a.0),
        name,
        id_masked: crate::ids::mask_any(&id),
        files: reusable(db, who, &id).await?,
        applications,
        unverified_claims: claims,
    })
}

/// The account bound (verified) to an ID number, if any: (username, name).
async fn bound_account(db: &Db, id: &str) -> Result<Option<(String, String)>> {
    Ok(query_as(
        "SELECT username, name FROM users WHERE id_tag = $1 AND id_verified_at IS NOT NULL AND active = 1",
    )
    .bind(crate::vault::tag(id))
    .fetch_optional(db)
    .await?)
}

/// A clerk who has seen the applicant's document binds the account that claims its number: from
/// then on the account is the applicant of everything filed under that number. Refused when the
/// account claims another number, or when another account is already bound to it (one number,
/// one applicant: the window settles that case by hand). Audited.
pub async fn verify_claim(db: &Db, who: &Principal, raw_id: &str, username: &str) -> Result<()> {
    clerk(who)?;
    let id = id_number(raw_id)?;
    let tag = crate::vault::tag(&id);
    let claim: Option<(i64, Option<String>, Option<String>)> =
        query_as("SELECT id, id_tag, id_verified_at FROM users WHERE username = $1 AND active = 1")
            .bind(username.trim())
            .fetch_optional(db)
            .await?;
    let Some((uid, _, verified)) = claim.filter(|c| c.1.as_deref() == Some(tag.as_str())) else {
        return Err(Error::field("username", "field.claim_unknown"));
    };
    if verified.is_some() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    query("UPDATE users SET id_verified_at = $1 WHERE id = $2 AND id_verified_at IS NULL")
        .bind(db.now())
        .bind(uid)
        .execute(&mut tx)
        .await
        .map_err(|e| Error::on_unique(e, "err.id_bound_elsewhere"))?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "applicant.verify",
            entity: "user",
            entity_id: uid.to_string(),
            scope_path: &clerk_scope(who),
            summary: format!("{} {}", username.trim(), crate::ids::mask_any(&id)),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Files an application at the counter: the clerk fills the form on the applicant's behalf,
/// attaches what they scanned (their own uploads) or what the applicant filed before, and
/// records each material's check. The application waits in the queue for the decision.
pub async fn file(db: &Db, who: &Principal, c: &CounterFiling) -> Result<Application> {
    clerk(who)?;
    let id = id_number(&c.id_number)?;
    let units = org::list(db).await?;
    let hall = c
        .save
        .unit_code
        .as_deref()
        .and_then(|code| {
            units
                .iter()
                .find(|u| u.code == code.trim() && u.kind == Kind::Hall)
        })
        .cloned()
        .ok_or_else(|| Error::field("unit_code", "field.hall_unknown"))?;
    if !who.can(Perm::StartApprovals, &hall.path) {
        return Err(Error::Forbidden);
    }
    let account = bound_account(db, &id).await?;
    let name = match &account {
        Some((_, n)) => n.clone(),
        None if c.name.trim().is_empty() => return Err(Error::field("name", "field.required")),
        None => c.name.trim().to_string(),
    };
    let filer = Filer {
        actor: who,
        applicant: account.map(|a| a.0).unwrap_or_default(),
        name,
        id_number: id.clone(),
        channel: "counter",
        reusable: reusable(db, who, &id)
            .await?
            .iter()
            .map(|r| r.file_id)
            .collect(),
        rating_token: Some(crate::auth::random_token()),
    };
    let save = Save {
        submit: true,
        ..c.save.clone()
    };
    let published = crate::catalog::repo::public(db, save.matter_code.trim()).await?;
    let app = store(db, &filer, None, &hall, &published, &save).await?;
    if !c.checks.is_empty() {
        record_checks(db, who, app.id, &c.checks).await?;
    }
    Ok(app)
}

/// Whether `who` may hand in a supplement for application `id` at the window: a clerk of its
/// hall (or above it), while it waits for one. Checked before an upload is read.
pub async fn may_resubmit(db: &Db, who: &Principal, id: i64) -> Result<()> {
    resubmittable(db, who, id).await.map(|_| ())
}

async fn resubmittable(db: &Db, who: &Principal, id: i64) -> Result<super::repo::Row> {
    clerk(who)?;
    let r = row(db, id).await?;
    let hall = org::get(db, r.unit_id).await?;
    if !who.can(Perm::StartApprovals, &hall.path) {
        return Err(Error::NotFound);
    }
    if r.status() != super::Status::Supplement {
        return Err(Error::Conflict("err.not_awaiting_supplement"));
    }
    Ok(r)
}

/// At the counter, adds what a supplement asked for (files the clerk scanned, or ones the
/// applicant filed before) to an application sent back for it, records the checks and submits
/// it again — the walk-in's way back, as resubmitting online is the account holder's.
pub async fn resubmit(
    db: &Db,
    who: &Principal,
    id: i64,
    added: &BTreeMap<String, Vec<i64>>,
    checks: &BTreeMap<String, Check>,
) -> Result<Application> {
    let r = resubmittable(db, who, id).await?;
    let hall = org::get(db, r.unit_id).await?;
    // The window takes the supplement that was asked for: something new is handed in.
    if added.values().all(|v| v.is_empty()) {
        return Err(Error::field("materials", "field.supplement_empty"));
    }
    let id_number = crate::vault::open(&r.applicant_id);
    let mut materials = super::repo::materials(db, id).await?;
    for (m, files) in added {
        let have = materials.entry(m.clone()).or_default();
        for f in files {
            if !have.contains(f) {
                have.push(*f);
            }
        }
    }
    let filer = Filer {
        actor: who,
        applicant: r.applicant.clone(),
        name: r.applicant_name.clone(),
        id_number: id_number.clone(),
        channel: "counter",
        reusable: reusable(db, who, &id_number)
            .await?
            .iter()
            .map(|f| f.file_id)
            .collect(),
        rating_token: None,
    };
    let save = Save {
        matter_code: r.matter_code.clone(),
        version: None,
        unit_code: Some(hall.code.clone()),
        form: match crate::vault::open_form(&r.form_json) {
            serde_json::Value::Object(m) => m,
            _ => Default::default(),
        },
        materials,
        submit: true,
    };
    let published = crate::catalog::repo::public(db, &r.matter_code).await?;
    let app = store(db, &filer, Some(&r), &hall, &published, &save).await?;
    if !checks.is_empty() {
        record_checks(db, who, id, checks).await?;
    }
    Ok(app)
}

/// Records a clerk's checks of an application's materials (each replaces the one before).
pub async fn record_checks(
    db: &Db,
    who: &Principal,
    id: i64,
    checks: &BTreeMap<String, Check>,
) -> Result<()> {
    let r = row(db, id).await?;
    let hall = org::get(db, r.unit_id).await?;
    if !who.can(Perm::StartApprovals, &hall.path) {
        return Err(Error::NotFound);
    }
    let matter = crate::catalog::repo::version(db, &r.matter_code, r.matter_version).await?;
    let mut errs = Vec::new();
    for (m, c) in checks {
        if !matter.guide.materials.iter().any(|x| &x.id == m) {
            errs.push(FieldError::with("checks", "field.material_unknown", m));
        }
        if !c.ok && c.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            errs.push(FieldError::new(format!("checks.{m}"), "field.check_note"));
        }
    }
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let now = db.now();
    let mut tx = db.begin().await?;
    for (m, c) in checks {
        query(
            "INSERT INTO application_checks (application_id, material, ok, note, checked_by, checked_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (application_id, material) DO UPDATE SET \
             ok = excluded.ok, note = excluded.note, checked_by = excluded.checked_by, checked_at = excluded.checked_at",
        )
        .bind(id)
        .bind(m)
        .bind(c.ok)
        .bind(c.note.as_deref().map(str::trim).filter(|n| !n.is_empty()))
        .bind(&who.username)
        .bind(&now)
        .execute(&mut tx)
        .await?;
    }
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "application.check",
            entity: "application",
            entity_id: id.to_string(),
            scope_path: &hall.path,
            summary: r.number.clone(),
            before: None,
            after: Some(json!(checks)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The checks recorded for an application's materials.
pub async fn checks_of(db: &Db, id: i64) -> Result<BTreeMap<String, Check>> {
    let rows: Vec<(String, bool, Option<String>)> =
        query_as("SELECT material, ok, note FROM application_checks WHERE application_id = $1")
            .bind(id)
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(m, ok, note)| (m, Check { ok, note }))
        .collect())
}
