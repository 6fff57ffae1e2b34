//! Reading applications: one instance, its tasks, a case with its history, an approver's inbox,
//! a supervisor's list, and where each stands against its deadline.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Instance, Task};
use crate::approval::calendar::{Calendar, Hours};
use crate::approval::calendar_repo;
use crate::audit;
use crate::auth::{Perm, Principal};
use crate::clock;
use crate::error::{Error, Result};
use crate::org;
use crate::storage::Db;

pub(super) const INSTANCE_COLS: &str = "i.id, i.matter_code, i.matter_version, i.workflow_version, \
    i.reference, i.unit_id, i.status, i.step, i.pause_kind, i.pause_reason, i.paused_at, i.started_at, \
    i.due_at, i.finished_at, i.created_by";
pub(super) const INSTANCE_WIDTH: usize = 15;
pub(super) const TASK_COLS: &str = "t.id, t.instance_id, t.step, t.step_name, t.candidates, \
    t.claimed_by, t.status, t.started_at, t.due_at, t.done_at, t.action, t.opinion, t.acted_by";
pub(super) const TASK_WIDTH: usize = 13;

/// Decodes [`INSTANCE_COLS`] starting at column `at`.
pub(super) fn instance_at(r: &AnyRow, at: usize) -> sqlx::Result<Instance> {
    Ok(Instance {
        id: r.try_get(at)?,
        matter_code: r.try_get(at + 1)?,
        matter_version: r.try_get(at + 2)?,
        workflow_version: r.try_get(at + 3)?,
        reference: r.try_get(at + 4)?,
        unit_id: r.try_get(at + 5)?,
        status: r.try_get(at + 6)?,
        step: r.try_get(at + 7)?,
        pause_kind: r.try_get(at + 8)?,
        pause_reason: r.try_get(at + 9)?,
        paused_at: r.try_get(at + 10)?,
        started_at: r.try_get(at + 11)?,
        due_at: r.try_get(at + 12)?,
        finished_at: r.try_get(at + 13)?,
        created_by: r.try_get(at + 14)?,
    })
}

/// Decodes [`TASK_COLS`] starting at column `at`.
pub(super) fn task_at(r: &AnyRow, at: usize) -> sqlx::Result<Task> {
    Ok(Task {
        id: r.try_get(at)?,
        instance_id: r.try_get(at + 1)?,
        step: r.try_get(at + 2)?,
        step_name: r.try_get(at + 3)?,
        candidates: r.try_get(at + 4)?,
        claimed_by: r.try_get(at + 5)?,
        status: r.try_get(at + 6)?,
        started_at: r.try_get(at + 7)?,
        due_at: r.try_get(at + 8)?,
        done_at: r.try_get(at + 9)?,
        action: r.try_get(at + 10)?,
        opinion: r.try_get(at + 11)?,
        acted_by: r.try_get(at + 12)?,
    })
}

/// Where a task stands against its deadline: `ok`, `warning` (80% of its working time used),
/// `overdue`, or `paused`.
pub fn timing(
    cal: &Calendar,
    hours: &Hours,
    started: &str,
    due: &str,
    paused: bool,
    now: DateTime<Utc>,
) -> &'static str {
    if paused {
        return "paused";
    }
    let (Some(s), Some(d)) = (clock::from_db(started), clock::from_db(due)) else {
        return "ok";
    };
    let tz = clock::cst();
    let (s, d, n) = (
        s.with_timezone(&tz),
        d.with_timezone(&tz),
        now.with_timezone(&tz),
    );
    if n > d {
        return "overdue";
    }
    let total = cal.working_minutes_between(s.fixed_offset(), d.fixed_offset(), hours);
    let used = cal.working_minutes_between(s.fixed_offset(), n.fixed_offset(), hours);
    if total > 0 && used * 10 >= total * 8 {
        "warning"
    } else {
        "ok"
    }
}

pub async fn instance(db: &Db, id: i64) -> Result<Instance> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {INSTANCE_COLS} FROM approval_instances i WHERE i.id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(Error::NotFound)?;
    Ok(instance_at(&row, 0)?)
}

pub async fn tasks(db: &Db, instance: i64) -> Result<Vec<Task>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TASK_COLS} FROM approval_tasks t WHERE t.instance_id = $1 ORDER BY t.id"
    )))
    .bind(instance)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| task_at(r, 0))
        .collect::<sqlx::Result<_>>()?)
}

pub(super) async fn task(db: &Db, id: i64) -> Result<Task> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TASK_COLS} FROM approval_tasks t WHERE t.id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(Error::NotFound)?;
    Ok(task_at(&row, 0)?)
}

pub(super) async fn scope_path(db: &Db, inst: &Instance) -> Result<String> {
    Ok(org::get(db, inst.unit_id).await?.path)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InboxItem {
    pub task: Task,
    pub instance: Instance,
    /// `ok`, `warning`, `overdue` or `paused`.
    pub timing: String,
}

/// One application as someone involved or supervising sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Case {
    pub instance: Instance,
    pub tasks: Vec<Task>,
    /// Every transition, oldest first.
    pub history: Vec<audit::Entry>,
    /// Whether the principal may resume it after a pause (see [`super::may_resume`]).
    pub can_resume: bool,
}

/// The application with its tasks and history, for those who act or acted on it, who start
/// applications at its unit, or who audit that unit; 404 for everyone else.
pub async fn case(db: &Db, who: &Principal, id: i64) -> Result<Case> {
    let instance = instance(db, id).await?;
    let tasks = tasks(db, id).await?;
    let path = scope_path(db, &instance).await?;
    let involved = tasks
        .iter()
        .any(|t| t.may_act(who) || t.acted_by.as_deref() == Some(who.username.as_str()));
    let clerk = who.can(Perm::StartApprovals, &path);
    if !involved && !clerk && !who.can(Perm::ViewAudit, &path) {
        return Err(Error::NotFound);
    }
    let can_resume =
        instance.status == "paused" && super::may_resume(who, &instance, &tasks, &path);
    let history = audit::history(db, "approval", &id.to_string()).await?;
    Ok(Case {
        instance,
        tasks,
        history,
        can_resume,
    })
}

/// Open tasks the principal may act on (not claimed by someone else), oldest deadline first.
pub async fn inbox(db: &Db, who: &Principal) -> Result<Vec<InboxItem>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TASK_COLS}, {INSTANCE_COLS} FROM approval_tasks t \
         JOIN approval_instances i ON i.id = t.instance_id WHERE t.status = 'open' ORDER BY t.due_at, t.id"
    )))
    .fetch_all(&db.pool)
    .await?;
    let cal = calendar_repo::calendar(db).await?;
    let hours = Hours::default();
    let now = Utc::now();
    let mut out = Vec::new();
    for r in &rows {
        let t = task_at(r, 0)?;
        if !t.may_act(who) || t.claimed_by.as_deref().is_some_and(|c| c != who.username) {
            continue;
        }
        let inst = instance_at(r, TASK_WIDTH)?;
        let timing = timing(
            &cal,
            &hours,
            &t.started_at,
            &t.due_at,
            inst.status == "paused",
            now,
        )
        .to_string();
        out.push(InboxItem {
            task: t,
            instance: inst,
            timing,
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct Supervise {
    /// `running`, `paused`, `approved`, `rejected`; all when absent.
    pub status: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Supervised {
    pub instance: Instance,
    /// Deadline state of the application as a whole.
    pub timing: String,
}

/// Applications of the principal's units (by where they were filed, or by the owning department),
/// for supervisors: bureau and unit administrators.
pub async fn supervise(db: &Db, who: &Principal, q: &Supervise) -> Result<Vec<Supervised>> {
    if !who.has(Perm::SuperviseApprovals) {
        return Err(Error::Forbidden);
    }
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {INSTANCE_COLS}, o.path, m.department_code FROM approval_instances i \
         JOIN org_units o ON o.id = i.unit_id JOIN matters m ON m.code = i.matter_code \
         ORDER BY i.due_at, i.id"
    )))
    .fetch_all(&db.pool)
    .await?;
    let units = org::list(db).await?;
    let cal = calendar_repo::calendar(db).await?;
    let hours = Hours::default();
    let now = Utc::now();
    let mut out = Vec::new();
    for r in &rows {
        let path: String = r.try_get(INSTANCE_WIDTH)?;
        let dept: String = r.try_get(INSTANCE_WIDTH + 1)?;
        let dept_path = units
            .iter()
            .find(|u| u.code == dept)
            .map(|u| u.path.as_str())
            .unwrap_or("/");
        if !who.can(Perm::SuperviseApprovals, &path)
            && !who.can(Perm::SuperviseApprovals, dept_path)
        {
            continue;
        }
        let inst = instance_at(r, 0)?;
        if q.status
            .as_deref()
            .is_some_and(|s| !s.is_empty() && s != inst.status)
        {
            continue;
        }
        let timing = if matches!(inst.status.as_str(), "approved" | "rejected") {
            "finished".to_string()
        } else {
            timing(
                &cal,
                &hours,
                &inst.started_at,
                &inst.due_at,
                inst.status == "paused",
                now,
            )
            .to_string()
        };
        out.push(Supervised {
            instance: inst,
            timing,
        });
    }
    Ok(out)
}
