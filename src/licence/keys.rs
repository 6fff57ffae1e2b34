//! Each issuing department's signing keys: created on first use, rotated on request (the old key
//! retired, never deleted, so its licences still verify).

use ed25519_dalek::SigningKey;
use rand::RngCore;
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::clock;
use crate::error::{Error, Result};
use crate::org;
use crate::storage::{Db, Tx, query, query_as};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct KeyInfo {
    pub id: i64,
    pub unit_id: i64,
    /// Ed25519 public key, hex.
    pub public_key: String,
    pub created_at: String,
    pub retired_at: Option<String>,
}

fn generate() -> SigningKey {
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    SigningKey::from_bytes(&seed)
}

async fn create(tx: &mut Tx, unit: i64) -> Result<(i64, SigningKey)> {
    let key = generate();
    let id: i64 = crate::storage::query_scalar(
        "INSERT INTO licence_keys (unit_id, public_key, secret_key, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(unit)
    .bind(hex::encode(key.verifying_key().to_bytes()))
    .bind(crate::vault::seal_text(&hex::encode(key.to_bytes())))
    .bind(clock::now())
    .fetch_one(&mut *tx)
    .await?;
    Ok((id, key))
}

/// The unit's current signing key (made on first use), in `tx`.
pub(super) async fn current(tx: &mut Tx, unit: i64) -> Result<(i64, SigningKey)> {
    let row: Option<(i64, String)> = query_as(
        "SELECT id, secret_key FROM licence_keys WHERE unit_id = $1 AND retired_at IS NULL ORDER BY id DESC LIMIT 1",
    )
    .bind(unit)
    .fetch_optional(&mut *tx)
    .await?;
    match row {
        Some((id, secret)) => {
            let bytes: [u8; 32] = hex::decode(crate::vault::open(&secret))
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| Error::Internal(anyhow::anyhow!("licence key {id} is damaged")))?;
            Ok((id, SigningKey::from_bytes(&bytes)))
        }
        None => create(tx, unit).await,
    }
}

/// A key's public half, current or retired.
pub async fn public(db: &Db, id: i64) -> Result<Option<KeyInfo>> {
    Ok(query_as::<KeyInfo>(
        "SELECT id, unit_id, public_key, created_at, retired_at FROM licence_keys WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?)
}

/// Retires the unit's current key and makes a new one (department or bureau admins).
pub async fn rotate(db: &Db, who: &Principal, unit: i64) -> Result<KeyInfo> {
    let u = org::get(db, unit).await?;
    if !who.can(Perm::ManageOrg, &u.path) {
        return Err(Error::Forbidden);
    }
    let now = clock::now();
    let mut tx = db.begin().await?;
    query("UPDATE licence_keys SET retired_at = $1 WHERE unit_id = $2 AND retired_at IS NULL")
        .bind(&now)
        .bind(unit)
        .execute(&mut tx)
        .await?;
    let (id, key) = create(&mut tx, unit).await?;
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
            after: Some(json!({"public_key": hex::encode(key.verifying_key().to_bytes())})),
        },
    )
    .await?;
    tx.commit().await?;
    public(db, id).await?.ok_or(Error::NotFound)
}
