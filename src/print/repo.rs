//! Print templates in the store: every save is a new version (the platform's default is
//! version 0), the history lists them, and going back to an old one saves it again.

use serde::Serialize;
use serde_json::json;

use super::{Kind, data, defaults, notice};
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::error::{Error, Result};
use crate::org;
use crate::storage::{Db, query, query_as, query_scalar};

/// One saved version of a template.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Version {
    pub version: i64,
    pub created_by: String,
    pub created_at: String,
}

/// A template as its editor shows it: the text in use and every saved version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Template {
    pub kind: String,
    pub name: String,
    /// 0: the platform's default.
    pub version: i64,
    pub body: String,
    pub history: Vec<Version>,
}

pub async fn template(db: &Db, kind: Kind) -> Result<Template> {
    let (version, body) = current(db, kind).await?;
    Ok(Template {
        kind: kind.key().into(),
        name: kind.name().into(),
        version,
        body,
        history: history(db, kind).await?,
    })
}

/// Those who manage the district's org tree edit its print templates.
pub async fn may_edit(db: &Db, who: &Principal) -> Result<bool> {
    Ok(who.system || who.can(Perm::ManageOrg, &org::root(db).await?.path))
}

/// The template in use: its version and text.
pub async fn current(db: &Db, kind: Kind) -> Result<(i64, String)> {
    let row: Option<(i64, String)> = query_as(
        "SELECT version, body FROM print_templates WHERE kind = $1 ORDER BY version DESC LIMIT 1",
    )
    .bind(kind.key())
    .fetch_optional(db)
    .await?;
    Ok(row.unwrap_or_else(|| (0, defaults::body(kind).to_string())))
}

/// The saved versions, newest first.
pub async fn history(db: &Db, kind: Kind) -> Result<Vec<Version>> {
    let rows: Vec<(i64, String, String)> = query_as(
        "SELECT version, created_by, created_at FROM print_templates WHERE kind = $1 ORDER BY version DESC",
    )
    .bind(kind.key())
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(version, created_by, created_at)| Version {
            version,
            created_by,
            created_at,
        })
        .collect())
}

/// One saved version's text (0: the platform's default).
pub async fn version(db: &Db, kind: Kind, v: i64) -> Result<String> {
    if v == 0 {
        return Ok(defaults::body(kind).to_string());
    }
    query_scalar("SELECT body FROM print_templates WHERE kind = $1 AND version = $2")
        .bind(kind.key())
        .bind(v)
        .fetch_optional(db)
        .await?
        .ok_or(Error::NotFound)
}

/// Saves a new version after it rendered on the sample data; answers its version number.
pub async fn save(db: &Db, who: &Principal, kind: Kind, body: &str) -> Result<i64> {
    if !may_edit(db, who).await? {
        return Err(Error::Forbidden);
    }
    let body = body.replace("\r\n", "\n");
    notice(kind, &body, &data::sample(kind), None)?;
    let (before, old) = current(db, kind).await?;
    if old == body {
        return Ok(before);
    }
    let mut tx = db.begin().await?;
    let v: i64 =
        query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM print_templates WHERE kind = $1")
            .bind(kind.key())
            .fetch_one(&mut tx)
            .await?;
    query("INSERT INTO print_templates (kind, version, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(kind.key())
        .bind(v)
        .bind(&body)
        .bind(&who.username)
        .bind(db.now())
        .execute(&mut tx)
        .await
        .map_err(|e| Error::on_unique(e, "err.edited_meanwhile"))?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "print_template.save",
            entity: "print_template",
            entity_id: kind.key().into(),
            scope_path: "/",
            summary: format!("{} v{v}", kind.name()),
            before: Some(json!({"version": before, "body": old})),
            after: Some(json!({"version": v, "body": body})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}
