//! The approval engine: runs an application through the workflow version it started on. Each step
//! opens tasks (one per countersigning party, or one shared by several candidates); people act —
//! pass, reject, request supplement (pausing the clock), send back, transfer — and the instance
//! moves on. Deadlines are working time on the calendar. Every transition is a single transaction
//! that first locks the instance row, so two people acting at once cannot both succeed, and each
//! lands in the audit trail, which is also the instance's history.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{AnyConnection, FromRow};

use super::calendar::{Calendar, Hours};
use super::definition::{Action, ActorSpec, StepDef, UnitSel, WorkflowDef};
use super::{calendar_repo, workflow_repo};
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal, Role};
use crate::clock;
use crate::error::{Error, Result};
use crate::org::{self, Kind, Unit};
use crate::storage::Db;

/// Who may act on a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Candidate {
    /// Holders of `role` granted at this unit or inside it (a street's hall belongs to the street).
    Role {
        role: Role,
        unit_path: String,
        unit_name: String,
    },
    User {
        username: String,
    },
}

impl Candidate {
    fn matches(&self, p: &Principal) -> bool {
        if p.system {
            return true;
        }
        match self {
            Candidate::Role {
                role, unit_path, ..
            } => p
                .grants
                .iter()
                .any(|g| g.role == *role && g.unit_path.starts_with(unit_path.as_str())),
            Candidate::User { username } => p.username == *username,
        }
    }
}

#[derive(Debug, Clone, Serialize, FromRow, utoipa::ToSchema)]
pub struct Instance {
    pub id: i64,
    pub matter_code: String,
    pub matter_version: i64,
    pub workflow_version: i64,
    pub reference: String,
    pub unit_id: i64,
    /// `running`, `paused`, `approved` or `rejected`.
    pub status: String,
    pub step: i64,
    pub pause_reason: Option<String>,
    pub paused_at: Option<String>,
    pub started_at: String,
    pub due_at: String,
    pub finished_at: Option<String>,
    pub created_by: String,
}

#[derive(Debug, Clone, Serialize, FromRow, utoipa::ToSchema)]
pub struct Task {
    pub id: i64,
    pub instance_id: i64,
    pub step: i64,
    pub step_name: String,
    /// JSON list of [`Candidate`].
    pub candidates: String,
    pub claimed_by: Option<String>,
    /// `open`, `done` or `cancelled`.
    pub status: String,
    pub started_at: String,
    pub due_at: String,
    pub done_at: Option<String>,
    pub action: Option<String>,
    pub opinion: Option<String>,
    pub acted_by: Option<String>,
}

impl Task {
    pub fn candidates(&self) -> Vec<Candidate> {
        serde_json::from_str(&self.candidates).unwrap_or_default()
    }
    pub fn may_act(&self, p: &Principal) -> bool {
        self.candidates().iter().any(|c| c.matches(p))
    }
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

fn at(t: DateTime<FixedOffset>) -> String {
    clock::to_db(t.with_timezone(&Utc))
}

fn now_cst() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&clock::cst())
}

/// The unit an actor spec points at for this application.
fn resolve(sel: &UnitSel, app_unit: &Unit, dept_code: &str, units: &[Unit]) -> Option<Unit> {
    let ancestor = |kind: Kind| {
        units
            .iter()
            .find(|u| u.kind == kind && app_unit.path.starts_with(&u.path))
            .cloned()
    };
    match sel {
        UnitSel::ApplicationStreet => ancestor(Kind::Street),
        UnitSel::ApplicationCommunity => {
            ancestor(Kind::Community).or_else(|| ancestor(Kind::Street))
        }
        UnitSel::OwningDepartment => units.iter().find(|u| u.code == dept_code).cloned(),
        UnitSel::Unit { code } => units.iter().find(|u| u.code == *code).cloned(),
    }
}

fn candidates(
    spec: &ActorSpec,
    app_unit: &Unit,
    dept: &str,
    units: &[Unit],
) -> Result<Vec<Candidate>> {
    Ok(match spec {
        ActorSpec::Role { role, at } => {
            let u = resolve(at, app_unit, dept, units).ok_or(Error::Conflict("err.wf_no_unit"))?;
            vec![Candidate::Role {
                role: *role,
                unit_path: u.path,
                unit_name: u.name,
            }]
        }
        ActorSpec::Users { usernames } => usernames
            .iter()
            .map(|u| Candidate::User {
                username: u.clone(),
            })
            .collect(),
    })
}

struct Ctx {
    def: WorkflowDef,
    app_unit: Unit,
    dept: String,
    units: std::sync::Arc<Vec<Unit>>,
    cal: std::sync::Arc<Calendar>,
    hours: Hours,
}

async fn context(db: &Db, inst: &Instance) -> Result<Ctx> {
    let def = workflow_repo::published(db, &inst.matter_code, inst.workflow_version).await?;
    let matter = crate::catalog::repo::version(db, &inst.matter_code, inst.matter_version).await?;
    let units = org::list(db).await?;
    let app_unit = units
        .iter()
        .find(|u| u.id == inst.unit_id)
        .cloned()
        .ok_or(Error::NotFound)?;
    Ok(Ctx {
        def,
        app_unit,
        dept: matter.department,
        units,
        cal: calendar_repo::calendar(db).await?,
        hours: Hours::default(),
    })
}

/// Opens the tasks of `step` in the caller's transaction.
async fn open_step(conn: &mut AnyConnection, c: &Ctx, instance: i64, step: usize) -> Result<()> {
    let s: &StepDef = &c.def.steps[step];
    let now = now_cst();
    let due = c.cal.add_working_minutes(
        now,
        i64::from(s.limit_days) * c.hours.minutes_per_day(),
        &c.hours,
    );
    let groups: Vec<Vec<Candidate>> = if s.countersign {
        let mut g = Vec::new();
        for a in &s.actors {
            g.push(candidates(a, &c.app_unit, &c.dept, &c.units)?);
        }
        g
    } else {
        let mut all = Vec::new();
        for a in &s.actors {
            all.extend(candidates(a, &c.app_unit, &c.dept, &c.units)?);
        }
        vec![all]
    };
    for g in groups {
        sqlx::query(
            "INSERT INTO approval_tasks (instance_id, step, step_name, candidates, status, started_at, due_at) \
             VALUES ($1, $2, $3, $4, 'open', $5, $6)",
        )
        .bind(instance)
        .bind(step as i64)
        .bind(&s.name)
        .bind(serde_json::to_string(&g).map_err(anyhow::Error::from)?)
        .bind(at(now))
        .bind(at(due))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Start {
    pub matter_code: String,
    /// The community or street the application belongs to, by code.
    pub unit_code: String,
    /// The application number (办件编号).
    pub reference: String,
}

/// Starts an application on the matter's current published version and workflow.
pub async fn start(db: &Db, who: &Principal, s: &Start) -> Result<Instance> {
    let units = org::list(db).await?;
    let unit = units
        .iter()
        .find(|u| u.code == s.unit_code)
        .cloned()
        .ok_or_else(|| {
            Error::Validation(vec![crate::error::FieldError::with(
                "unit_code",
                "field.unit_unknown",
                &s.unit_code,
            )])
        })?;
    if !who.can(Perm::StartApprovals, &unit.path) {
        return Err(Error::Forbidden);
    }
    let (matter_version, matter) = crate::catalog::repo::public(db, &s.matter_code).await?;
    let (workflow_version, _) = workflow_repo::current(db, &s.matter_code).await?;
    let cal = calendar_repo::calendar(db).await?;
    let hours = Hours::default();
    let now = now_cst();
    let due = cal.add_working_minutes(
        now,
        i64::from(matter.guide.promised_limit_days) * hours.minutes_per_day(),
        &hours,
    );
    let mut tx = db.pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO approval_instances (matter_code, matter_version, workflow_version, reference, unit_id, \
         status, step, started_at, due_at, created_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'running', 0, $6, $7, $8, $6) RETURNING id",
    )
    .bind(&s.matter_code)
    .bind(matter_version)
    .bind(workflow_version)
    .bind(&s.reference)
    .bind(unit.id)
    .bind(at(now))
    .bind(at(due))
    .bind(&who.username)
    .fetch_one(&mut *tx)
    .await?;
    let inst = Instance {
        id,
        matter_code: s.matter_code.clone(),
        matter_version,
        workflow_version,
        reference: s.reference.clone(),
        unit_id: unit.id,
        status: "running".into(),
        step: 0,
        pause_reason: None,
        paused_at: None,
        started_at: at(now),
        due_at: at(due),
        finished_at: None,
        created_by: who.username.clone(),
    };
    let c = context(db, &inst).await?;
    open_step(&mut tx, &c, id, 0).await?;
    record(
        &mut tx,
        who,
        &inst,
        &unit.path,
        "approval.start",
        None,
        Some(json!({"matter": s.matter_code, "reference": s.reference})),
    )
    .await?;
    tx.commit().await?;
    Ok(inst)
}

async fn record(
    conn: &mut AnyConnection,
    who: &Principal,
    inst: &Instance,
    path: &str,
    action: &str,
    opinion: Option<&str>,
    after: Option<serde_json::Value>,
) -> Result<()> {
    audit::record(
        conn,
        &who.actor(),
        Change {
            action,
            entity: "approval",
            entity_id: inst.id.to_string(),
            scope_path: path,
            summary: format!("{} {}", inst.reference, opinion.unwrap_or(""))
                .trim()
                .to_string(),
            before: None,
            after,
        },
    )
    .await?;
    Ok(())
}

pub async fn instance(db: &Db, id: i64) -> Result<Instance> {
    sqlx::query_as("SELECT id, matter_code, matter_version, workflow_version, reference, unit_id, status, step, \
        pause_reason, paused_at, started_at, due_at, finished_at, created_by FROM approval_instances WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(Error::NotFound)
}

const TASK_COLS: &str = "id, instance_id, step, step_name, candidates, claimed_by, status, started_at, due_at, \
    done_at, action, opinion, acted_by";

pub async fn tasks(db: &Db, instance: i64) -> Result<Vec<Task>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {TASK_COLS} FROM approval_tasks WHERE instance_id = $1 ORDER BY id"
    )))
    .bind(instance)
    .fetch_all(&db.pool)
    .await?)
}

async fn task(db: &Db, id: i64) -> Result<Task> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {TASK_COLS} FROM approval_tasks WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(Error::NotFound)
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
    /// Whether the principal may resume it after a supplement (its unit's clerks, or an actor).
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
    let can_resume = who.can(Perm::StartApprovals, &path)
        || tasks.iter().any(|t| t.status == "open" && t.may_act(who));
    if !involved && !can_resume && !who.can(Perm::ViewAudit, &path) {
        return Err(Error::NotFound);
    }
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
    let open: Vec<Task> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {TASK_COLS} FROM approval_tasks WHERE status = 'open' ORDER BY due_at, id"
    )))
    .fetch_all(&db.pool)
    .await?;
    let cal = calendar_repo::calendar(db).await?;
    let hours = Hours::default();
    let now = Utc::now();
    let mut out = Vec::new();
    let mut seen: std::collections::HashMap<i64, Instance> = std::collections::HashMap::new();
    for t in open {
        if !t.may_act(who) || t.claimed_by.as_deref().is_some_and(|c| c != who.username) {
            continue;
        }
        let inst = match seen.get(&t.instance_id) {
            Some(i) => i.clone(),
            None => {
                let i = instance(db, t.instance_id).await?;
                seen.insert(t.instance_id, i.clone());
                i
            }
        };
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

/// Locks the instance row for this transaction (PostgreSQL row lock; SQLite serialises writers).
async fn lock(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query("UPDATE approval_instances SET updated_at = $1 WHERE id = $2")
        .bind(clock::now())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

async fn scope_path(db: &Db, inst: &Instance) -> Result<String> {
    Ok(org::get(db, inst.unit_id).await?.path)
}

pub async fn claim(db: &Db, who: &Principal, task_id: i64, claim: bool) -> Result<Task> {
    let t = task(db, task_id).await?;
    if !t.may_act(who) {
        return Err(Error::NotFound);
    }
    let q = if claim {
        "UPDATE approval_tasks SET claimed_by = $1 WHERE id = $2 AND status = 'open' AND claimed_by IS NULL"
    } else {
        "UPDATE approval_tasks SET claimed_by = NULL WHERE id = $2 AND status = 'open' AND claimed_by = $1"
    };
    let n = sqlx::query(q)
        .bind(&who.username)
        .bind(task_id)
        .execute(&db.pool)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(Error::Conflict("err.task_taken"));
    }
    task(db, task_id).await
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Act {
    pub action: Action,
    #[serde(default)]
    pub opinion: String,
    /// For `transfer`: the colleague's username.
    pub to: Option<String>,
}

/// Acts on a task. Exactly one of several people acting at once succeeds; the others get a
/// conflict and nothing of theirs is applied.
pub async fn act(db: &Db, who: &Principal, task_id: i64, a: &Act) -> Result<Instance> {
    let t = task(db, task_id).await?;
    if !t.may_act(who) {
        return Err(Error::NotFound);
    }
    let inst = instance(db, t.instance_id).await?;
    let c = context(db, &inst).await?;
    let step = &c.def.steps[t.step as usize];
    if !step.actions.contains(&a.action) {
        return Err(Error::Conflict("err.action_not_allowed"));
    }
    if matches!(a.action, Action::Reject | Action::Supplement) && a.opinion.trim().is_empty() {
        return Err(Error::field("opinion", "field.required"));
    }
    let path = scope_path(db, &inst).await?;
    let now = clock::now();
    let mut tx = db.pool.begin().await?;
    lock(&mut tx, inst.id).await?;
    let running: Option<String> =
        sqlx::query_scalar("SELECT status FROM approval_instances WHERE id = $1")
            .bind(inst.id)
            .fetch_optional(&mut *tx)
            .await?;
    if running.as_deref() != Some("running") {
        return Err(Error::Conflict("err.approval_not_running"));
    }
    if a.action == Action::Transfer {
        let to =
            a.to.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| Error::field("to", "field.required"))?;
        let unknown = || {
            Error::Validation(vec![crate::error::FieldError::with(
                "to",
                "field.user_unknown",
                to,
            )])
        };
        let exists: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username = $1 AND active = 1")
                .bind(to)
                .fetch_one(&mut *tx)
                .await?;
        if exists == 0 {
            return Err(unknown());
        }
        let cands = serde_json::to_string(&vec![Candidate::User {
            username: to.into(),
        }])
        .map_err(anyhow::Error::from)?;
        let n = sqlx::query("UPDATE approval_tasks SET candidates = $1, claimed_by = NULL WHERE id = $2 AND status = 'open' AND (claimed_by IS NULL OR claimed_by = $3)")
            .bind(cands)
            .bind(task_id)
            .bind(&who.username)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(Error::Conflict("err.task_taken"));
        }
        record(
            &mut tx,
            who,
            &inst,
            &path,
            "approval.transfer",
            Some(&a.opinion),
            Some(json!({"task": task_id, "to": to})),
        )
        .await?;
        tx.commit().await?;
        return instance(db, inst.id).await;
    }
    if a.action == Action::Supplement {
        sqlx::query("UPDATE approval_instances SET status = 'paused', pause_reason = $1, paused_at = $2 WHERE id = $3")
            .bind(a.opinion.trim())
            .bind(&now)
            .bind(inst.id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            who,
            &inst,
            &path,
            "approval.supplement",
            Some(&a.opinion),
            Some(json!({"task": task_id, "step": step.name})),
        )
        .await?;
        tx.commit().await?;
        return instance(db, inst.id).await;
    }
    let action = serde_json::to_value(a.action)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let done = sqlx::query(
        "UPDATE approval_tasks SET status = 'done', done_at = $1, action = $2, opinion = $3, acted_by = $4 \
         WHERE id = $5 AND status = 'open' AND (claimed_by IS NULL OR claimed_by = $4)",
    )
    .bind(&now)
    .bind(&action)
    .bind(a.opinion.trim())
    .bind(&who.username)
    .bind(task_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 0 {
        return Err(Error::Conflict("err.task_taken"));
    }
    let cancel_open = "UPDATE approval_tasks SET status = 'cancelled', done_at = $1 WHERE instance_id = $2 AND status = 'open'";
    match a.action {
        Action::Pass => {
            let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM approval_tasks WHERE instance_id = $1 AND step = $2 AND status = 'open'")
                .bind(inst.id)
                .bind(t.step)
                .fetch_one(&mut *tx)
                .await?;
            if left == 0 {
                let next = t.step as usize + 1;
                if next < c.def.steps.len() {
                    sqlx::query("UPDATE approval_instances SET step = $1 WHERE id = $2")
                        .bind(next as i64)
                        .bind(inst.id)
                        .execute(&mut *tx)
                        .await?;
                    open_step(&mut tx, &c, inst.id, next).await?;
                } else {
                    sqlx::query("UPDATE approval_instances SET status = 'approved', finished_at = $1 WHERE id = $2").bind(&now).bind(inst.id).execute(&mut *tx).await?;
                }
            }
        }
        Action::Reject => {
            sqlx::query(cancel_open)
                .bind(&now)
                .bind(inst.id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE approval_instances SET status = 'rejected', finished_at = $1 WHERE id = $2",
            )
            .bind(&now)
            .bind(inst.id)
            .execute(&mut *tx)
            .await?;
        }
        Action::SendBack => {
            if t.step == 0 {
                return Err(Error::Conflict("err.action_not_allowed"));
            }
            sqlx::query(cancel_open)
                .bind(&now)
                .bind(inst.id)
                .execute(&mut *tx)
                .await?;
            let back = t.step as usize - 1;
            sqlx::query("UPDATE approval_instances SET step = $1 WHERE id = $2")
                .bind(back as i64)
                .bind(inst.id)
                .execute(&mut *tx)
                .await?;
            open_step(&mut tx, &c, inst.id, back).await?;
        }
        Action::Supplement | Action::Transfer => unreachable!("handled above"),
    }
    record(
        &mut tx,
        who,
        &inst,
        &path,
        &format!("approval.{action}"),
        Some(&a.opinion),
        Some(json!({"task": task_id, "step": step.name})),
    )
    .await?;
    tx.commit().await?;
    instance(db, inst.id).await
}

/// Resumes a paused instance (the supplement has arrived): its deadline and its open tasks'
/// deadlines move on by the working time spent waiting.
pub async fn resume(db: &Db, who: &Principal, id: i64) -> Result<Instance> {
    let inst = instance(db, id).await?;
    let path = scope_path(db, &inst).await?;
    let open = tasks(db, id)
        .await?
        .into_iter()
        .filter(|t| t.status == "open")
        .collect::<Vec<_>>();
    if !open.iter().any(|t| t.may_act(who)) && !who.can(Perm::StartApprovals, &path) {
        return Err(Error::Forbidden);
    }
    let paused_at = inst
        .paused_at
        .as_deref()
        .and_then(clock::from_db)
        .ok_or(Error::Conflict("err.approval_not_paused"))?;
    let cal = calendar_repo::calendar(db).await?;
    let hours = Hours::default();
    let now = now_cst();
    let waited = cal.working_minutes_between(
        paused_at.with_timezone(&clock::cst()).fixed_offset(),
        now,
        &hours,
    );
    let shift = |s: &str| -> String {
        clock::from_db(s)
            .map(|d| {
                at(cal.add_working_minutes(
                    d.with_timezone(&clock::cst()).fixed_offset(),
                    waited,
                    &hours,
                ))
            })
            .unwrap_or_else(|| s.to_string())
    };
    let mut tx = db.pool.begin().await?;
    lock(&mut tx, id).await?;
    let n = sqlx::query("UPDATE approval_instances SET status = 'running', pause_reason = NULL, paused_at = NULL, due_at = $1 WHERE id = $2 AND status = 'paused'")
        .bind(shift(&inst.due_at))
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(Error::Conflict("err.approval_not_paused"));
    }
    for t in &open {
        sqlx::query("UPDATE approval_tasks SET due_at = $1 WHERE id = $2")
            .bind(shift(&t.due_at))
            .bind(t.id)
            .execute(&mut *tx)
            .await?;
    }
    record(
        &mut tx,
        who,
        &inst,
        &path,
        "approval.resume",
        None,
        Some(json!({"waited_working_minutes": waited})),
    )
    .await?;
    tx.commit().await?;
    instance(db, id).await
}

/// Records every open task of a running application that has passed its deadline and was not
/// recorded yet: one `approval.overdue` audit entry each. Run every minute by the server (and
/// callable at any time); answers how many were recorded.
pub async fn record_overdue(db: &Db) -> Result<usize> {
    let now = clock::now();
    let late: Vec<(i64, i64, String, String, String)> = sqlx::query_as(
        "SELECT t.id, i.id, i.reference, t.step_name, o.path FROM approval_tasks t \
         JOIN approval_instances i ON i.id = t.instance_id JOIN org_units o ON o.id = i.unit_id \
         WHERE t.status = 'open' AND t.overdue_at IS NULL AND t.due_at < $1 AND i.status = 'running'",
    )
    .bind(&now)
    .fetch_all(&db.pool)
    .await?;
    let mut n = 0;
    for (task, inst, reference, step, path) in late {
        let mut tx = db.pool.begin().await?;
        let marked = sqlx::query(
            "UPDATE approval_tasks SET overdue_at = $1 WHERE id = $2 AND overdue_at IS NULL",
        )
        .bind(&now)
        .bind(task)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if marked == 1 {
            audit::record(
                &mut tx,
                &crate::audit::Actor {
                    user_id: None,
                    name: "system".into(),
                    ip: None,
                },
                Change {
                    action: "approval.overdue",
                    entity: "approval",
                    entity_id: inst.to_string(),
                    scope_path: &path,
                    summary: format!("{reference} {step}"),
                    before: None,
                    after: Some(json!({"task": task})),
                },
            )
            .await?;
            n += 1;
        }
        tx.commit().await?;
    }
    Ok(n)
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
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT i.id, o.path, m.department_code FROM approval_instances i \
         JOIN org_units o ON o.id = i.unit_id JOIN matters m ON m.code = i.matter_code ORDER BY i.due_at, i.id",
    )
    .fetch_all(&db.pool)
    .await?;
    let units = org::list(db).await?;
    let cal = calendar_repo::calendar(db).await?;
    let hours = Hours::default();
    let now = Utc::now();
    let mut out = Vec::new();
    for (id, path, dept) in rows {
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
        let inst = instance(db, id).await?;
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
