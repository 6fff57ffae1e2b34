//! Licences in the store: issuing one (signed in the issuing transaction), its status for the
//! public check, checking a licence document someone presents, revoking with a reason.

use chrono::{Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Licence, id_digest, keys};
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::clock;
use crate::error::{Error, FieldError, Result};
use crate::ids::{CreditCode, ResidentId};
use crate::org;
use crate::storage::{Db, query, query_as};

/// What issuing a licence needs.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Issue {
    /// The approved application it results from, if any.
    #[serde(default)]
    pub instance_id: Option<i64>,
    pub matter_code: String,
    pub holder_name: String,
    /// Resident ID number or unified social credit code.
    pub holder_id: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
    /// Years of validity from today (1–30; 5 unless given).
    #[serde(default)]
    pub valid_years: Option<u32>,
}

#[derive(sqlx::FromRow)]
struct Row {
    number: String,
    matter_code: String,
    matter_name: String,
    holder_name: String,
    holder_id: String,
    content: String,
    unit_name: String,
    issued_at: String,
    valid_from: String,
    valid_until: String,
    key_id: i64,
    signature: String,
    revoked_at: Option<String>,
    revoke_reason: Option<String>,
    unit_path: String,
}

const COLS: &str = "l.number, l.matter_code, l.matter_name, l.holder_name, l.holder_id, l.content, l.unit_name, \
    l.issued_at, l.valid_from, l.valid_until, l.key_id, l.signature, l.revoked_at, l.revoke_reason, o.path AS unit_path";

impl Row {
    fn licence(&self) -> Licence {
        Licence {
            number: self.number.clone(),
            matter_code: self.matter_code.clone(),
            matter_name: self.matter_name.clone(),
            holder_name: self.holder_name.clone(),
            holder_id_masked: crate::ids::mask_any(&crate::vault::open(&self.holder_id)),
            holder_id_sha256: id_digest(&crate::vault::open(&self.holder_id)),
            content: serde_json::from_str(&self.content).unwrap_or_default(),
            unit_name: self.unit_name.clone(),
            issued_at: self.issued_at.clone(),
            valid_from: self.valid_from.clone(),
            valid_until: self.valid_until.clone(),
            key_id: self.key_id,
            signature: self.signature.clone(),
        }
    }
}

async fn row(db: &Db, number: &str) -> Result<Option<Row>> {
    Ok(query_as::<Row>(format!(
        "SELECT {COLS} FROM licences l JOIN org_units o ON o.id = l.unit_id WHERE l.number = $1"
    ))
    .bind(number.trim())
    .fetch_optional(db)
    .await?)
}

/// Issues and signs a licence for the matter's department (its approvers and admins).
pub async fn issue(db: &Db, who: &Principal, i: &Issue) -> Result<Licence> {
    let matter: Option<(String, String)> =
        query_as("SELECT name, department_code FROM matters WHERE code = $1")
            .bind(i.matter_code.trim())
            .fetch_optional(db)
            .await?;
    let (matter_name, dept) =
        matter.ok_or_else(|| Error::field("matter_code", "field.matter_unknown"))?;
    let unit = org::by_code(db, &dept).await?.ok_or(Error::NotFound)?;
    if !who.can(Perm::IssueLicences, &unit.path) {
        return Err(Error::Forbidden);
    }
    let mut errs = Vec::new();
    let holder = i.holder_name.trim();
    if holder.is_empty() {
        errs.push(FieldError::new("holder_name", "field.required"));
    }
    let id = i.holder_id.trim().to_ascii_uppercase();
    if ResidentId::parse(&id).is_err() && CreditCode::parse(&id).is_err() {
        errs.push(FieldError::new("holder_id", "field.holder_id"));
    }
    if !(i.content.is_object() || i.content.is_null()) {
        errs.push(FieldError::new("content", "field.type"));
    }
    let years = i.valid_years.unwrap_or(5);
    if !(1..=30).contains(&years) {
        errs.push(FieldError::with("valid_years", "field.range", "1–30"));
    }
    if let Some(inst) = i.instance_id {
        let approved: Option<(String, String)> =
            query_as("SELECT status, matter_code FROM approval_instances WHERE id = $1")
                .bind(inst)
                .fetch_optional(db)
                .await?;
        match approved {
            Some((s, m)) if s == "approved" && m == i.matter_code.trim() => {}
            _ => errs.push(FieldError::new("instance_id", "field.not_approved")),
        }
    }
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let today = Utc::now().with_timezone(&clock::cst()).date_naive();
    let until = today
        .checked_add_months(Months::new(12 * years))
        .and_then(|d| d.pred_opt())
        .unwrap_or(today);
    let content = if i.content.is_null() {
        json!({})
    } else {
        i.content.clone()
    };
    let now = clock::now();
    let mut tx = db.begin().await?;
    let (key_id, key) = keys::current(&mut tx, unit.id).await?;
    let row_id: i64 = crate::storage::query_scalar(
        "INSERT INTO licences (number, matter_code, matter_name, holder_name, holder_id, content, unit_id, unit_name, \
         issued_at, valid_from, valid_until, key_id, signature, instance_id, created_by, holder_tag) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '', $13, $14, $15) RETURNING id",
    )
    .bind(format!("new-{}", crate::auth::random_token()))
    .bind(i.matter_code.trim())
    .bind(&matter_name)
    .bind(holder)
    .bind(crate::vault::seal(&id))
    .bind(content.to_string())
    .bind(unit.id)
    .bind(&unit.name)
    .bind(&now)
    .bind(today.to_string())
    .bind(until.to_string())
    .bind(key_id)
    .bind(i.instance_id)
    .bind(&who.username)
    .bind(crate::vault::tag(&id))
    .fetch_one(&mut tx)
    .await
    .map_err(|e| Error::on_unique(e, "err.licence_issued"))?;
    let mut l = Licence {
        number: format!("{}-{}-{row_id:06}", unit.code, today.year()),
        matter_code: i.matter_code.trim().to_string(),
        matter_name,
        holder_name: holder.to_string(),
        holder_id_masked: crate::ids::mask_any(&id),
        holder_id_sha256: id_digest(&id),
        content,
        unit_name: unit.name.clone(),
        issued_at: now,
        valid_from: today.to_string(),
        valid_until: until.to_string(),
        key_id,
        signature: String::new(),
    };
    l.sign(&key);
    query("UPDATE licences SET number = $1, signature = $2 WHERE id = $3")
        .bind(&l.number)
        .bind(&l.signature)
        .bind(row_id)
        .execute(&mut tx)
        .await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "licence.issue",
            entity: "licence",
            entity_id: l.number.clone(),
            scope_path: &unit.path,
            summary: format!("{} {} {}", l.number, l.matter_name, l.holder_name),
            before: None,
            after: Some(json!({"holder": l.holder_name, "holder_id": l.holder_id_masked, "valid_until": l.valid_until})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(l)
}

/// What the public check answers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Status {
    /// `valid`, `expired`, `revoked` or `tampered`.
    pub state: String,
    pub licence: Licence,
    pub revoked_at: Option<String>,
    pub revoke_reason: Option<String>,
}

fn judge(r: &Row, l: Licence, public: Option<&str>) -> Status {
    let today = Utc::now().with_timezone(&clock::cst()).date_naive();
    let until = NaiveDate::parse_from_str(&l.valid_until, "%Y-%m-%d").unwrap_or(today);
    let state = if !public.is_some_and(|p| l.verifies(p)) {
        "tampered"
    } else if r.revoked_at.is_some() {
        "revoked"
    } else if until < today {
        "expired"
    } else {
        "valid"
    };
    Status {
        state: state.into(),
        licence: l,
        revoked_at: r.revoked_at.clone(),
        revoke_reason: r.revoke_reason.clone(),
    }
}

/// The public check by number (or the number in a licence's QR code): anyone may ask.
pub async fn status(db: &Db, number: &str) -> Result<Status> {
    let r = row(db, number).await?.ok_or(Error::NotFound)?;
    let key = keys::public(db, r.key_id).await?;
    Ok(judge(
        &r,
        r.licence(),
        key.as_ref().map(|k| k.public_key.as_str()),
    ))
}

/// Checks a licence document someone presents (as exported): its fields must match the
/// signature under the platform's own key for it, and the licence must exist. A changed byte
/// is refused with a clear message.
pub async fn verify_document(db: &Db, doc: &Licence) -> Result<Status> {
    let r = row(db, &doc.number).await?.ok_or(Error::NotFound)?;
    let key = keys::public(db, r.key_id).await?;
    let stored = r.licence();
    if doc.key_id != stored.key_id || !key.as_ref().is_some_and(|k| doc.verifies(&k.public_key)) {
        return Err(Error::field("signature", "field.licence_tampered"));
    }
    Ok(judge(
        &r,
        doc.clone(),
        key.as_ref().map(|k| k.public_key.as_str()),
    ))
}

/// Revokes a licence with a reason (the issuing department).
pub async fn revoke(db: &Db, who: &Principal, number: &str, reason: &str) -> Result<Status> {
    let r = row(db, number).await?.ok_or(Error::NotFound)?;
    if !who.can(Perm::IssueLicences, &r.unit_path) {
        return Err(Error::NotFound);
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::field("reason", "field.required"));
    }
    let now = clock::now();
    let mut tx = db.begin().await?;
    let n = query("UPDATE licences SET revoked_at = $1, revoke_reason = $2 WHERE number = $3 AND revoked_at IS NULL")
        .bind(&now)
        .bind(reason)
        .bind(&r.number)
        .execute(&mut tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(Error::Conflict("err.licence_revoked"));
    }
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "licence.revoke",
            entity: "licence",
            entity_id: r.number.clone(),
            scope_path: &r.unit_path,
            summary: format!("{} {reason}", r.number),
            before: None,
            after: Some(json!({"reason": reason})),
        },
    )
    .await?;
    tx.commit().await?;
    status(db, number).await
}

/// A holder's licences, by their ID number (for the holder's own page and the counter).
pub async fn of_holder(db: &Db, holder_id: &str) -> Result<Vec<Status>> {
    let rows = query_as::<Row>(format!(
        "SELECT {COLS} FROM licences l JOIN org_units o ON o.id = l.unit_id WHERE l.holder_tag = $1 ORDER BY l.id DESC"
    ))
    .bind(crate::vault::tag(holder_id))
    .fetch_all(db)
    .await?;
    let mut out = Vec::new();
    // A holder's licences share a few keys: each is read once.
    let mut keys_seen = std::collections::HashMap::new();
    for r in rows {
        if let std::collections::hash_map::Entry::Vacant(e) = keys_seen.entry(r.key_id) {
            e.insert(keys::public(db, r.key_id).await?.map(|k| k.public_key));
        }
        out.push(judge(&r, r.licence(), keys_seen[&r.key_id].as_deref()));
    }
    Ok(out)
}
