//! Registering an applicant account: a person with a resident ID number, or a company with its
//! unified social credit code, reached by phone or e-mail. Applicants hold the citizen role at
//! the district, which grants no staff permission.

use serde::Deserialize;

use crate::accounts::{CheckedUser, check_fields, insert};
use crate::auth::{Principal, Role, check_password_policy, hash_password};
use crate::error::{Error, FieldError, Result};
use crate::ids::{CreditCode, ResidentId};
use crate::org;
use crate::storage::{Db, query};

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
}

/// Creates an applicant account; answers its username.
pub async fn register(db: &Db, r: &Registration) -> Result<String> {
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
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let root = org::list(db)
        .await?
        .iter()
        .find(|u| u.parent_id.is_none())
        .cloned()
        .ok_or(Error::NotFound)?;
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
    let uid = insert(
        &mut tx,
        &Principal::system().actor(),
        &user,
        &hash,
        "user.register",
    )
    .await?;
    query("UPDATE users SET id_number = $1, id_tag = $2 WHERE id = $3")
        .bind(crate::vault::seal(&id))
        .bind(crate::vault::tag(&id))
        .bind(uid)
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(username)
}
