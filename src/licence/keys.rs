//! Each issuing department's signing keys: created on first use, rotated on request (the old key
//! retired, never deleted, so its licences still verify).

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::crypto::{SignAlg, Signer};
use crate::error::{Error, Result};
use crate::org;
use crate::storage::{Db, Tx, query, query_as};

#[derive(Debug, Clone, Serialize, crate::storage::FromRow, utoipa::ToSchema)]
pub struct KeyInfo {
    pub id: i64,
    pub unit_id: i64,
    /// `ed25519` or `sm2`.
    pub algorithm: String,
    /// The public key: Ed25519 as hex; SM2 as `sm2:` + the SEC1 point in hex.
    pub public_key: String,
    pub created_at: String,
    pub retired_at: Option<String>,
}

/// The algorithm of keys made on first use: Ed25519 unless configured (`licence_algorithm`).
static DEFAULT_ALG: std::sync::OnceLock<SignAlg> = std::sync::OnceLock::new();

/// Sets the algorithm of departments' first keys (once, at start-up).
pub fn configure(alg: SignAlg) {
    let _ = DEFAULT_ALG.set(alg);
}

fn default_alg() -> SignAlg {
    DEFAULT_ALG.get().copied().unwrap_or(SignAlg::Ed25519)
}

async fn create(tx: &mut Tx, unit: i64, alg: SignAlg) -> Result<(i64, Signer)> {
    let key = Signer::generate(alg);
    let id: i64 = crate::storage::query_scalar(
        "INSERT INTO licence_keys (unit_id, public_key, secret_key, created_at, algorithm) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(unit)
    .bind(key.public_text())
    .bind(crate::vault::seal_text(&key.secret_text()))
    .bind(tx.now())
    .bind(alg.name())
    .fetch_one(&mut *tx)
    .await?;
    Ok((id, key))
}

/// The unit's current signing key (made on first use), in `tx`.
pub(super) async fn current(tx: &mut Tx, unit: i64) -> Result<(i64, Signer)> {
    let row: Option<(i64, String)> = query_as(
        "SELECT id, secret_key FROM licence_keys WHERE unit_id = $1 AND retired_at IS NULL ORDER BY id DESC LIMIT 1",
    )
    .bind(unit)
    .fetch_optional(&mut *tx)
    .await?;
    match row {
        Some((id, secret)) => Signer::from_secret_text(&crate::vault::open(&secret))
            .map(|k| (id, k))
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("licence key {id} is damaged"))),
        None => create(tx, unit, default_alg()).await,
    }
}

/// A key's public half, current or retired.
pub async fn public(db: &Db, id: i64) -> Result<Option<KeyInfo>> {
    Ok(query_as::<KeyInfo>(
        "SELECT id, unit_id, algorithm, public_key, created_at, retired_at FROM licence_keys WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?)
}

/// What a rotation may choose.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct Rotate {
    /// `ed25519` or `sm2` (GB/T 32918 with SM3): the department's algorithm from now on; the
    /// current key's when absent.
    #[serde(default)]
    pub algorithm: Option<String>,
}

/// Retires the unit's current key and makes a new one (department or bureau admins), of the
/// algorithm asked for or the retiring key's; what the old key signed still verifies.
pub async fn rotate(db: &Db, who: &Principal, unit: i64, r: &Rotate) -> Result<KeyInfo> {
    let u = org::get(db, unit).await?;
    if !who.can(Perm::ManageOrg, &u.path) {
        return Err(Error::Forbidden);
    }
    let alg = match r
        .algorithm
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        Some(a) => SignAlg::parse(a).ok_or_else(|| Error::field("algorithm", "field.invalid"))?,
        None => {
            let current: Option<String> = crate::storage::query_scalar(
                "SELECT algorithm FROM licence_keys WHERE unit_id = $1 AND retired_at IS NULL \
                 ORDER BY id DESC LIMIT 1",
            )
            .bind(unit)
            .fetch_optional(db)
            .await?;
            current
                .as_deref()
                .and_then(SignAlg::parse)
                .unwrap_or_else(default_alg)
        }
    };
    let now = db.now();
    let mut tx = db.begin().await?;
    query("UPDATE licence_keys SET retired_at = $1 WHERE unit_id = $2 AND retired_at IS NULL")
        .bind(&now)
        .bind(unit)
        .execute(&mut tx)
        .await?;
    let (id, key) = create(&mut tx, unit, alg).await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "licence.rotate_key",
            entity: "licence_key",
            entity_id: id.to_string(),
            scope_path: &u.path,
            summary: u.name.clone(),
            before: None,
            after: Some(json!({"algorithm": alg.name(), "public_key": key.public_text()})),
        },
    )
    .await?;
    tx.commit().await?;
    public(db, id).await?.ok_or(Error::NotFound)
}
