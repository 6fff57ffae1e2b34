//! Licences in the store: issuing one (signed in the issuing transaction), its status for the
//! public check (number and verification code; the minimum a verifier needs), the holder's or
//! issuer's full document, checking a licence document someone presents (and, if they are shown
//! the holder's ID, whether it is the holder's), revoking with a reason, re-issuing licences of
//! the first format under the content rules.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Licence, keys, mask_name, new_verify_code};
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

#[derive(crate::storage::FromRow)]
struct Row {
    number: String,
    verify_code: String,
    holder_binding: String,
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

const COLS: &str = "l.number, l.verify_code, l.holder_binding, l.matter_code, l.matter_name, l.holder_name, l.holder_id, l.content, l.unit_name, \
    l.issued_at, l.valid_from, l.valid_until, l.key_id, l.signature, l.revoked_at, l.revoke_reason, o.path AS unit_path";

impl Row {
    fn licence(&self) -> Licence {
        Licence {
            number: self.number.clone(),
            verify_code: self.verify_code.clone(),
            matter_code: self.matter_code.clone(),
            matter_name: self.matter_name.clone(),
            holder_name: self.holder_name.clone(),
            holder_id_masked: crate::ids::mask_any(&crate::vault::open(&self.holder_id)),
            holder_binding: self.holder_binding.clone(),
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
    errs.extend(personal_in_content(&i.content));
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
    let today = db
        .clock()
        .now_utc()
        .with_timezone(&clock::cst())
        .date_naive();
    let until = today
        .checked_add_months(Months::new(12 * years))
        .and_then(|d| d.pred_opt())
        .unwrap_or(today);
    let content = if i.content.is_null() {
        json!({})
    } else {
        i.content.clone()
    };
    let now = db.now();
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
    let number = format!("{}-{}-{row_id:06}", unit.code, today.year());
    let mut l = Licence {
        holder_binding: crate::vault::holder_binding(&number, &id),
        number,
        verify_code: new_verify_code(),
        matter_code: i.matter_code.trim().to_string(),
        matter_name,
        holder_name: holder.to_string(),
        holder_id_masked: crate::ids::mask_any(&id),
        content,
        unit_name: unit.name.clone(),
        issued_at: now,
        valid_from: today.to_string(),
        valid_until: until.to_string(),
        key_id,
        signature: String::new(),
    };
    l.sign(&key);
    query(
        "UPDATE licences SET number = $1, signature = $2, verify_code = $3, holder_binding = $4, \
         format = 2 WHERE id = $5",
    )
    .bind(&l.number)
    .bind(&l.signature)
    .bind(&l.verify_code)
    .bind(&l.holder_binding)
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

/// A licence with its state, as its holder and its issuer see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LicenceStatus)]
pub struct Status {
    /// `valid`, `expired`, `revoked` or `tampered`.
    pub state: String,
    pub licence: Licence,
    pub revoked_at: Option<String>,
    pub revoke_reason: Option<String>,
}

/// What the public check answers: the minimum a verifier needs, nothing personal.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicStatus {
    /// `valid`, `expired`, `revoked` or `tampered`.
    pub state: String,
    pub number: String,
    /// The licence's kind: the matter it results from.
    pub matter_name: String,
    /// A person's name masked (张*明); a company's in full.
    pub holder_name: String,
    pub unit_name: String,
    pub valid_from: String,
    pub valid_until: String,
    pub revoked_at: Option<String>,
    pub revoke_reason: Option<String>,
    /// Whether the ID number the verifier was shown is the holder's (only when they gave one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder_matches: Option<bool>,
}

impl Status {
    fn public(&self, holder_is_person: bool) -> PublicStatus {
        let l = &self.licence;
        PublicStatus {
            state: self.state.clone(),
            number: l.number.clone(),
            matter_name: l.matter_name.clone(),
            holder_name: mask_name(&l.holder_name, holder_is_person),
            unit_name: l.unit_name.clone(),
            valid_from: l.valid_from.clone(),
            valid_until: l.valid_until.clone(),
            revoked_at: self.revoked_at.clone(),
            revoke_reason: self.revoke_reason.clone(),
            holder_matches: None,
        }
    }
}

impl Row {
    fn holder_is_person(&self) -> bool {
        CreditCode::parse(&crate::vault::open(&self.holder_id)).is_err()
    }
}

/// Content values a licence may not carry: ID numbers, credit codes, phone numbers.
fn personal_in_content(content: &serde_json::Value) -> Vec<FieldError> {
    let Some(o) = content.as_object() else {
        return vec![];
    };
    o.iter()
        .filter(|(_, v)| {
            let scalar = v.is_string() || v.is_number() || v.is_boolean() || v.is_null();
            let text = v.as_str().map_or_else(|| v.to_string(), String::from);
            !scalar || holds_personal_number(&text)
        })
        .map(|(k, _)| FieldError::with("content", "field.licence_personal", k))
        .collect()
}

/// Whether a text holds, anywhere in it, a resident ID number, a credit code or a mobile number
/// — also written with spaces, dashes or full-width digits between its characters.
fn holds_personal_number(text: &str) -> bool {
    // Full-width forms to ASCII, separators dropped, upper case.
    let plain: String = text
        .chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            c => c,
        })
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.' | '\u{3000}' | '\t'))
        .collect::<String>()
        .to_ascii_uppercase();
    let chars: Vec<char> = plain.chars().collect();
    chars.windows(18).any(|w| {
        let s: String = w.iter().collect();
        ResidentId::parse(&s).is_ok() || CreditCode::parse(&s).is_ok()
    }) || chars
        .windows(11)
        .any(|w| w[0] == '1' && ('3'..='9').contains(&w[1]) && w.iter().all(char::is_ascii_digit))
}

fn judge(today: NaiveDate, r: &Row, l: Licence, public: Option<&str>) -> Status {
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

/// The stored licence `number` if `code` is its verification code (compared in constant time);
/// a wrong code is as a missing licence.
async fn row_with_code(db: &Db, number: &str, code: &str) -> Result<Row> {
    use subtle::ConstantTimeEq;
    let r = row(db, number).await?.ok_or(Error::NotFound)?;
    let given = code.trim().to_ascii_uppercase();
    let ok: bool = r.verify_code.as_bytes().ct_eq(given.as_bytes()).into();
    if r.verify_code.is_empty() || !ok {
        return Err(Error::NotFound);
    }
    Ok(r)
}

async fn with_state(db: &Db, r: &Row) -> Result<Status> {
    let key = keys::public(db, r.key_id).await?;
    Ok(judge(
        db.clock().today(),
        r,
        r.licence(),
        key.as_ref().map(|k| k.public_key.as_str()),
    ))
}

/// The public check by number and verification code (from a licence's QR code): anyone may ask,
/// and learns the minimum.
pub async fn status(db: &Db, number: &str, code: &str) -> Result<PublicStatus> {
    let r = row_with_code(db, number, code).await?;
    Ok(with_state(db, &r).await?.public(r.holder_is_person()))
}

/// The whole licence, for printing it: to whoever holds its number and verification code (its
/// holder, or someone the holder gave it to) — what a paper licence shows.
pub async fn document(db: &Db, number: &str, code: &str) -> Result<Status> {
    let r = row_with_code(db, number, code).await?;
    with_state(db, &r).await
}

/// Checks a licence document someone presents (as exported): its fields must match the
/// signature under the platform's own key for it, and the licence must exist. A changed byte
/// is refused with a clear message. Given the ID number the verifier was shown, also answers
/// whether it is the holder's. The answer reveals nothing the document does not already say.
pub async fn verify_document(
    db: &Db,
    doc: &Licence,
    holder_id: Option<&str>,
) -> Result<PublicStatus> {
    // A number that is no licence answers as a forged one: the check does not tell which
    // numbers exist.
    let r = row(db, &doc.number)
        .await?
        .ok_or_else(|| Error::field("signature", "field.licence_tampered"))?;
    let key = keys::public(db, r.key_id).await?;
    if doc.key_id != r.key_id || !key.as_ref().is_some_and(|k| doc.verifies(&k.public_key)) {
        return Err(Error::field("signature", "field.licence_tampered"));
    }
    // Signed, but not what was issued (made with a leaked key, or an older issue of a licence
    // re-issued since): the register decides, not the document.
    let stored = r.licence();
    if doc.payload() != stored.payload() {
        return Err(Error::field("signature", "field.licence_mismatch"));
    }
    let st = judge(
        db.clock().today(),
        &r,
        stored,
        key.as_ref().map(|k| k.public_key.as_str()),
    );
    let mut out = st.public(r.holder_is_person());
    out.holder_matches = holder_id
        .filter(|h| !h.trim().is_empty())
        .map(|h| crate::vault::holder_binding(&doc.number, h) == r.holder_binding);
    Ok(out)
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
    let now = db.now();
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
    // The holder who applied for it online is told why (a licence issued without an
    // application, or to a walk-in, is served on paper by the department).
    let applied: Option<(String, String, i64)> = query_as(
        "SELECT a.applicant, a.number, a.id FROM applications a JOIN licences l \
         ON l.instance_id = a.instance_id WHERE l.number = $1",
    )
    .bind(&r.number)
    .fetch_optional(&mut tx)
    .await?;
    if let Some((applicant, app_number, app_id)) = applied {
        let note = format!("证照 {} 已被撤销，原因：{reason}", r.number);
        crate::applications::accept::tell(
            &mut tx,
            &applicant,
            &app_number,
            app_id,
            "证照已撤销",
            Some(&note),
        )
        .await?;
    }
    tx.commit().await?;
    let r = row(db, number).await?.ok_or(Error::NotFound)?;
    with_state(db, &r).await
}

/// The licences issued on an account's own applications (an account whose ID number no window
/// has verified yet sees these, not every licence under the number it claims).
pub async fn of_applicant(db: &Db, username: &str) -> Result<Vec<Status>> {
    let rows = query_as::<Row>(format!(
        "SELECT {COLS} FROM licences l JOIN org_units o ON o.id = l.unit_id \
         JOIN applications a ON a.instance_id = l.instance_id WHERE a.applicant = $1 ORDER BY l.id DESC"
    ))
    .bind(username)
    .fetch_all(db)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        out.push(with_state(db, r).await?);
    }
    Ok(out)
}

/// A holder's licences, by their ID number (for the holder's own page and the counter); with
/// `issuer`, only those of units where that principal issues licences.
pub async fn of_holder(
    db: &Db,
    holder_id: &str,
    issuer: Option<&Principal>,
) -> Result<Vec<Status>> {
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
        if issuer.is_some_and(|p| !p.can(Perm::IssueLicences, &r.unit_path)) {
            continue;
        }
        if let std::collections::hash_map::Entry::Vacant(e) = keys_seen.entry(r.key_id) {
            e.insert(keys::public(db, r.key_id).await?.map(|k| k.public_key));
        }
        out.push(judge(
            db.clock().today(),
            &r,
            r.licence(),
            keys_seen[&r.key_id].as_deref(),
        ));
    }
    Ok(out)
}

/// The number and verification code of the licence issued on an approval instance, if any.
/// The licence an approval issued: its number, verification code, and the reason it was
/// revoked (if it was).
pub async fn number_of_instance(
    db: &Db,
    instance_id: i64,
) -> Result<Option<(String, String, Option<String>)>> {
    Ok(query_as(
        "SELECT number, verify_code, CASE WHEN revoked_at IS NULL THEN NULL \
             ELSE COALESCE(revoke_reason, '') END FROM licences WHERE instance_id = $1",
    )
    .bind(instance_id)
    .fetch_optional(db)
    .await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn personal_numbers_are_found_however_written() {
        for t in [
            "联系 13912345678",
            "证件 110105 19491231002X",
            "１１０１０５１９４９１２３１００２Ｘ",
            "139-1234-5678",
            "91350100M000100Y43",
        ] {
            assert!(super::holds_personal_number(t), "{t}");
        }
        for t in [
            "集中式供水",
            "2026-11-30",
            "深圳市龙华区民治街道 18 号",
            "0755-12345",
        ] {
            assert!(!super::holds_personal_number(t), "{t}");
        }
    }
}

#[derive(crate::storage::FromRow)]
struct OldRow {
    id: i64,
    number: String,
    matter_code: String,
    holder_id: String,
    content: String,
    unit_id: i64,
    unit_path: String,
    form_json: Option<String>,
    matter_version: Option<i64>,
}

/// Re-issues every licence of the first format under the content rules: the content becomes the
/// licence fields of the matter (from the application's form when the licence came from one;
/// else what it said, less anything personal), the holder is bound by the keyed digest, a
/// verification code is made, and it is signed again with the department's current key —
/// number, holder, validity and issue date kept; each re-issue audited. Run at start-up; answers
/// how many it re-issued.
pub async fn reissue_old(db: &Db) -> Result<usize> {
    let old: Vec<OldRow> = query_as(
        "SELECT l.id, l.number, l.matter_code, l.holder_id, l.content, l.unit_id, o.path AS unit_path, \
         a.form_json, a.matter_version FROM licences l JOIN org_units o ON o.id = l.unit_id \
         LEFT JOIN applications a ON a.instance_id = l.instance_id AND l.instance_id IS NOT NULL \
         WHERE l.format = 1 ORDER BY l.id",
    )
    .fetch_all(db)
    .await?;
    for o in &old {
        let matter = match o.matter_version {
            Some(v) => crate::catalog::repo::version(db, &o.matter_code, v)
                .await
                .ok(),
            None => crate::catalog::repo::public(db, &o.matter_code)
                .await
                .ok()
                .map(|x| x.1),
        };
        let content = match (&o.form_json, &matter) {
            (Some(form), Some(m)) => m.licence_content(&crate::vault::open_form(form)),
            _ => {
                let mut c: serde_json::Value =
                    serde_json::from_str(&o.content).unwrap_or_else(|_| json!({}));
                let bad: Vec<String> = personal_in_content(&c)
                    .into_iter()
                    .filter_map(|e| e.arg)
                    .collect();
                if let Some(map) = c.as_object_mut() {
                    map.retain(|k, _| {
                        let kind = matter
                            .as_ref()
                            .and_then(|m| {
                                m.form.fields.iter().find(|f| &f.key == k || &f.label == k)
                            })
                            .map(|f| f.kind);
                        !bad.contains(k)
                            && !kind.is_some_and(|k| {
                                crate::catalog::matter::NOT_ON_LICENCES.contains(&k)
                            })
                    });
                }
                c
            }
        };
        let id = crate::vault::open(&o.holder_id);
        let mut tx = db.begin().await?;
        let (key_id, key) = keys::current(&mut tx, o.unit_id).await?;
        let r = query_as::<Row>(format!(
            "SELECT {COLS} FROM licences l JOIN org_units o ON o.id = l.unit_id WHERE l.id = $1"
        ))
        .bind(o.id)
        .fetch_one(&mut tx)
        .await?;
        let mut l = r.licence();
        let before = json!({"key_id": l.key_id, "content_fields": l.content.as_object().map_or(0, |m| m.len())});
        l.content = content;
        l.key_id = key_id;
        l.holder_binding = crate::vault::holder_binding(&l.number, &id);
        l.verify_code = new_verify_code();
        l.sign(&key);
        query(
            "UPDATE licences SET content = $1, key_id = $2, holder_binding = $3, verify_code = $4, \
             signature = $5, format = 2 WHERE id = $6 AND format = 1",
        )
        .bind(l.content.to_string())
        .bind(key_id)
        .bind(&l.holder_binding)
        .bind(&l.verify_code)
        .bind(&l.signature)
        .bind(o.id)
        .execute(&mut tx)
        .await?;
        audit::record(
            &mut tx,
            &crate::audit::Actor::cli(),
            Change {
                action: "licence.reissue",
                entity: "licence",
                entity_id: o.number.clone(),
                scope_path: &o.unit_path,
                summary: format!("{} 按证照内容规则重新签发（编号、有效期不变）", o.number),
                before: Some(before),
                after: Some(json!({"key_id": key_id, "content_fields": l.content.as_object().map_or(0, |m| m.len())})),
            },
        )
        .await?;
        tx.commit().await?;
    }
    if !old.is_empty() {
        tracing::info!(
            reissued = old.len(),
            "licences re-issued under the content rules"
        );
    }
    Ok(old.len())
}
