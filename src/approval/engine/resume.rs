//! Ending a pause: the supplement has arrived, or the special procedure is over. The application's
//! deadline and its open tasks' deadlines move on by the working time spent waiting, so a pause
//! across a holiday season costs only the working days it really took.

use serde_json::json;

use super::views::{scope_path, tasks};
use super::{Instance, OpenTask, Progress, Task, at, instance, now_cst, record};
use crate::approval::calendar_repo;
use crate::auth::{Perm, Principal};
use crate::clock;
use crate::error::{Error, Result};
use crate::storage::Db;

/// Who may end a pause: whoever may act on an open task; for a supplement also the clerks of
/// the application's unit (the applicant brings the missing materials to them). A special
/// procedure is the department's, so only its actors end it.
pub fn may_resume(who: &Principal, inst: &Instance, tasks: &[Task], path: &str) -> bool {
    let actor = tasks
        .iter()
        .any(|t| t.status == crate::approval::machine::TaskStatus::Open && t.may_act(who));
    let special = inst
        .pause_kind
        .as_deref()
        .is_some_and(|k| k.starts_with("special"));
    actor || (!special && who.can(Perm::StartApprovals, path))
}

pub async fn resume(db: &Db, who: &Principal, id: i64) -> Result<Progress> {
    let inst = instance(db, id).await?;
    let path = scope_path(db, &inst).await?;
    let all = tasks(db, id).await?;
    if !may_resume(who, &inst, &all, &path) {
        return Err(Error::Forbidden);
    }
    let paused_at = inst
        .paused_at
        .as_deref()
        .and_then(clock::from_db)
        .filter(|_| inst.status == crate::approval::machine::Status::Paused)
        .ok_or(Error::Conflict("err.approval_not_paused"))?;
    let cal = calendar_repo::calendar(db).await?;
    // The hall's own working hours: a deadline moves by the time the hall was open.
    let hours = calendar_repo::hours(db, inst.unit_id).await?;
    let now = now_cst(db.clock());
    let from = paused_at.with_timezone(&clock::cst()).fixed_offset();
    let waited = cal.working_minutes_between(from, now, &hours);
    let shift = |s: &str| -> String {
        clock::from_db(s)
            .map(|d| {
                at(cal.after_pause(
                    d.with_timezone(&clock::cst()).fixed_offset(),
                    from,
                    now,
                    &hours,
                ))
            })
            .unwrap_or_else(|| s.to_string())
    };
    let (warn, due) = (shift(&inst.warn_at), shift(&inst.due_at));
    let mut tx = db.begin().await?;
    let n = crate::storage::query("UPDATE approval_instances SET status = 'running', pause_kind = NULL, pause_reason = NULL, paused_at = NULL, warn_at = $4, due_at = $1, updated_at = $2 WHERE id = $3 AND status = 'paused'")
        .bind(&due)
        .bind(db.now())
        .bind(id)
        .bind(&warn)
        .execute(&mut tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(Error::Conflict("err.approval_not_paused"));
    }
    let mut open = Vec::new();
    for t in all
        .iter()
        .filter(|t| t.status == crate::approval::machine::TaskStatus::Open)
    {
        let t_due = shift(&t.due_at);
        crate::storage::query("UPDATE approval_tasks SET warn_at = $1, due_at = $2 WHERE id = $3")
            .bind(shift(&t.warn_at))
            .bind(&t_due)
            .bind(t.id)
            .execute(&mut tx)
            .await?;
        open.push(OpenTask {
            id: t.id,
            step: t.step,
            step_name: t.step_name.clone(),
            due_at: t_due,
        });
    }
    record(
        &mut tx,
        who,
        &inst,
        &path,
        "approval.resume",
        "",
        json!({"waited_working_minutes": waited, "pause": inst.pause_kind}),
    )
    .await?;
    tx.commit().await?;
    if inst
        .pause_kind
        .as_deref()
        .is_some_and(|k| k.starts_with("special"))
        && let Err(e) = crate::applications::on_special_ended(db, inst.id).await
    {
        tracing::error!(instance = inst.id, error = %e, "telling of a procedure's end failed");
    }
    let mut inst = inst;
    inst.status = crate::approval::machine::Status::Running;
    inst.warn_at = warn;
    inst.due_at = due;
    inst.pause_kind = None;
    inst.pause_reason = None;
    inst.paused_at = None;
    Ok(Progress {
        instance: inst,
        open_tasks: open,
    })
}
