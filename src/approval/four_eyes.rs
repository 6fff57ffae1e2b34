//! Separation of duties (四眼原则). Publishing: whoever drafted a matter's guide or a workflow
//! does not also publish it — on by default, a district setting the bureau may turn off (for a
//! one-person pilot), audited. Approving: a workflow names steps of which one person acts on at
//! most one ([`crate::approval::definition::WorkflowDef::separate`]); the engine refuses the
//! second. The platform itself (the command line, the demo builder) is not a person and is not
//! held to either.

use serde_json::json;

use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::error::{Error, Result};
use crate::storage::{Db, query, query_scalar};

const KEY: &str = "four_eyes.publish";

/// Whether publishing needs a second person (the default).
pub async fn publishing(db: &Db) -> Result<bool> {
    let v: Option<String> = query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(KEY)
        .fetch_optional(db)
        .await?;
    Ok(v.as_deref() != Some("off"))
}

/// Turns the rule for publishing on or off (bureau admins of the district); audited.
pub async fn set_publishing(db: &Db, who: &Principal, on: bool) -> Result<()> {
    let root = crate::org::root(db).await?.path;
    if !who.can(Perm::ConfigureMatters, &root) {
        return Err(Error::Forbidden);
    }
    let before = publishing(db).await?;
    let now = db.now();
    let mut tx = db.begin().await?;
    query(
        "INSERT INTO settings (key, value, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key) DO UPDATE SET value = $2, updated_by = $3, updated_at = $4",
    )
    .bind(KEY)
    .bind(if on { "on" } else { "off" })
    .bind(&who.username)
    .bind(&now)
    .execute(&mut tx)
    .await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "settings.four_eyes",
            entity: "settings",
            entity_id: KEY.into(),
            scope_path: &root,
            summary: if on {
                "四眼原则：开启"
            } else {
                "四眼原则：关闭"
            }
            .into(),
            before: Some(json!({"publish": before})),
            after: Some(json!({"publish": on})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Refuses `who` publishing a draft they had a hand in while the rule holds: they are its
/// last editor (`drafter`), or the audit trail shows an edit of theirs (`actions` on
/// `entity`/`entity_id`) after `since` (the last publication) — so a colleague's trivial
/// re-save does not make someone's own draft publishable by them.
pub async fn check_author(
    db: &Db,
    who: &Principal,
    drafter: Option<&str>,
    entity: &str,
    entity_id: &str,
    actions: &[&str],
    since: Option<&str>,
) -> Result<()> {
    if who.system || !publishing(db).await? {
        return Ok(());
    }
    if drafter == Some(who.username.as_str()) {
        return Err(Error::Conflict("err.four_eyes_publish"));
    }
    let mut q = crate::storage::Sql::new("SELECT COUNT(*) FROM audit_log WHERE entity = ");
    q.bind(entity)
        .push(" AND entity_id = ")
        .bind(entity_id)
        .push(" AND actor = ")
        .bind(who.username.as_str())
        .push(" AND at > ")
        .bind(since.unwrap_or(""))
        .push(" AND action IN (");
    for (i, a) in actions.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(*a);
    }
    q.push(")");
    let (mine,): (i64,) = q.query_as().fetch_one(db).await?;
    if mine > 0 {
        return Err(Error::Conflict("err.four_eyes_publish"));
    }
    Ok(())
}
