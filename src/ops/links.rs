//! What a ticket links to: the ticket it duplicates (closed as such), a known-error note with its
//! fix (so the next one is solved faster), files attached by those on it, and the developers'
//! own status once it went to them. Also the service-level policies managers edit.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::codes::{Level, Priority, Status};
use super::repo::{event, load};
use super::sla::Policy;
use super::ticket::Ticket;
use super::ticket::{handled, seen};
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::error::{Error, FieldError, Result};
use crate::files::{self, FileMeta};
use crate::storage::{Db, Sql, Tx, query, query_as};

async fn audited(
    tx: &mut Tx,
    who: &Principal,
    t: &Ticket,
    action: &str,
    summary: String,
    after: serde_json::Value,
) -> Result<()> {
    audit::record(
        tx,
        &who.actor(),
        Change {
            action,
            entity: "ticket",
            entity_id: t.number.clone(),
            scope_path: &t.unit_path,
            summary,
            before: None,
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// Resolves a ticket as a duplicate of another (by number), linking the two.
pub async fn duplicate(db: &Db, who: &Principal, id: i64, of: &str) -> Result<Ticket> {
    let t = handled(db, who, id).await?;
    let of = of.trim();
    let original: Option<(i64, String)> =
        query_as("SELECT id, number FROM ops_tickets WHERE number = $1")
            .bind(of)
            .fetch_optional(db)
            .await?;
    let Some((of_id, of_number)) = original.filter(|(i, _)| *i != id) else {
        return Err(Error::Validation(vec![FieldError::with(
            "of",
            "field.ticket_unknown",
            of,
        )]));
    };
    if !t.status().is_open() {
        return Err(Error::Conflict("err.ticket_move"));
    }
    let now = db.now();
    let mut tx = db.begin().await?;
    let n = query(
        "UPDATE ops_tickets SET duplicate_of = $1, status = 'resolved', resolved_at = $2, \
         resolution_met = CASE WHEN $2 <= resolution_due_at THEN 1 ELSE 0 END, waiting_since = NULL, updated_at = $2 \
         WHERE id = $3 AND status = $4",
    )
    .bind(of_id)
    .bind(&now)
    .bind(id)
    .bind(&t.status)
    .execute(&mut tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(Error::Conflict("err.ticket_changed"));
    }
    event(
        &mut tx,
        id,
        &now,
        &who.username,
        "duplicate",
        Some(t.status()),
        Some(Status::Resolved),
        None,
        &of_number,
    )
    .await?;
    audited(
        &mut tx,
        who,
        &t,
        "ticket.duplicate",
        format!("{} = {of_number}", t.number),
        json!({"duplicate_of": of_number}),
    )
    .await?;
    let t = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(t)
}

#[derive(Debug, Clone, Serialize, Deserialize, crate::storage::FromRow, utoipa::ToSchema)]
pub struct KnownError {
    #[serde(default)]
    pub id: i64,
    pub title: String,
    /// How it shows itself.
    #[serde(default)]
    pub symptom: String,
    /// What solves it.
    pub fix: String,
}

/// Known errors, those matching `q` (title or symptom) when given.
pub async fn known_errors(db: &Db, q: Option<&str>) -> Result<Vec<KnownError>> {
    let mut s = Sql::new("SELECT id, title, symptom, fix FROM ops_known_errors WHERE ");
    s.contains_any(&["title", "symptom"], q.unwrap_or("").trim())
        .push(" ORDER BY id DESC LIMIT 200");
    Ok(s.query_as::<KnownError>().fetch_all(db).await?)
}

/// Writes down a known error with its fix (O&M engineers and managers).
pub async fn add_known_error(db: &Db, who: &Principal, k: &KnownError) -> Result<KnownError> {
    if !who.has(Perm::HandleTickets) {
        return Err(Error::Forbidden);
    }
    let mut errs = Vec::new();
    if k.title.trim().is_empty() {
        errs.push(FieldError::new("title", "field.required"));
    }
    if k.fix.trim().is_empty() {
        errs.push(FieldError::new("fix", "field.required"));
    }
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let now = db.now();
    let mut tx = db.begin().await?;
    let saved = query_as::<KnownError>(
        "INSERT INTO ops_known_errors (title, symptom, fix, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) \
         RETURNING id, title, symptom, fix",
    )
    .bind(k.title.trim())
    .bind(k.symptom.trim())
    .bind(k.fix.trim())
    .bind(&who.username)
    .bind(&now)
    .fetch_one(&mut tx)
    .await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "known_error.add",
            entity: "known_error",
            entity_id: saved.id.to_string(),
            scope_path: "/",
            summary: saved.title.clone(),
            before: None,
            after: Some(json!(saved)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Links a ticket to a known error; its fix shows on the ticket.
pub async fn link_known_error(db: &Db, who: &Principal, id: i64, ke: i64) -> Result<Ticket> {
    let t = handled(db, who, id).await?;
    let k = query_as::<KnownError>(
        "SELECT id, title, symptom, fix FROM ops_known_errors WHERE id = $1",
    )
    .bind(ke)
    .fetch_optional(db)
    .await?
    .ok_or_else(|| {
        Error::Validation(vec![FieldError::with(
            "known_error_id",
            "field.ticket_unknown",
            ke.to_string(),
        )])
    })?;
    let now = db.now();
    let mut tx = db.begin().await?;
    query("UPDATE ops_tickets SET known_error_id = $1, updated_at = $2 WHERE id = $3")
        .bind(k.id)
        .bind(&now)
        .bind(id)
        .execute(&mut tx)
        .await?;
    event(
        &mut tx,
        id,
        &now,
        &who.username,
        "known_error",
        None,
        None,
        None,
        &k.title,
    )
    .await?;
    audited(
        &mut tx,
        who,
        &t,
        "ticket.known_error",
        k.title.clone(),
        json!({"known_error": k.id}),
    )
    .await?;
    let t = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(t)
}

pub async fn known_error(db: &Db, id: i64) -> Result<Option<KnownError>> {
    Ok(
        query_as::<KnownError>(
            "SELECT id, title, symptom, fix FROM ops_known_errors WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(db)
        .await?,
    )
}

/// The developers' own status of a ticket that went to them (待分析, 修复中, 已发布 …).
pub async fn vendor_status(db: &Db, who: &Principal, id: i64, status: &str) -> Result<Ticket> {
    let t = handled(db, who, id).await?;
    let status = status.trim();
    if t.level() != Level::Developers {
        return Err(Error::Conflict("err.ticket_not_with_developers"));
    }
    if status.is_empty() || status.chars().count() > 40 {
        return Err(Error::Validation(vec![FieldError::with(
            "vendor_status",
            "field.too_long",
            "40",
        )]));
    }
    let now = db.now();
    let mut tx = db.begin().await?;
    query("UPDATE ops_tickets SET vendor_status = $1, updated_at = $2 WHERE id = $3")
        .bind(status)
        .bind(&now)
        .bind(id)
        .execute(&mut tx)
        .await?;
    event(
        &mut tx,
        id,
        &now,
        &who.username,
        "vendor",
        None,
        None,
        Some(Level::Developers),
        status,
    )
    .await?;
    audited(
        &mut tx,
        who,
        &t,
        "ticket.vendor",
        status.to_string(),
        json!({"vendor_status": status}),
    )
    .await?;
    let t = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(t)
}

/// Attaches uploaded files to a ticket (anyone who may see it), all in one transaction.
pub async fn attach(
    db: &Db,
    who: &Principal,
    id: i64,
    uploads: &[(String, Vec<u8>)],
) -> Result<Vec<FileMeta>> {
    seen(db, who, id).await?;
    if uploads.is_empty() {
        return Err(Error::field("file", "field.required"));
    }
    let checked = uploads
        .iter()
        .map(|(n, b)| files::check(n, b))
        .collect::<Result<Vec<_>>>()?;
    let now = db.now();
    let mut tx = db.begin().await?;
    let mut out = Vec::new();
    for c in &checked {
        let m = files::put(&mut tx, who, c).await?;
        query("INSERT INTO ops_ticket_files (ticket_id, file_id) VALUES ($1, $2)")
            .bind(id)
            .bind(m.id)
            .execute(&mut tx)
            .await?;
        event(
            &mut tx,
            id,
            &now,
            &who.username,
            "file",
            None,
            None,
            None,
            &m.name,
        )
        .await?;
        out.push(m);
    }
    tx.commit().await?;
    Ok(out)
}

pub async fn ticket_files(db: &Db, id: i64) -> Result<Vec<FileMeta>> {
    Ok(query_as::<FileMeta>(
        "SELECT f.id, f.name, f.content_type, f.size, f.sha256, f.uploaded_by, f.created_at \
         FROM ops_ticket_files tf JOIN files f ON f.id = tf.file_id WHERE tf.ticket_id = $1 ORDER BY f.id",
    )
    .bind(id)
    .fetch_all(db)
    .await?)
}

/// One file of a ticket, for those who may see the ticket.
pub async fn ticket_file(
    db: &Db,
    who: &Principal,
    id: i64,
    file: i64,
) -> Result<(FileMeta, Vec<u8>)> {
    seen(db, who, id).await?;
    let meta = ticket_files(db, id)
        .await?
        .into_iter()
        .find(|f| f.id == file)
        .ok_or(Error::NotFound)?;
    let bytes = files::content(db, &meta).await?;
    Ok((meta, bytes))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PolicyRow {
    pub priority: String,
    #[serde(flatten)]
    pub policy: Policy,
}

pub async fn policies(db: &Db) -> Result<Vec<PolicyRow>> {
    let mut out = Vec::new();
    for p in Priority::ALL {
        out.push(PolicyRow {
            priority: p.as_str().into(),
            policy: super::repo::policy(db, *p).await?,
        });
    }
    Ok(out)
}

/// Changes a priority's service levels (O&M managers; audited). New tickets get them.
pub async fn set_policy(db: &Db, who: &Principal, priority: &str, p: &Policy) -> Result<PolicyRow> {
    if !who.has(Perm::ManageOps) {
        return Err(Error::Forbidden);
    }
    let pr = Priority::parse(priority).ok_or(Error::NotFound)?;
    let mut errs = Vec::new();
    for (f, v) in [
        ("response_minutes", p.response_minutes),
        ("resolution_minutes", p.resolution_minutes),
        ("offhours_response_minutes", p.offhours_response_minutes),
    ] {
        if !(1..=100_000).contains(&v) {
            errs.push(FieldError::with(f, "field.range", "1–100000"));
        }
    }
    if p.resolution_minutes < p.response_minutes {
        errs.push(FieldError::new(
            "resolution_minutes",
            "field.resolution_before_response",
        ));
    }
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let before = super::repo::policy(db, pr).await?;
    let mut tx = db.begin().await?;
    query(
        "INSERT INTO ops_sla_policies (priority, response_minutes, resolution_minutes, offhours_response_minutes, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (priority) DO UPDATE SET response_minutes = $2, resolution_minutes = $3, \
         offhours_response_minutes = $4, updated_at = $5",
    )
    .bind(pr.as_str())
    .bind(p.response_minutes)
    .bind(p.resolution_minutes)
    .bind(p.offhours_response_minutes)
    .bind(db.now())
    .execute(&mut tx)
    .await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "sla.set",
            entity: "sla",
            entity_id: pr.as_str().into(),
            scope_path: "/",
            summary: format!(
                "{} {}/{}/{}",
                pr.zh(),
                p.response_minutes,
                p.resolution_minutes,
                p.offhours_response_minutes
            ),
            before: Some(json!(before)),
            after: Some(json!(p)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(PolicyRow {
        priority: pr.as_str().into(),
        policy: *p,
    })
}
