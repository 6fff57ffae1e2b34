//! In-app messages (站内消息): what an account is told inside the platform — the same steps as the
//! mails (accepted, supplement needed, approved, licence issued), whether or not an address is
//! known. Written in the transaction of the step; read and marked read by their owner.

use serde::Serialize;

use crate::auth::Principal;
use crate::error::{Error, Result};
use crate::storage::{Db, Tx, query, query_as};

#[derive(Debug, Clone, Serialize, crate::storage::FromRow, utoipa::ToSchema)]
pub struct Message {
    pub id: i64,
    pub subject: String,
    pub body: String,
    /// Where to look, e.g. `/api/v1/applications/12`.
    pub link: Option<String>,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// Leaves a message for `username` in `tx`.
pub async fn post(
    tx: &mut Tx,
    username: &str,
    subject: &str,
    body: &str,
    link: Option<&str>,
) -> Result<()> {
    query("INSERT INTO messages (username, subject, body, link, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(username)
        .bind(subject)
        .bind(body)
        .bind(link)
        .bind(tx.now())
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// The caller's messages, newest first.
pub async fn mine(db: &Db, who: &Principal) -> Result<Vec<Message>> {
    Ok(query_as::<Message>(
        "SELECT id, subject, body, link, created_at, read_at FROM messages WHERE username = $1 ORDER BY id DESC LIMIT 200",
    )
    .bind(&who.username)
    .fetch_all(db)
    .await?)
}

/// Marks one of the caller's messages read.
/// Marks one of the principal's messages read; answers its link, if it has one.
pub async fn read(db: &Db, who: &Principal, id: i64) -> Result<Option<String>> {
    let n = query(
        "UPDATE messages SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND username = $3",
    )
    .bind(db.now())
    .bind(id)
    .bind(&who.username)
    .execute(db)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(Error::NotFound);
    }
    let link: Option<Option<String>> =
        crate::storage::query_scalar("SELECT link FROM messages WHERE id = $1 AND username = $2")
            .bind(id)
            .bind(&who.username)
            .fetch_optional(db)
            .await?;
    Ok(link.flatten())
}
