//! One application as someone involved or supervising sees it: the instance, its tasks, its
//! history and the files approvers attached.

use serde::Serialize;

use super::attachments::{self, Attachment};
use super::views::visible;
use super::{Instance, Task};
use crate::audit;
use crate::auth::Principal;
use crate::error::Result;
use crate::storage::Db;

/// One application as someone involved or supervising sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Case {
    pub instance: Instance,
    pub tasks: Vec<Task>,
    /// Every transition, oldest first.
    pub history: Vec<audit::Entry>,
    /// Files approvers attached to their actions, oldest first.
    pub attachments: Vec<Attachment>,
    /// Whether the principal may resume it after a pause (see [`super::may_resume`]).
    pub can_resume: bool,
}

/// The application with its tasks and history, for those who act or acted on it, who start
/// applications at its unit, or who audit that unit; 404 for everyone else.
pub async fn case(db: &Db, who: &Principal, id: i64) -> Result<Case> {
    let (instance, tasks, path) = visible(db, who, id).await?;
    let can_resume = instance.status == crate::approval::machine::Status::Paused
        && super::may_resume(who, &instance, &tasks, &path);
    let history = audit::history(db, "approval", &id.to_string()).await?;
    let attachments = attachments::list(db, id).await?;
    Ok(Case {
        instance,
        tasks,
        history,
        attachments,
        can_resume,
    })
}
