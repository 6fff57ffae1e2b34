//! Files approvers attach to their actions (an inspection report, a scanned expert opinion):
//! recorded with the action in its transaction, listed on the case, and served only to those who
//! may see the case. The files themselves are [`crate::files`] uploads made beforehand by the
//! acting approver.

use serde::Serialize;

use super::views::visible;
use crate::auth::Principal;
use crate::error::{Error, FieldError, Result};
use crate::files::{self, FileMeta};
use crate::storage::{Db, Tx, query, query_as};

/// Most files one action may carry.
pub const MAX_PER_ACTION: usize = 10;

/// A file attached to an action on a task.
#[derive(Debug, Clone, Serialize, crate::storage::FromRow, utoipa::ToSchema)]
pub struct Attachment {
    pub file_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub task_id: i64,
    pub actor: String,
    pub created_at: String,
}

/// The acting approver's own uploads among `ids`, checked before the transition begins, with
/// room for `more` files uploaded with the action.
pub(super) async fn own(
    db: &Db,
    who: &Principal,
    ids: &[i64],
    more: usize,
) -> Result<Vec<FileMeta>> {
    if ids.len() + more > MAX_PER_ACTION {
        return Err(Error::Validation(vec![FieldError::with(
            "attachments",
            "field.too_many_files",
            MAX_PER_ACTION.to_string(),
        )]));
    }
    files::own(db, who, ids).await
}

/// Records `files` as attached to the action on `task` (in the action's transaction).
pub(super) async fn attach(
    tx: &mut Tx,
    instance: i64,
    task: i64,
    actor: &str,
    files: &[FileMeta],
    now: &str,
) -> Result<()> {
    for f in files {
        query(
            "INSERT INTO approval_attachments (instance_id, task_id, file_id, actor, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(instance)
        .bind(task)
        .bind(f.id)
        .bind(actor)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Every file attached on an application, oldest first.
pub async fn list(db: &Db, instance: i64) -> Result<Vec<Attachment>> {
    Ok(query_as::<Attachment>(
        "SELECT f.id AS file_id, f.name, f.content_type, f.size, a.task_id, a.actor, a.created_at \
         FROM approval_attachments a JOIN files f ON f.id = a.file_id \
         WHERE a.instance_id = $1 ORDER BY a.id",
    )
    .bind(instance)
    .fetch_all(db)
    .await?)
}

/// One attached file with its content, for someone who may see the application.
pub async fn download(
    db: &Db,
    who: &Principal,
    instance: i64,
    file: i64,
) -> Result<(FileMeta, Vec<u8>)> {
    visible(db, who, instance).await?;
    let attached: i64 = crate::storage::query_scalar(
        "SELECT COUNT(*) FROM approval_attachments WHERE instance_id = $1 AND file_id = $2",
    )
    .bind(instance)
    .bind(file)
    .fetch_one(db)
    .await?;
    if attached == 0 {
        return Err(Error::NotFound);
    }
    let meta = files::meta(db, file).await?;
    let bytes = files::content(db, &meta).await?;
    Ok((meta, bytes))
}
