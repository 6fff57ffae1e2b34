//! Read-only look-ups about accounts that pages and the API need beside the account itself.

use crate::error::Result;
use crate::storage::{Db, query_as};

/// The resident ID an account is bound to, opened — only once a window has verified it
/// (a registration alone only claims a number).
pub async fn verified_id(db: &Db, username: &str) -> Result<Option<String>> {
    let row: Option<(Option<String>, Option<String>)> =
        query_as("SELECT id_number, id_verified_at FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(db)
            .await?;
    Ok(match row {
        Some((Some(id), Some(_))) if !id.is_empty() => Some(crate::vault::open(&id)),
        _ => None,
    })
}

/// How many active accounts each org unit has, by unit id.
pub async fn active_per_unit(db: &Db) -> Result<Vec<(i64, i64)>> {
    Ok(
        query_as("SELECT org_unit_id, COUNT(*) FROM users WHERE active = 1 GROUP BY org_unit_id")
            .fetch_all(db)
            .await?,
    )
}
