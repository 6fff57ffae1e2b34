//! Reading applications: one instance, its tasks, a case with its history, an approver's inbox,
//! a supervisor's list, and where each stands against its deadline.

use crate::storage::Row;
use serde::{Deserialize, Serialize};

use super::{Instance, Task};
use crate::approval::machine::{Status, TaskStatus, decode};
use crate::auth::{Perm, Principal};
use crate::error::{Error, Result};
use crate::org;
use crate::storage::{Db, Page, Sql};

pub(super) const INSTANCE_COLS: &str = "i.id, i.matter_code, i.matter_version, i.workflow_version, \
    i.reference, i.unit_id, i.status, i.step, i.pause_kind, i.pause_reason, i.paused_at, i.started_at, \
    i.warn_at, i.due_at, i.finished_at, i.created_by";
pub(super) const INSTANCE_WIDTH: usize = 16;
pub(super) const TASK_COLS: &str = "t.id, t.instance_id, t.step, t.step_name, t.candidates, \
    t.claimed_by, t.status, t.started_at, t.warn_at, t.due_at, t.done_at, t.action, t.opinion, t.acted_by";
pub(super) const TASK_WIDTH: usize = 14;

/// Decodes [`INSTANCE_COLS`] starting at column `at`.
pub(super) fn instance_at(r: &Row, at: usize) -> sqlx::Result<Instance> {
    Ok(Instance {
        id: r.try_get(at)?,
        matter_code: r.try_get(at + 1)?,
        matter_version: r.try_get(at + 2)?,
        workflow_version: r.try_get(at + 3)?,
        reference: r.try_get(at + 4)?,
        unit_id: r.try_get(at + 5)?,
        status: decode(r.try_get(at + 6)?, Status::parse)?,
        step: r.try_get(at + 7)?,
        pause_kind: r.try_get(at + 8)?,
        pause_reason: r.try_get(at + 9)?,
        paused_at: r.try_get(at + 10)?,
        started_at: r.try_get(at + 11)?,
        warn_at: r.try_get(at + 12)?,
        due_at: r.try_get(at + 13)?,
        finished_at: r.try_get(at + 14)?,
        created_by: r.try_get(at + 15)?,
    })
}

/// Decodes [`TASK_COLS`] starting at column `at`.
pub(super) fn task_at(r: &Row, at: usize) -> sqlx::Result<Task> {
    Ok(Task {
        id: r.try_get(at)?,
        instance_id: r.try_get(at + 1)?,
        step: r.try_get(at + 2)?,
        step_name: r.try_get(at + 3)?,
        candidates: r.try_get(at + 4)?,
        claimed_by: r.try_get(at + 5)?,
        status: decode(r.try_get(at + 6)?, TaskStatus::parse)?,
        started_at: r.try_get(at + 7)?,
        warn_at: r.try_get(at + 8)?,
        due_at: r.try_get(at + 9)?,
        done_at: r.try_get(at + 10)?,
        action: r.try_get(at + 11)?,
        opinion: r.try_get(at + 12)?,
        acted_by: r.try_get(at + 13)?,
    })
}

/// Where a task or an application stands against its deadline: `paused`, `overdue`, `warning`
/// (from its warning moment, 80% of its working time) or `ok`. Stored times compare as text.
/// [`timing_sql`] is the same rule as a filter.
pub fn timing(warn_at: &str, due_at: &str, paused: bool, now: &str) -> &'static str {
    if paused {
        "paused"
    } else if now > due_at {
        "overdue"
    } else if now >= warn_at {
        "warning"
    } else {
        "ok"
    }
}

/// Restricts `s` to one deadline state of [`timing`], for the row aliases `t` (task or
/// application times) and `i` (the application's status).
fn timing_sql(s: &mut Sql, warn: &str, due: &str, state: &str, now: &str) {
    match state {
        "paused" => {
            s.push(" AND i.status = 'paused'");
        }
        "overdue" => {
            s.push(&format!(" AND i.status = 'running' AND {due} < "))
                .bind(now);
        }
        "warning" => {
            s.push(&format!(" AND i.status = 'running' AND {due} >= "))
                .bind(now);
            s.push(&format!(" AND {warn} <= ")).bind(now);
        }
        "ok" => {
            s.push(&format!(" AND i.status = 'running' AND {warn} > "))
                .bind(now);
        }
        _ => {}
    }
}

pub async fn instance(db: &Db, id: i64) -> Result<Instance> {
    let row = crate::storage::query(format!(
        "SELECT {INSTANCE_COLS} FROM approval_instances i WHERE i.id = $1"
    ))
    .bind(id)
    .fetch_optional(&db)
    .await?
    .ok_or(Error::NotFound)?;
    Ok(instance_at(&row, 0)?)
}

pub async fn tasks(db: &Db, instance: i64) -> Result<Vec<Task>> {
    let rows = crate::storage::query(format!(
        "SELECT {TASK_COLS} FROM approval_tasks t WHERE t.instance_id = $1 ORDER BY t.id"
    ))
    .bind(instance)
    .fetch_all(&db)
    .await?;
    Ok(rows
        .iter()
        .map(|r| task_at(r, 0))
        .collect::<sqlx::Result<_>>()?)
}

pub(super) async fn task(db: &Db, id: i64) -> Result<Task> {
    let row = crate::storage::query(format!(
        "SELECT {TASK_COLS} FROM approval_tasks t WHERE t.id = $1"
    ))
    .bind(id)
    .fetch_optional(&db)
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
    pub matter_name: String,
    /// `ok`, `warning`, `overdue` or `paused`.
    pub timing: String,
}

/// The application, its tasks and its unit's path, if `who` may see it: those who act or acted
/// on it, who start applications at its unit, or who audit that unit; 404 for everyone else.
pub(super) async fn visible(
    db: &Db,
    who: &Principal,
    id: i64,
) -> Result<(Instance, Vec<Task>, String)> {
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
    Ok((instance, tasks, path))
}

/// Whether `who` acts or acted on a task of approval `id` (an approver who must see what they
/// decide on: the application's content and materials).
pub async fn involved(db: &Db, who: &Principal, id: i64) -> Result<bool> {
    Ok(tasks(db, id)
        .await?
        .iter()
        .any(|t| t.may_act(who) || t.acted_by.as_deref() == Some(who.username.as_str())))
}

/// Inbox and supervision filters, sorting and paging; all optional.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// Part of the application number (办件编号) or of the matter's name.
    pub q: Option<String>,
    /// `ok`, `warning`, `overdue` or `paused`.
    pub timing: Option<String>,
    /// `due` (default), `started` or `reference`; prefix `-` for descending.
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Restricts `s` to applications whose number (办件编号) or matter name contains `q`.
fn search(s: &mut Sql, q: Option<&str>) {
    if let Some(t) = q.map(str::trim).filter(|t| !t.is_empty()) {
        s.push(" AND ").contains_any(&["i.reference", "m.name"], t);
    }
}

/// Orders by `due` (default), `started` or `reference`, `-` first for descending; `times` is
/// the alias whose times count (`t` a task, `i` the application).
fn sort(s: &mut Sql, sort: Option<&str>, times: &str) {
    let sort = sort.unwrap_or("due");
    let (col, desc) = match sort.strip_prefix('-') {
        Some(c) => (c, true),
        None => (sort, false),
    };
    let col = match col {
        "started" => format!("{times}.started_at"),
        "reference" => "i.reference".to_string(),
        _ => format!("{times}.due_at"),
    };
    let dir = if desc { "DESC" } else { "ASC" };
    s.push(&format!(" ORDER BY {col} {dir}, {times}.id {dir}"));
}

/// Open tasks the principal may act on (not claimed by someone else), found through the
/// candidate rows in one query, filtered, sorted (oldest deadline first) and paged.
pub async fn inbox(db: &Db, who: &Principal, q: &InboxQuery) -> Result<Page<InboxItem>> {
    let now = db.now();
    let filter = |select: &str| {
        let mut s = Sql::new(format!(
            "SELECT {select} FROM approval_tasks t JOIN approval_instances i ON i.id = t.instance_id \
             JOIN matters m ON m.code = i.matter_code WHERE t.status = 'open'"
        ));
        if !who.system {
            s.push(" AND (t.claimed_by IS NULL OR t.claimed_by = ")
                .bind(who.username.as_str())
                .push(")");
            s.push(" AND EXISTS (SELECT 1 FROM approval_task_candidates c WHERE c.task_id = t.id AND (c.username = ")
                .bind(who.username.as_str());
            // A role candidate at a unit matches a grant of that role at the unit or inside it
            // (and, bound to a hall, at the hall or above it): `engine::serves`.
            for g in &who.grants {
                s.push(" OR (c.role = ")
                    .bind(g.role.as_str())
                    .push(" AND substr(")
                    .bind(g.unit_path.as_str())
                    .push(", 1, length(c.unit_path)) = c.unit_path AND (c.hall_path IS NULL OR substr(c.hall_path, 1, length(")
                    .bind(g.unit_path.as_str())
                    .push(")) = ")
                    .bind(g.unit_path.as_str())
                    .push("))");
            }
            s.push("))");
        }
        if let Some(state) = q.timing.as_deref() {
            timing_sql(&mut s, "t.warn_at", "t.due_at", state, &now);
        }
        search(&mut s, q.q.as_deref());
        s
    };
    let cols = format!("{TASK_COLS}, {INSTANCE_COLS}, m.name");
    listing(
        db,
        filter,
        &cols,
        (q.sort.as_deref(), "t"),
        (q.page, q.per_page),
        |r| {
            let task = task_at(r, 0)?;
            let instance = instance_at(r, TASK_WIDTH)?;
            let timing = timing(
                &task.warn_at,
                &task.due_at,
                instance.status == Status::Paused,
                &now,
            )
            .into();
            Ok(InboxItem {
                matter_name: r.try_get(TASK_WIDTH + INSTANCE_WIDTH)?,
                task,
                instance,
                timing,
            })
        },
    )
    .await
}

/// Counts what `filter` selects, then reads the requested page of it in `sort` order and decodes
/// each row: the shared tail of the inbox and supervision.
async fn listing<T>(
    db: &Db,
    filter: impl Fn(&str) -> Sql,
    cols: &str,
    (by, times): (Option<&str>, &str),
    (page, per_page): (Option<i64>, Option<i64>),
    decode: impl Fn(&Row) -> Result<T>,
) -> Result<Page<T>> {
    let total: i64 = filter("COUNT(*)").scalar().fetch_one(&db).await?;
    let mut s = filter(cols);
    sort(&mut s, by, times);
    let (page, per_page) = s.paged(page, per_page);
    let rows = s.query().fetch_all(&db).await?;
    Ok(Page {
        items: rows.iter().map(decode).collect::<Result<_>>()?,
        total,
        page,
        per_page,
    })
}
/// Supervision filters, sorting and paging; all optional.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Supervise {
    /// `running`, `paused`, `approved`, `rejected`; all when absent.
    pub status: Option<String>,
    /// Part of the application number (办件编号) or of the matter's name.
    pub q: Option<String>,
    /// `ok`, `warning`, `overdue` or `paused` (of the application as a whole).
    pub timing: Option<String>,
    /// `due` (default), `started` or `reference`; prefix `-` for descending.
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Supervised {
    pub instance: Instance,
    pub matter_name: String,
    /// The unit the application was filed at.
    pub unit_name: String,
    /// Deadline state of the application as a whole, or `finished`.
    pub timing: String,
}

/// Applications of the principal's units (by where they were filed, or by the owning department),
/// for supervisors: bureau and unit administrators. Scoped, filtered, sorted and paged in SQL.
pub async fn supervise(db: &Db, who: &Principal, q: &Supervise) -> Result<Page<Supervised>> {
    let scopes = who.scopes(Perm::SuperviseApprovals);
    if scopes.is_empty() {
        return Err(Error::Forbidden);
    }
    let now = db.now();
    let filter = |select: &str| {
        let mut s = Sql::new(format!(
            "SELECT {select} FROM approval_instances i JOIN org_units o ON o.id = i.unit_id \
             JOIN matters m ON m.code = i.matter_code LEFT JOIN org_units d ON d.code = m.department_code \
             WHERE ("
        ));
        s.any_subtree("o.path", &scopes)
            .push(" OR ")
            .any_subtree("d.path", &scopes)
            .push(")");
        if let Some(st) = q.status.as_deref().filter(|st| !st.is_empty()) {
            s.push(" AND i.status = ").bind(st);
        }
        if let Some(state) = q.timing.as_deref() {
            timing_sql(&mut s, "i.warn_at", "i.due_at", state, &now);
        }
        search(&mut s, q.q.as_deref());
        s
    };
    let cols = format!("{INSTANCE_COLS}, m.name, o.name");
    listing(
        db,
        filter,
        &cols,
        (q.sort.as_deref(), "i"),
        (q.page, q.per_page),
        |r| {
            let instance = instance_at(r, 0)?;
            let timing = if instance.status.finished() {
                "finished"
            } else {
                timing(
                    &instance.warn_at,
                    &instance.due_at,
                    instance.status == Status::Paused,
                    &now,
                )
            };
            Ok(Supervised {
                matter_name: r.try_get(INSTANCE_WIDTH)?,
                unit_name: r.try_get(INSTANCE_WIDTH + 1)?,
                instance,
                timing: timing.into(),
            })
        },
    )
    .await
}
