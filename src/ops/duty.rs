//! The duty rota (值班表) and the records of holiday assurance plans and security drills. The
//! first engineer on a day's rota takes the tickets opened outside working time that day: they
//! are assigned to them and an e-mail alert is queued to them in the same transaction.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Change};
use crate::auth::{Perm, Principal, Role};
use crate::error::{Error, FieldError, Result};
use crate::mail::{self, Mail};
use crate::storage::{Db, Tx, query, query_as, query_scalar};

#[derive(Debug, Clone, Serialize, crate::storage::FromRow, utoipa::ToSchema)]
pub struct Duty {
    pub id: i64,
    /// `YYYY-MM-DD`, China time.
    pub day: String,
    pub engineer: String,
    /// E.g. 国庆节保障.
    pub note: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewDuty {
    pub day: String,
    pub engineer: String,
    #[serde(default)]
    pub note: String,
}

fn manager(who: &Principal) -> Result<()> {
    if who.has(Perm::ManageOps) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

fn date(field: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| Error::Validation(vec![FieldError::with(field, "field.date", s)]))
}

/// The rota from `from` to `to` (inclusive), by day.
pub async fn rota(db: &Db, from: &str, to: &str) -> Result<Vec<Duty>> {
    Ok(query_as::<Duty>("SELECT id, day, engineer, note FROM ops_duty WHERE day >= $1 AND day <= $2 ORDER BY day, id")
        .bind(from)
        .bind(to)
        .fetch_all(db)
        .await?)
}

/// Puts an O&M engineer on the rota for a day (O&M managers).
pub async fn add(db: &Db, who: &Principal, n: &NewDuty) -> Result<Duty> {
    manager(who)?;
    let day = date("day", &n.day)?;
    let engineer = n.engineer.trim();
    let is_engineer: i64 = query_scalar(
        "SELECT COUNT(*) FROM users u JOIN role_grants g ON g.user_id = u.id \
         WHERE u.username = $1 AND u.active = 1 AND g.role IN ($2, $3)",
    )
    .bind(engineer)
    .bind(Role::OmEngineer.as_str())
    .bind(Role::OmManager.as_str())
    .fetch_one(db)
    .await?;
    if is_engineer == 0 {
        return Err(Error::Validation(vec![FieldError::with(
            "engineer",
            "field.not_engineer",
            engineer,
        )]));
    }
    let mut tx = db.begin().await?;
    let d = query_as::<Duty>(
        "INSERT INTO ops_duty (day, engineer, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5) \
         RETURNING id, day, engineer, note",
    )
    .bind(day.to_string())
    .bind(engineer)
    .bind(n.note.trim())
    .bind(&who.username)
    .bind(db.now())
    .fetch_one(&mut tx)
    .await
    .map_err(|e| Error::on_unique(e, "err.duty_taken"))?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "duty.add",
            entity: "duty",
            entity_id: d.id.to_string(),
            scope_path: "/",
            summary: format!("{} {}", d.day, d.engineer),
            before: None,
            after: Some(json!({"day": d.day, "engineer": d.engineer, "note": d.note})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(d)
}

pub async fn remove(db: &Db, who: &Principal, id: i64) -> Result<()> {
    manager(who)?;
    let d = query_as::<Duty>("SELECT id, day, engineer, note FROM ops_duty WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(Error::NotFound)?;
    let mut tx = db.begin().await?;
    query("DELETE FROM ops_duty WHERE id = $1")
        .bind(id)
        .execute(&mut tx)
        .await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "duty.remove",
            entity: "duty",
            entity_id: id.to_string(),
            scope_path: "/",
            summary: format!("{} {}", d.day, d.engineer),
            before: Some(json!({"day": d.day, "engineer": d.engineer})),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The engineer on duty on `day` (the first on the rota) and their e-mail address.
pub async fn on_duty(db: &Db, day: NaiveDate) -> Result<Option<(String, Option<String>)>> {
    Ok(query_as::<(String, Option<String>)>(
        "SELECT d.engineer, u.email FROM ops_duty d LEFT JOIN users u ON u.username = d.engineer \
         WHERE d.day = $1 ORDER BY d.id LIMIT 1",
    )
    .bind(day.to_string())
    .fetch_optional(db)
    .await?)
}

/// For a ticket opened off hours: assigns it to the engineer on duty and queues their alert.
pub(super) async fn alert(
    tx: &mut Tx,
    duty: &(String, Option<String>),
    ticket: i64,
    number: &str,
    title: &str,
) -> Result<()> {
    query("UPDATE ops_tickets SET assignee = $1 WHERE id = $2")
        .bind(&duty.0)
        .bind(ticket)
        .execute(&mut *tx)
        .await?;
    if let Some(email) = duty.1.as_deref().filter(|e| !e.is_empty()) {
        mail::queue(
            tx,
            &Mail {
                to: vec![email.to_string()],
                subject: format!("【值班】非工作时间工单 {number}"),
                body: format!(
                    "{number} {title}\n\n请在值班响应时限内处理：/ops/tickets/{ticket}\n"
                ),
                attachment: None,
            },
        )
        .await?;
    }
    Ok(())
}

/// A holiday assurance plan or a security drill, with what it found.
#[derive(Debug, Clone, Serialize, Deserialize, crate::storage::FromRow, utoipa::ToSchema)]
pub struct Assurance {
    #[serde(default)]
    pub id: i64,
    /// `holiday` (重大节假日保障) or `drill` (安全应急演练).
    pub kind: String,
    pub title: String,
    pub starts_on: String,
    pub ends_on: String,
    #[serde(default)]
    pub plan: String,
    #[serde(default)]
    pub findings: String,
}

pub async fn assurances(db: &Db) -> Result<Vec<Assurance>> {
    Ok(query_as::<Assurance>(
        "SELECT id, kind, title, starts_on, ends_on, plan, findings FROM ops_assurance ORDER BY starts_on DESC, id DESC",
    )
    .fetch_all(db)
    .await?)
}

/// Records a plan or drill (id 0) or updates one, e.g. with its findings afterwards.
pub async fn save_assurance(db: &Db, who: &Principal, a: &Assurance) -> Result<Assurance> {
    manager(who)?;
    let mut errs = Vec::new();
    if !matches!(a.kind.as_str(), "holiday" | "drill") {
        errs.push(FieldError::with("kind", "field.code_unknown", &a.kind));
    }
    if a.title.trim().is_empty() {
        errs.push(FieldError::new("title", "field.required"));
    }
    let (s, e) = (date("starts_on", &a.starts_on), date("ends_on", &a.ends_on));
    match (&s, &e) {
        (Ok(s), Ok(e)) if e < s => errs.push(FieldError::new("ends_on", "field.period")),
        (Err(Error::Validation(v)), _) | (_, Err(Error::Validation(v))) => errs.extend(v.clone()),
        _ => {}
    }
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let now = db.now();
    let mut tx = db.begin().await?;
    let q = if a.id == 0 {
        query_as::<Assurance>(
            "INSERT INTO ops_assurance (kind, title, starts_on, ends_on, plan, findings, created_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, kind, title, starts_on, ends_on, plan, findings",
        )
    } else {
        query_as::<Assurance>(
            "UPDATE ops_assurance SET kind = $1, title = $2, starts_on = $3, ends_on = $4, plan = $5, findings = $6, \
             created_by = COALESCE(created_by, $7), updated_at = $8 WHERE id = $9 \
             RETURNING id, kind, title, starts_on, ends_on, plan, findings",
        )
    };
    let q = q
        .bind(&a.kind)
        .bind(a.title.trim())
        .bind(a.starts_on.trim())
        .bind(a.ends_on.trim())
        .bind(a.plan.trim())
        .bind(a.findings.trim())
        .bind(&who.username)
        .bind(&now);
    let q = if a.id == 0 { q } else { q.bind(a.id) };
    let saved = q.fetch_optional(&mut tx).await?.ok_or(Error::NotFound)?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "assurance.save",
            entity: "assurance",
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

/// The days a rota view covers: `from` (`YYYY-MM-DD`, today when not given) to `to` (inclusive,
/// two weeks after `from` when not given); a day that does not parse is refused, named.
pub fn rota_days(
    today: chrono::NaiveDate,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(String, String)> {
    let day = |k: &str, v: Option<&str>| {
        crate::clock::filter_day(k, v).map_err(|e| Error::Validation(vec![e]))
    };
    let from = day("from", from)?.unwrap_or(today);
    let to = day("to", to)?.unwrap_or(from + chrono::Duration::days(13));
    Ok((from.to_string(), to.to_string()))
}
