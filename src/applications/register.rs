//! Registering an applicant account: a person with a resident ID number, or a company with its
//! unified social credit code, reached by phone or e-mail. Applicants hold the citizen role at
//! the district, which grants no staff permission.

use serde::Deserialize;

use crate::accounts::{CheckedUser, check_fields, insert};
use crate::auth::{Role, check_password_policy, hash_password};
use crate::error::{Error, FieldError, Result};
use crate::ids::{CreditCode, ResidentId};
use crate::org;
use crate::storage::{Db, query, query_scalar};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Registration {
    pub username: String,
    /// A person's name, or a company's.
    pub name: String,
    /// Resident ID number (18 characters with its check digit) or unified social credit code.
    pub id_number: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    pub password: String,
    /// The applicant has read the privacy notice and agrees to it (required).
    #[serde(default)]
    pub consent: bool,
}

/// Creates an applicant account; answers its username. The applicant is the actor of the
/// audit record (from `ip`), and their consent to the privacy notice is kept with its time.
pub async fn register(db: &Db, r: &Registration, ip: Option<String>) -> Result<String> {
    let some = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    let (username, name) = (r.username.trim().to_string(), r.name.trim().to_string());
    let (email, phone) = (some(&r.email), some(&r.phone));
    let mut errs = check_fields(&username, &name, email.as_deref(), phone.as_deref());
    if email.is_none() && phone.is_none() {
        errs.push(FieldError::new("phone", "field.phone_or_email"));
    }
    let id = r.id_number.trim().to_ascii_uppercase();
    if ResidentId::parse(&id).is_err() && CreditCode::parse(&id).is_err() {
        errs.push(FieldError::new("id_number", "field.holder_id"));
    }
    errs.extend(check_password_policy("password", &r.password).err());
    if !r.consent {
        errs.push(FieldError::new("consent", "field.consent_required"));
    }
    // One person (or company), one applicant: a number a window has already bound to an account
    // is not registered again (its owner signs in, or resets the password, or asks at a
    // window). A number only claimed stays open to claims: the window binds whoever shows the
    // document, so nobody can block a number by claiming it first.
    if errs.iter().all(|e| e.field != "id_number") {
        let bound: Option<i64> = query_scalar(
            "SELECT id FROM users WHERE id_tag = $1 AND id_verified_at IS NOT NULL AND active = 1",
        )
        .bind(crate::vault::tag(&id))
        .fetch_optional(db)
        .await?;
        if bound.is_some() {
            errs.push(FieldError::new("id_number", "field.id_registered"));
        }
    }
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let root = org::root(db).await?;
    // Argon2 is deliberately slow: off the async workers.
    let pw = r.password.clone();
    let hash = crate::blocking::run(move || hash_password(&pw)).await?;
    let user = CheckedUser {
        username: username.clone(),
        name,
        unit: root.clone(),
        email,
        phone,
        grants: vec![(Role::Citizen, root)],
    };
    let mut tx = db.begin().await?;
    let actor = crate::audit::Actor {
        user_id: None,
        name: username.clone(),
        ip,
    };
    let uid = insert(&mut tx, &actor, &user, &hash, "user.register").await?;
    let now = tx.now();
    query("UPDATE users SET id_number = $1, id_tag = $2, consented_at = $3 WHERE id = $4")
        .bind(crate::vault::seal(&id))
        .bind(crate::vault::tag(&id))
        .bind(&now)
        .bind(uid)
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(username)
}
