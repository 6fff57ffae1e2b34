//! Ratings and follow-ups (好差评): after completion the applicant rates the service 1–5 with an
//! optional comment, once per application (the channel it came through recorded). A rating of 1
//! or 2 opens a follow-up (整改) for the matter's department, due in five working days on the
//! calendar; complaints can be filed on any application and are followed up the same way. The
//! department answers; the applicant sees the answer.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::approval::calendar::Hours;
use crate::approval::calendar_repo;
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::clock;
use crate::error::{Error, FieldError, Result};
use crate::org;
use crate::storage::{Db, query_as, query_scalar};

/// Working days a department has to answer a poor rating or a complaint.
pub const FOLLOWUP_DAYS: u32 = 5;

#[derive(Debug, Clone, Serialize, crate::storage::FromRow, utoipa::ToSchema)]
pub struct Followup {
    pub id: i64,
    pub application_id: i64,
    /// `rating` or `complaint`.
    pub kind: String,
    pub score: Option<i64>,
    pub body: String,
    pub channel: String,
    pub filed_by: String,
    pub filed_at: String,
    /// When the department must answer (none for a good rating).
    pub due_at: Option<String>,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<String>,
}

const COLS: &str = "id, application_id, kind, score, body, channel, filed_by, filed_at, due_at, answer, answered_by, answered_at";

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Rate {
    /// 1 (very poor) to 5 (very good).
    pub score: i64,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Complaint {
    pub body: String,
}

/// The application's matter department, channel, status and applicant.
async fn context(db: &Db, id: i64) -> Result<(i64, String, super::Status, String, String)> {
    let row: Option<(String, String, String, String, Option<String>)> = query_as(
        "SELECT m.department_code, a.channel, a.status, a.applicant, i.status FROM applications a \
         JOIN matters m ON m.code = a.matter_code LEFT JOIN approval_instances i ON i.id = a.instance_id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    let (dept, channel, status, applicant, inst) = row.ok_or(Error::NotFound)?;
    let dept = org::by_code(db, &dept).await?.ok_or(Error::NotFound)?;
    let status = super::repo::status_of(&status, inst.as_deref());
    Ok((dept.id, channel, status, applicant, dept.path))
}

async fn due(db: &Db) -> Result<String> {
    let cal = calendar_repo::calendar(db).await?;
    let now = db.clock().now_utc().with_timezone(&clock::cst());
    let h = Hours::default();
    let due = cal.add_working_minutes(now, i64::from(FOLLOWUP_DAYS) * h.minutes_per_day(), &h);
    Ok(clock::to_db(due.with_timezone(&Utc)))
}

async fn file(
    db: &Db,
    who: &Principal,
    id: i64,
    kind: &str,
    score: Option<i64>,
    body: &str,
    channel: Option<&str>,
) -> Result<Followup> {
    let (dept, app_channel, _, _, path) = context(db, id).await?;
    // Where the rating came from: the QR code on a notice, or the application's own channel.
    let channel = channel.map_or(app_channel, String::from);
    // Every complaint and every rating of 1 or 2 waits for the department's answer.
    let needs_answer = kind == "complaint" || score.is_some_and(|s| s <= 2);
    let due_at = if needs_answer {
        Some(due(db).await?)
    } else {
        None
    };
    let mut tx = db.begin().await?;
    let f = query_as::<Followup>(format!(
        "INSERT INTO followups (application_id, kind, score, body, channel, department_id, filed_by, filed_at, due_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLS}"
    ))
    .bind(id)
    .bind(kind)
    .bind(score)
    .bind(body)
    .bind(&channel)
    .bind(dept)
    .bind(&who.username)
    .bind(db.now())
    .bind(due_at)
    .fetch_one(&mut tx)
    .await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: &format!("followup.{kind}"),
            entity: "application",
            entity_id: id.to_string(),
            scope_path: &path,
            summary: format!(
                "{} {}",
                score.map(|s| s.to_string()).unwrap_or_default(),
                body
            ),
            before: None,
            after: Some(json!({"score": score, "due_at": f.due_at})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(f)
}

/// The applicant rates a completed application, once.
pub async fn rate(db: &Db, who: &Principal, id: i64, r: &Rate) -> Result<Followup> {
    let (_, _, status, applicant, _) = context(db, id).await?;
    if applicant != who.username {
        return Err(Error::NotFound);
    }
    if !status.decided() {
        return Err(Error::Conflict("err.not_completed"));
    }
    record_rating(db, who, id, r, None).await
}

/// A rating checked (1–5, a comment of at most 1,000 characters, the first for its
/// application) and filed; 1 or 2 needs the department's answer.
async fn record_rating(
    db: &Db,
    who: &Principal,
    id: i64,
    r: &Rate,
    channel: Option<&str>,
) -> Result<Followup> {
    if !(1..=5).contains(&r.score) {
        return Err(Error::Validation(vec![FieldError::with(
            "score",
            "field.range",
            "1–5",
        )]));
    }
    if r.comment.chars().count() > 1000 {
        return Err(Error::Validation(vec![FieldError::with(
            "comment",
            "field.too_long",
            "1000",
        )]));
    }
    let rated: i64 = query_scalar(
        "SELECT COUNT(*) FROM followups WHERE application_id = $1 AND kind = 'rating'",
    )
    .bind(id)
    .fetch_one(db)
    .await?;
    if rated > 0 {
        return Err(Error::Conflict("err.already_rated"));
    }
    file(
        db,
        who,
        id,
        "rating",
        Some(r.score),
        r.comment.trim(),
        channel,
    )
    .await
}

/// An application as the public rating page (扫码评价) shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Rateable {
    pub id: i64,
    pub number: String,
    pub matter_name: String,
    pub hall_name: String,
    pub status: super::Status,
    /// Its rating, once given.
    pub rating: Option<Followup>,
}

async fn by_token(db: &Db, token: &str) -> Result<Rateable> {
    let row: Option<(i64, String, String, String)> = query_as(
        "SELECT a.id, a.number, m.name, o.name FROM applications a JOIN matters m ON m.code = a.matter_code \
         JOIN org_units o ON o.id = a.unit_id WHERE a.rating_token = $1",
    )
    .bind(token)
    .fetch_optional(db)
    .await?;
    let (id, number, matter_name, hall_name) = row.ok_or(Error::NotFound)?;
    let (_, _, status, _, _) = context(db, id).await?;
    let rating = query_as::<Followup>(format!(
        "SELECT {COLS} FROM followups WHERE application_id = $1 AND kind = 'rating' ORDER BY id LIMIT 1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(Rateable {
        id,
        number,
        matter_name,
        hall_name,
        status,
        rating,
    })
}

/// The application a rating code is printed for (no sign-in: the code is the permission).
pub async fn rateable(db: &Db, token: &str) -> Result<Rateable> {
    by_token(db, token.trim()).await
}

/// Rates the service of a counter application by the code on its notice, once, after the
/// window's decision; recorded with the channel `qr_code` (GB/T 39046's 二维码), with the same
/// follow-up rule as any other rating.
pub async fn rate_by_token(db: &Db, token: &str, r: &Rate) -> Result<Followup> {
    let a = by_token(db, token.trim()).await?;
    if matches!(a.status, super::Status::Draft | super::Status::Submitted) {
        return Err(Error::Conflict("err.not_decided"));
    }
    let who = Principal::without_account("rating-code");
    record_rating(db, &who, a.id, r, Some("qr_code")).await
}

/// The applicant complains about an application at any stage.
pub async fn complain(db: &Db, who: &Principal, id: i64, c: &Complaint) -> Result<Followup> {
    let (_, _, _, applicant, _) = context(db, id).await?;
    if applicant != who.username {
        return Err(Error::NotFound);
    }
    let body = c.body.trim();
    if body.is_empty() {
        return Err(Error::field("body", "field.required"));
    }
    file(db, who, id, "complaint", None, body, None).await
}

/// Follow-ups of an application (its applicant, or the department's staff).
pub async fn of_application(db: &Db, who: &Principal, id: i64) -> Result<Vec<Followup>> {
    let (_, _, _, applicant, path) = context(db, id).await?;
    if applicant != who.username
        && !who.can(Perm::IssueLicences, &path)
        && !who.can(Perm::ViewAudit, &path)
    {
        return Err(Error::NotFound);
    }
    Ok(query_as::<Followup>(format!(
        "SELECT {COLS} FROM followups WHERE application_id = $1 ORDER BY id"
    ))
    .bind(id)
    .fetch_all(db)
    .await?)
}

/// Follow-ups waiting for an answer from the departments the caller works for, due first.
pub async fn open(db: &Db, who: &Principal) -> Result<Vec<Followup>> {
    let scopes = who.scopes(Perm::IssueLicences);
    if scopes.is_empty() {
        return Err(Error::Forbidden);
    }
    let mut s = crate::storage::Sql::new(format!(
        "SELECT f.{} FROM followups f JOIN org_units o ON o.id = f.department_id WHERE f.due_at IS NOT NULL AND f.answered_at IS NULL AND ",
        COLS.replace(", ", ", f.")
    ));
    s.any_subtree("o.path", &scopes).push(" ORDER BY f.due_at");
    Ok(s.query_as::<Followup>().fetch_all(db).await?)
}

/// The department answers a follow-up (once).
pub async fn answer(db: &Db, who: &Principal, followup: i64, text: &str) -> Result<Followup> {
    let row: Option<(String,)> = query_as(
        "SELECT o.path FROM followups f JOIN org_units o ON o.id = f.department_id WHERE f.id = $1",
    )
    .bind(followup)
    .fetch_optional(db)
    .await?;
    let (path,) = row.ok_or(Error::NotFound)?;
    if !who.can(Perm::IssueLicences, &path) {
        return Err(Error::NotFound);
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::field("answer", "field.required"));
    }
    let mut tx = db.begin().await?;
    let f = query_as::<Followup>(format!(
        "UPDATE followups SET answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4 AND answered_at IS NULL \
         AND due_at IS NOT NULL RETURNING {COLS}"
    ))
    .bind(text)
    .bind(&who.username)
    .bind(db.now())
    .bind(followup)
    .fetch_optional(&mut tx)
    .await?
    .ok_or(Error::Conflict("err.already_answered"))?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "followup.answer",
            entity: "application",
            entity_id: f.application_id.to_string(),
            scope_path: &path,
            summary: text.to_string(),
            before: None,
            after: Some(json!({"answer": text})),
        },
    )
    .await?;
    // The applicant reads the department's answer (in-app, and by mail where they gave one).
    let (applicant, number): (String, String) =
        query_as("SELECT applicant, number FROM applications WHERE id = $1")
            .bind(f.application_id)
            .fetch_one(&mut tx)
            .await?;
    let what = if f.kind == "complaint" {
        "投诉已答复"
    } else {
        "评价已回复"
    };
    super::accept::tell(
        &mut tx,
        &applicant,
        &number,
        f.application_id,
        what,
        Some(text),
    )
    .await?;
    tx.commit().await?;
    Ok(f)
}
