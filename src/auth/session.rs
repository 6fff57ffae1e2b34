//! Sign-in, sessions and API tokens. A session token is 32 random bytes shown to the client once
//! (as the HTTP-only cookie, or as the bearer token from the API log-in); the store keeps only its
//! SHA-256, so a leaked database does not leak live sessions. Each session carries its own CSRF
//! token for browser forms.
//!
//! Guessing is throttled per account *and* client address: failures are counted per (account,
//! address) pair, atomically and before the password is checked, and the pair is locked with
//! exponential back-off (30 s, doubling, at most an hour) — so a flood of guesses from one place
//! locks that place out, not the account's owner signing in from another; and an address that
//! fails too often over any accounts is turned away for a while. Failures are also counted on the
//! account (shown to admins) and each is audited.

use std::sync::LazyLock;

use crate::storage::FromRow;
use chrono::{Duration, Utc};
use rand::RngCore;
use serde_json::json;

use super::{Grant, Principal, Role, check_password_policy, hash_password, verify_password};
use crate::audit::{self, Actor, Change};
use crate::clock;
use crate::error::{Error, FieldError, Result};
use crate::storage::Db;

/// Failures allowed before the first lock of an account from one client address.
pub const FREE_ATTEMPTS: i64 = 5;
/// Failures one client address may make, over all accounts, in [`ADDRESS_WINDOW_MINUTES`].
pub const ADDRESS_FAILURES: i64 = 30;
const ADDRESS_WINDOW_MINUTES: i64 = 15;
/// A pair's failures older than this are forgotten at its next attempt.
const FAILURES_FORGOTTEN_HOURS: i64 = 24;
const FIRST_LOCK_SECS: i64 = 30;
const MAX_LOCK_SECS: i64 = 3600;
pub const SESSION_HOURS: i64 = 12;

/// Seconds an account is locked after its `failed`-th consecutive failure (0: not locked).
pub fn lock_seconds(failed: i64) -> i64 {
    if failed < FREE_ATTEMPTS {
        0
    } else {
        let exp = (failed - FREE_ATTEMPTS).min(12) as u32;
        (FIRST_LOCK_SECS << exp).min(MAX_LOCK_SECS)
    }
}

/// What the store keeps of a session token: its digest (SHA-256, or SM3 when configured; a
/// change of algorithm signs everyone out).
fn token_hash(token: &str) -> String {
    crate::crypto::hash().hex(token.as_bytes())
}

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

enum Attempt {
    /// The attempt may go on; it is the pair's `failed`-th unanswered one.
    Counted {
        failed: i64,
    },
    Locked {
        seconds: i64,
    },
}

/// Counts an attempt for (`user_id`, `ip`) unless the pair is locked, and locks the pair now if
/// this attempt would be one too many should it fail; a right password clears the pair. One
/// transaction: on SQLite the single writer orders attempts, on PostgreSQL the upsert's row lock.
async fn claim_attempt(
    db: &Db,
    user_id: i64,
    ip: &str,
    now: chrono::DateTime<Utc>,
) -> Result<Attempt> {
    let mut tx = db.begin().await?;
    let at = clock::to_db(now);
    let forgotten = clock::to_db(now - Duration::hours(FAILURES_FORGOTTEN_HOURS));
    let row: Option<i64> = crate::storage::query_scalar(
        "INSERT INTO login_failures (user_id, ip, failed, locked_until, updated_at) \
         VALUES ($1, $2, 1, NULL, $3) \
         ON CONFLICT (user_id, ip) DO UPDATE SET \
           failed = CASE WHEN login_failures.updated_at < $4 THEN 1 \
                    ELSE login_failures.failed + 1 END, \
           updated_at = $3 \
         WHERE login_failures.locked_until IS NULL OR login_failures.locked_until <= $3 \
         RETURNING failed",
    )
    .bind(user_id)
    .bind(ip)
    .bind(&at)
    .bind(&forgotten)
    .fetch_optional(&mut tx)
    .await?;
    let Some(failed) = row else {
        let until: Option<String> = crate::storage::query_scalar(
            "SELECT locked_until FROM login_failures WHERE user_id = $1 AND ip = $2",
        )
        .bind(user_id)
        .bind(ip)
        .fetch_optional(&mut tx)
        .await?
        .flatten();
        tx.commit().await?;
        let seconds = until
            .as_deref()
            .and_then(clock::from_db)
            .map_or(1, |u| (u - now).num_seconds() + 1);
        return Ok(Attempt::Locked { seconds });
    };
    let lock = lock_seconds(failed);
    if lock > 0 {
        crate::storage::query(
            "UPDATE login_failures SET locked_until = $1 WHERE user_id = $2 AND ip = $3",
        )
        .bind(clock::to_db(now + Duration::seconds(lock)))
        .bind(user_id)
        .bind(ip)
        .execute(&mut tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Attempt::Counted { failed })
}

/// Seconds to wait when `ip` has failed too often over all accounts lately, else `None`.
async fn address_throttled(db: &Db, ip: &str, now: chrono::DateTime<Utc>) -> Result<Option<i64>> {
    let since = clock::to_db(now - Duration::minutes(ADDRESS_WINDOW_MINUTES));
    let failed: i64 = crate::storage::query_scalar(
        "SELECT CAST(COALESCE(SUM(failed), 0) AS BIGINT) FROM login_failures \
         WHERE ip = $1 AND updated_at > $2",
    )
    .bind(ip)
    .bind(&since)
    .fetch_one(&db)
    .await?;
    Ok((failed >= ADDRESS_FAILURES).then_some(ADDRESS_WINDOW_MINUTES * 60))
}

/// Removes sessions past their expiry and sign-in failures no longer counted; answers how many
/// rows went. Run by the minute job (idempotent on any number of nodes).
pub async fn purge_expired(db: &Db) -> Result<u64> {
    let now = db.clock().now_utc();
    let mut n = crate::storage::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(clock::to_db(now))
        .execute(&db)
        .await?
        .rows_affected();
    n += crate::storage::query(
        "DELETE FROM login_failures WHERE updated_at < $1 \
         AND (locked_until IS NULL OR locked_until < $2)",
    )
    .bind(clock::to_db(
        now - Duration::hours(FAILURES_FORGOTTEN_HOURS),
    ))
    .bind(clock::to_db(now))
    .execute(&db)
    .await?
    .rows_affected();
    Ok(n)
}

/// A hash to verify against when the username does not exist, so timing does not reveal it.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("dummy-password-1").unwrap_or_default());

#[derive(FromRow)]
struct LoginRow {
    id: i64,
    username: String,
    password_hash: String,
    active: i64,
    path: String,
}

/// Checks the password and opens a session. Answers the session token and the principal.
pub async fn login(
    db: &Db,
    username: &str,
    password: &str,
    ip: Option<String>,
) -> Result<(String, Principal)> {
    let row: Option<LoginRow> = crate::storage::query_as(
        "SELECT u.id, u.username, u.password_hash, u.active, o.path FROM users u JOIN org_units o ON o.id = u.org_unit_id WHERE u.username = $1",
    )
    .bind(username.trim())
    .fetch_optional(&db)
    .await?;
    let ip_key = ip.clone().unwrap_or_default();
    let now = db.clock().now_utc();
    if let Some(seconds) = address_throttled(db, &ip_key, now).await? {
        return Err(Error::RateLimited { seconds });
    }
    let Some(row) = row else {
        let dummy = DUMMY_HASH.clone();
        let pw = password.to_string();
        let _ = crate::blocking::run(move || Ok::<_, Error>(verify_password(&pw, &dummy))).await;
        // Guesses at unknown names count against the address too.
        let _ = claim_attempt(db, 0, &ip_key, now).await?;
        return Err(Error::InvalidCredentials);
    };
    // The attempt is counted (and the pair locked if this is one too many) before the password
    // is checked, atomically: parallel guesses cannot all slip in before the count rises.
    let failed = match claim_attempt(db, row.id, &ip_key, now).await? {
        Attempt::Locked { seconds } => return Err(Error::Locked { seconds }),
        Attempt::Counted { failed } => failed,
    };
    let (pw, phc) = (password.to_string(), row.password_hash.clone());
    let ok = crate::blocking::run(move || Ok::<_, Error>(verify_password(&pw, &phc))).await?;
    let actor = Actor {
        user_id: Some(row.id),
        name: row.username.clone(),
        ip: ip.clone(),
    };
    if !ok || row.active == 0 {
        let lock = lock_seconds(failed);
        let until = (lock > 0).then(|| clock::to_db(now + Duration::seconds(lock)));
        let mut tx = db.begin().await?;
        crate::storage::query(
            "UPDATE users SET failed_logins = failed_logins + 1, locked_until = $1 WHERE id = $2",
        )
        .bind(&until)
        .bind(row.id)
        .execute(&mut tx)
        .await?;
        audit::record(
            &mut tx,
            &actor,
            Change {
                action: "auth.login_failed",
                entity: "session",
                entity_id: row.id.to_string(),
                scope_path: &row.path,
                summary: format!("{} ({failed})", row.username),
                before: None,
                after: until.as_ref().map(|u| json!({ "locked_until": u })),
            },
        )
        .await?;
        tx.commit().await?;
        return Err(if lock > 0 {
            Error::Locked { seconds: lock }
        } else {
            Error::InvalidCredentials
        });
    }
    let token = random_token();
    let csrf = random_token();
    let mut tx = db.begin().await?;
    crate::storage::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(row.id)
        .execute(&mut tx)
        .await?;
    crate::storage::query("DELETE FROM login_failures WHERE user_id = $1 AND ip = $2")
        .bind(row.id)
        .bind(&ip_key)
        .execute(&mut tx)
        .await?;
    crate::storage::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, ip, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash(&token))
    .bind(row.id)
    .bind(&csrf)
    .bind(&ip)
    .bind(clock::to_db(now))
    .bind(clock::to_db(now + Duration::hours(SESSION_HOURS)))
    .execute(&mut tx)
    .await?;
    audit::record(
        &mut tx,
        &actor,
        Change {
            action: "auth.login",
            entity: "session",
            entity_id: row.id.to_string(),
            scope_path: &row.path,
            summary: row.username.clone(),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    let p = principal_for_token(db, &token, ip)
        .await?
        .ok_or(Error::Unauthenticated)?;
    Ok((token, p))
}

/// A live session with one of its account's grants (none: a row of NULLs from the outer join).
#[derive(FromRow)]
struct SessionRow {
    user_id: i64,
    username: String,
    name: String,
    org_unit_id: i64,
    csrf_token: String,
    grant_id: Option<i64>,
    role: Option<String>,
    grant_unit: Option<i64>,
    grant_path: Option<String>,
    grant_unit_name: Option<String>,
}

/// The principal behind a live session token, if any.
pub async fn principal_for_token(
    db: &Db,
    token: &str,
    ip: Option<String>,
) -> Result<Option<Principal>> {
    // One query for the session, its account and the account's grants: it runs on every request.
    let rows: Vec<SessionRow> = crate::storage::query_as(
        "SELECT s.user_id, u.username, u.name, u.org_unit_id, s.csrf_token, g.id AS grant_id, g.role, \
         g.org_unit_id AS grant_unit, o.path AS grant_path, o.name AS grant_unit_name FROM sessions s \
         JOIN users u ON u.id = s.user_id LEFT JOIN role_grants g ON g.user_id = u.id \
         LEFT JOIN org_units o ON o.id = g.org_unit_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1 ORDER BY g.id",
    )
    .bind(token_hash(token))
    .bind(db.now())
    .fetch_all(&db)
    .await?;
    let grants = rows
        .iter()
        .filter_map(|r| {
            Some(Grant {
                id: r.grant_id?,
                role: Role::parse(r.role.as_deref()?)?,
                unit_id: r.grant_unit?,
                unit_path: r.grant_path.clone()?,
                unit_name: r.grant_unit_name.clone()?,
            })
        })
        .collect();
    let Some(r) = rows.into_iter().next() else {
        return Ok(None);
    };
    Ok(Some(Principal {
        user_id: Some(r.user_id),
        username: r.username,
        name: r.name,
        org_unit_id: Some(r.org_unit_id),
        grants,
        ip,
        csrf: r.csrf_token,
        system: false,
    }))
}

#[derive(FromRow)]
struct GrantRow {
    id: i64,
    role: String,
    org_unit_id: i64,
    path: String,
    name: String,
}

pub async fn grants_of(db: &Db, user_id: i64) -> Result<Vec<Grant>> {
    let rows: Vec<GrantRow> = crate::storage::query_as(
        "SELECT g.id, g.role, g.org_unit_id, o.path, o.name FROM role_grants g \
         JOIN org_units o ON o.id = g.org_unit_id WHERE g.user_id = $1 ORDER BY g.id",
    )
    .bind(user_id)
    .fetch_all(&db)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Grant {
                id: r.id,
                role: Role::parse(&r.role)?,
                unit_id: r.org_unit_id,
                unit_path: r.path,
                unit_name: r.name,
            })
        })
        .collect())
}

pub async fn logout(db: &Db, who: &Principal, token: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    crate::storage::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(&mut tx)
        .await?;
    let path = who
        .grants
        .first()
        .map(|g| g.unit_path.clone())
        .unwrap_or_else(|| "/".into());
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "auth.logout",
            entity: "session",
            entity_id: who.user_id.unwrap_or_default().to_string(),
            scope_path: &path,
            summary: who.username.clone(),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes the principal's own password after checking the current one; ends their other
/// sessions.
pub async fn change_password(
    db: &Db,
    who: &Principal,
    current: &str,
    new: &str,
    keep_token: &str,
) -> Result<()> {
    let uid = who.user_id.ok_or(Error::Forbidden)?;
    check_password_policy("new_password", new).map_err(|e| Error::Validation(vec![e]))?;
    let (phc, path): (String, String) = crate::storage::query_as(
        "SELECT u.password_hash, o.path FROM users u JOIN org_units o ON o.id = u.org_unit_id \
         WHERE u.id = $1",
    )
    .bind(uid)
    .fetch_one(&db)
    .await?;
    let (cur, new_owned) = (current.to_string(), new.to_string());
    let (ok, new_hash) = crate::blocking::run(move || {
        Ok::<_, Error>((verify_password(&cur, &phc), hash_password(&new_owned)))
    })
    .await?;
    if !ok {
        return Err(Error::Validation(vec![FieldError::new(
            "current_password",
            "err.wrong_password",
        )]));
    }
    store_password(
        db,
        &who.actor(),
        uid,
        &new_hash?,
        &path,
        &who.username,
        "user.password",
        Some(keep_token),
    )
    .await
}

/// Stores a new password hash, clears any lockout, ends the account's sessions (but
/// `keep_token`'s) and records `action`, in one transaction.
#[allow(clippy::too_many_arguments)]
pub async fn store_password(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    hash: &str,
    scope_path: &str,
    username: &str,
    action: &str,
    keep_token: Option<&str>,
) -> Result<()> {
    let mut tx = db.begin().await?;
    crate::storage::query(
        "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL, \
         updated_at = $2 WHERE id = $3",
    )
    .bind(hash)
    .bind(db.now())
    .bind(user_id)
    .execute(&mut tx)
    .await?;
    // A new password unlocks the account from every address.
    crate::storage::query("DELETE FROM login_failures WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut tx)
        .await?;
    crate::storage::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep_token.map(token_hash).unwrap_or_default())
        .execute(&mut tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action,
            entity: "user",
            entity_id: user_id.to_string(),
            scope_path,
            summary: username.to_string(),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An account's principal as the system acts for it (the demo's seeding): its grants, no session.
pub async fn principal_of(db: &Db, username: &str) -> Result<Principal> {
    let row: Option<(i64, String, i64)> =
        crate::storage::query_as("SELECT id, name, org_unit_id FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(db)
            .await?;
    let (id, name, unit) = row.ok_or(crate::error::Error::NotFound)?;
    Ok(Principal {
        user_id: Some(id),
        username: username.to_string(),
        name,
        org_unit_id: Some(unit),
        grants: grants_of(db, id).await?,
        ip: None,
        csrf: String::new(),
        system: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_backs_off_exponentially_and_caps() {
        assert_eq!(lock_seconds(4), 0);
        assert_eq!(lock_seconds(5), 30);
        assert_eq!(lock_seconds(6), 60);
        assert_eq!(lock_seconds(7), 120);
        assert_eq!(lock_seconds(40), 3600);
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
