//! Account queries and changes, each authorised against the principal and audited in the same
//! transaction.

use crate::storage::FromRow;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{check_email, check_person_name, check_phone, check_username};
use crate::audit::{self, Actor, Change};
use crate::auth::{
    Grant, Perm, Principal, Role, check_password_policy, grants_of, hash_password, store_password,
};
use crate::error::{Error, FieldError, Result};
use crate::org;
use crate::storage::{Db, Sql, subtree_pattern};

#[derive(Debug, Clone, Serialize, FromRow, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub org_unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub locked_until: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserDetail {
    #[serde(flatten)]
    pub user: User,
    pub grants: Vec<Grant>,
}

const COLS: &str = "u.id, u.username, u.name, u.org_unit_id, o.name AS unit_name, \
    o.path AS unit_path, u.email, u.phone, u.active, u.locked_until, u.created_at, u.updated_at \
    FROM users u JOIN org_units o ON o.id = u.org_unit_id";

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Matches username, name, e-mail or phone.
    pub q: Option<String>,
    /// Only accounts at this unit or below.
    pub unit_id: Option<i64>,
    /// Only accounts holding this role.
    pub role: Option<String>,
    /// `username`, `name`, `unit`, `created_at`; prefix `-` for descending.
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

pub use crate::storage::Page;

fn push_filters(s: &mut Sql, q: &ListQuery, scopes: &[String], sub: Option<String>) {
    s.push(" WHERE ").any_subtree("o.path", scopes);
    if let Some(p) = sub {
        s.push(" AND o.path LIKE ").bind(subtree_pattern(&p));
    }
    if let Some(t) = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        s.push(" AND ")
            .contains_any(&["u.username", "u.name", "u.email", "u.phone"], t);
    }
    if let Some(r) = q.role.as_deref().and_then(Role::parse) {
        s.push(" AND EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = u.id AND g.role = ")
            .bind(r.as_str())
            .push(")");
    }
}

/// Accounts the principal may see, filtered, sorted and paged.
pub async fn list(db: &Db, who: &Principal, q: &ListQuery) -> Result<Page<User>> {
    let scopes = who.scopes(Perm::ViewAccounts);
    if scopes.is_empty() {
        return Err(Error::Forbidden);
    }
    let sub = match q.unit_id {
        Some(id) => Some(org::get(db, id).await?.path),
        None => None,
    };
    let mut s = Sql::new("SELECT COUNT(*) FROM users u JOIN org_units o ON o.id = u.org_unit_id");
    push_filters(&mut s, q, &scopes, sub.clone());
    let total: i64 = s.scalar().fetch_one(&db).await?;

    let mut s = Sql::new(format!("SELECT {COLS}"));
    push_filters(&mut s, q, &scopes, sub);
    let sort = q.sort.as_deref().unwrap_or("username");
    let (col, desc) = match sort.strip_prefix('-') {
        Some(s) => (s, true),
        None => (sort, false),
    };
    let col = match col {
        "name" => "u.name",
        "unit" => "o.name",
        "created_at" => "u.created_at",
        _ => "u.username",
    };
    s.push(&format!(
        " ORDER BY {col} {}, u.id",
        if desc { "DESC" } else { "ASC" }
    ));
    let (page, per_page) = s.paged(q.page, q.per_page);
    let items = s.query_as::<User>().fetch_all(&db).await?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

async fn load(db: &Db, id: i64) -> Result<User> {
    crate::storage::query_as(format!("SELECT {COLS} WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(&db)
        .await?
        .ok_or(Error::NotFound)
}

/// One account with its grants; 404 outside the principal's view.
pub async fn get(db: &Db, who: &Principal, id: i64) -> Result<UserDetail> {
    let user = load(db, id).await?;
    if !who.can(Perm::ViewAccounts, &user.unit_path) && who.user_id != Some(id) {
        return Err(Error::NotFound);
    }
    let grants = grants_of(db, id).await?;
    Ok(UserDetail { user, grants })
}

/// An account the principal may change: 404 if they cannot see it, 403 if they only see it — or
/// if it holds a grant the principal could not have given (a district-wide auditor homed in a
/// community is not the community admin's to reset or sign in as).
async fn managed(db: &Db, who: &Principal, id: i64) -> Result<User> {
    let user = load(db, id).await?;
    if !who.can(Perm::ViewAccounts, &user.unit_path) {
        return Err(Error::NotFound);
    }
    if !who.can(Perm::ManageAccounts, &user.unit_path) {
        return Err(Error::Forbidden);
    }
    let grants = grants_of(db, user.id).await?;
    if !grants.iter().all(|g| who.may_grant(g.role, &g.unit_path)) {
        return Err(Error::Forbidden);
    }
    Ok(user)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct GrantSpec {
    pub role: String,
    /// Unit id; the account's own unit when absent.
    pub org_unit_id: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    pub username: String,
    pub name: String,
    pub org_unit_id: i64,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub password: String,
    #[serde(default)]
    pub roles: Vec<GrantSpec>,
}

/// A new account already checked against the rules and the principal's scope.
pub struct CheckedUser {
    pub username: String,
    pub name: String,
    pub unit: org::Unit,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub grants: Vec<(Role, org::Unit)>,
}

fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Field checks shared by the form, the API and the import.
pub fn check_fields(
    username: &str,
    name: &str,
    email: Option<&str>,
    phone: Option<&str>,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    errs.extend(check_username(username).err());
    errs.extend(check_person_name(name).err());
    errs.extend(email.and_then(|e| check_email(e).err()));
    errs.extend(phone.and_then(|p| check_phone(p).err()));
    errs
}

/// Checks that the principal may place an account at `unit` and grant each role.
pub fn check_scope(
    who: &Principal,
    unit: &org::Unit,
    grants: &[(Role, org::Unit)],
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if !who.can(Perm::ManageAccounts, &unit.path) {
        errs.push(FieldError::with(
            "org_unit",
            "field.unit_out_of_scope",
            &unit.name,
        ));
    }
    if unit.is_retired() {
        errs.push(FieldError::with(
            "org_unit",
            "field.unit_unknown",
            &unit.name,
        ));
    }
    for (role, at) in grants {
        if !who.may_grant(*role, &at.path) {
            errs.push(FieldError::with(
                "roles",
                "field.role_not_grantable",
                role.as_str(),
            ));
        }
    }
    errs
}

/// Inserts a checked account with its grants and audit entry, inside the caller's transaction.
pub async fn insert(
    conn: &mut crate::storage::Tx,
    actor: &Actor,
    u: &CheckedUser,
    password_hash: &str,
    action: &str,
) -> Result<i64> {
    let now = conn.now();
    // `Admin` is not another account beside `admin`: usernames are unique whatever their case.
    let taken: Option<i64> =
        crate::storage::query_scalar("SELECT id FROM users WHERE LOWER(username) = LOWER($1)")
            .bind(&u.username)
            .fetch_optional(&mut *conn)
            .await?;
    if taken.is_some() {
        return Err(Error::Conflict("err.username_taken"));
    }
    let id: i64 = crate::storage::query_scalar(
        "INSERT INTO users (username, name, org_unit_id, email, phone, password_hash, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(&u.username)
    .bind(&u.name)
    .bind(u.unit.id)
    .bind(&u.email)
    .bind(&u.phone)
    .bind(password_hash)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| Error::on_unique(e, "err.username_taken"))?;
    for (role, at) in &u.grants {
        crate::storage::query(
            "INSERT INTO role_grants (user_id, role, org_unit_id, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(role.as_str())
        .bind(at.id)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
    }
    let roles: Vec<_> = u
        .grants
        .iter()
        .map(|(r, at)| json!({"role": r, "unit": at.code}))
        .collect();
    audit::record(
        conn,
        actor,
        Change {
            action,
            entity: "user",
            entity_id: id.to_string(),
            scope_path: &u.unit.path,
            summary: format!("{} {}", u.username, u.name),
            before: None,
            after: Some(json!({
                "username": u.username, "name": u.name, "unit": u.unit.code,
                "email": u.email, "phone": u.phone, "roles": roles,
            })),
        },
    )
    .await?;
    Ok(id)
}

pub async fn create(db: &Db, who: &Principal, new: NewUser) -> Result<UserDetail> {
    let (username, name) = (new.username.trim().to_string(), new.name.trim().to_string());
    let (email, phone) = (opt(&new.email), opt(&new.phone));
    let mut errs = check_fields(&username, &name, email.as_deref(), phone.as_deref());
    errs.extend(check_password_policy("password", &new.password).err());
    let units = org::list(db).await?;
    let Some(unit) = units.iter().find(|u| u.id == new.org_unit_id).cloned() else {
        return Err(Error::Validation(vec![FieldError::with(
            "org_unit_id",
            "field.unit_unknown",
            new.org_unit_id.to_string(),
        )]));
    };
    if !who.can(Perm::ViewAccounts, &unit.path) && !who.can(Perm::ManageAccounts, &unit.path) {
        return Err(Error::Forbidden);
    }
    let mut grants = Vec::new();
    for g in &new.roles {
        let role = Role::parse(&g.role);
        let at = units
            .iter()
            .find(|u| u.id == g.org_unit_id.unwrap_or(unit.id));
        match (role, at) {
            (Some(r), Some(at)) => grants.push((r, at.clone())),
            (None, _) => errs.push(FieldError::with("roles", "field.role_unknown", &g.role)),
            (_, None) => errs.push(FieldError::with(
                "roles",
                "field.unit_unknown",
                g.org_unit_id.unwrap_or_default().to_string(),
            )),
        }
    }
    let checked = CheckedUser {
        username,
        name,
        unit,
        email,
        phone,
        grants,
    };
    let scope_errs = check_scope(who, &checked.unit, &checked.grants);
    if !scope_errs.is_empty() && errs.is_empty() {
        return Err(Error::Forbidden);
    }
    errs.extend(scope_errs);
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let pw = new.password.clone();
    let hash = crate::blocking::run(move || hash_password(&pw)).await?;
    let mut tx = db.begin().await?;
    let id = insert(&mut tx, &who.actor(), &checked, &hash, "user.create").await?;
    tx.commit().await?;
    get(db, who, id).await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct UserPatch {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub org_unit_id: Option<i64>,
    pub active: Option<bool>,
}

/// Changes an account's fields, unit or active flag. Moving it needs management rights at both
/// the old and the new unit.
pub async fn update(db: &Db, who: &Principal, id: i64, patch: UserPatch) -> Result<UserDetail> {
    let before = managed(db, who, id).await?;
    let name = patch
        .name
        .as_deref()
        .map(str::trim)
        .unwrap_or(&before.name)
        .to_string();
    let email = match &patch.email {
        Some(e) => opt(&Some(e.clone())),
        None => before.email.clone(),
    };
    let phone = match &patch.phone {
        Some(p) => opt(&Some(p.clone())),
        None => before.phone.clone(),
    };
    let mut errs = check_fields(&before.username, &name, email.as_deref(), phone.as_deref());
    let unit = match patch.org_unit_id {
        Some(uid) if uid != before.org_unit_id => {
            let u = org::get(db, uid)
                .await
                .map_err(|_| Error::field("org_unit_id", "field.unit_unknown"))?;
            if !who.can(Perm::ManageAccounts, &u.path) {
                return Err(Error::Forbidden);
            }
            if u.is_retired() {
                errs.push(FieldError::with(
                    "org_unit_id",
                    "field.unit_unknown",
                    &u.name,
                ));
            }
            u
        }
        _ => org::get(db, before.org_unit_id).await?,
    };
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let active = patch.active.unwrap_or(before.active);
    let action = match (before.active, active) {
        (true, false) => "user.deactivate",
        (false, true) => "user.activate",
        _ => "user.update",
    };
    let mut tx = db.begin().await?;
    crate::storage::query(
        "UPDATE users SET name = $1, email = $2, phone = $3, org_unit_id = $4, active = $5, \
         updated_at = $6 WHERE id = $7",
    )
    .bind(&name)
    .bind(&email)
    .bind(&phone)
    .bind(unit.id)
    .bind(i64::from(active))
    .bind(db.now())
    .bind(id)
    .execute(&mut tx)
    .await?;
    if !active {
        crate::storage::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut tx)
            .await?;
    }
    let snap = |n: &str, e: &Option<String>, p: &Option<String>, unit: &str, a: bool| json!({"name": n, "email": e, "phone": p, "unit": unit, "active": a});
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action,
            entity: "user",
            entity_id: id.to_string(),
            scope_path: &unit.path,
            summary: format!("{} {}", before.username, name),
            before: Some(snap(
                &before.name,
                &before.email,
                &before.phone,
                &before.unit_name,
                before.active,
            )),
            after: Some(snap(&name, &email, &phone, &unit.name, active)),
        },
    )
    .await?;
    tx.commit().await?;
    get(db, who, id).await
}

/// Sets a new password for someone else's account (an admin's reset) and ends their sessions.
pub async fn reset_password(db: &Db, who: &Principal, id: i64, password: &str) -> Result<()> {
    let user = managed(db, who, id).await?;
    check_password_policy("password", password).map_err(|e| Error::Validation(vec![e]))?;
    let pw = password.to_string();
    let hash = crate::blocking::run(move || hash_password(&pw)).await?;
    store_password(
        db,
        &who.actor(),
        id,
        &hash,
        &user.unit_path,
        &user.username,
        "user.reset_password",
        None,
    )
    .await
}

/// Grants `role` at `unit_id` (the account's own unit when absent).
pub async fn add_grant(
    db: &Db,
    who: &Principal,
    user_id: i64,
    spec: &GrantSpec,
) -> Result<UserDetail> {
    let user = managed(db, who, user_id).await?;
    let role = Role::parse(&spec.role).ok_or_else(|| {
        Error::Validation(vec![FieldError::with(
            "role",
            "field.role_unknown",
            &spec.role,
        )])
    })?;
    let at = org::get(db, spec.org_unit_id.unwrap_or(user.org_unit_id)).await?;
    if !who.may_grant(role, &at.path) {
        return Err(Error::Forbidden);
    }
    let mut tx = db.begin().await?;
    crate::storage::query(
        "INSERT INTO role_grants (user_id, role, org_unit_id, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(role.as_str())
    .bind(at.id)
    .bind(db.now())
    .execute(&mut tx)
    .await
    .map_err(|e| Error::on_unique(e, "err.grant_exists"))?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "grant.add",
            entity: "grant",
            entity_id: user_id.to_string(),
            scope_path: &user.unit_path,
            summary: format!("{} {} @ {}", user.username, role.as_str(), at.name),
            before: None,
            after: Some(json!({"role": role, "unit": at.code})),
        },
    )
    .await?;
    tx.commit().await?;
    get(db, who, user_id).await
}

pub async fn remove_grant(
    db: &Db,
    who: &Principal,
    user_id: i64,
    grant_id: i64,
) -> Result<UserDetail> {
    let user = managed(db, who, user_id).await?;
    let grants = grants_of(db, user_id).await?;
    let g = grants
        .iter()
        .find(|g| g.id == grant_id)
        .ok_or(Error::NotFound)?;
    if !who.may_grant(g.role, &g.unit_path) {
        return Err(Error::Forbidden);
    }
    // An admin does not take away the grant their own administration rests on: the last
    // account-managing grant they hold is removed by someone else.
    let manages = |r: Role| r.perms().contains(&Perm::ManageAccounts);
    if who.user_id == Some(user_id)
        && manages(g.role)
        && grants.iter().filter(|x| manages(x.role)).count() == 1
    {
        return Err(Error::Conflict("err.own_last_admin_grant"));
    }
    let mut tx = db.begin().await?;
    crate::storage::query("DELETE FROM role_grants WHERE id = $1")
        .bind(grant_id)
        .execute(&mut tx)
        .await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "grant.remove",
            entity: "grant",
            entity_id: user_id.to_string(),
            scope_path: &user.unit_path,
            summary: format!("{} {} @ {}", user.username, g.role.as_str(), g.unit_name),
            before: Some(json!({"role": g.role, "unit_id": g.unit_id})),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    get(db, who, user_id).await
}

/// Creates a bureau admin at the root unit (the first account on an empty store). CLI only.
pub async fn add_admin(db: &Db, username: &str, name: &str, password: &str) -> Result<i64> {
    let mut errs = check_fields(username, name, None, None);
    errs.extend(check_password_policy("password", password).err());
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let root = org::root(db).await?;
    let checked = CheckedUser {
        username: username.into(),
        name: name.into(),
        unit: root.clone(),
        email: None,
        phone: None,
        grants: vec![(Role::BureauAdmin, root)],
    };
    let hash = hash_password(password)?;
    let mut tx = db.begin().await?;
    let id = insert(&mut tx, &Actor::cli(), &checked, &hash, "user.create").await?;
    tx.commit().await?;
    Ok(id)
}
