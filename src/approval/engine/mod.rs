//! The approval engine: runs an application through the workflow version it started on. Each step
//! opens tasks (one per countersigning party, or one shared by several candidates); people act —
//! pass, reject, request supplement or start a special procedure (both stop the clock), send back,
//! transfer — and the instance moves on. What an action does is decided by the storage-free rules
//! in [`super::machine`]; this module loads the standing, applies the outcome and answers what is
//! open next. Deadlines are working time on the calendar. Every transition is one transaction that
//! first locks the instance row with a guarded update (still running, still on the task's step),
//! so two people acting at once cannot both succeed; each lands in the audit trail, which is also
//! the instance's history.

pub mod attachments;
mod cache;
mod case;
mod overdue;
mod steps;
mod views;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::definition::Action;
use super::machine::{Procedure, Refusal};
use super::{calendar_repo, workflow_repo};
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal, Role};
use crate::clock;
use crate::error::{Error, FieldError, Result};
use crate::org;
use crate::storage::Db;

pub use case::{Case, case};
pub use overdue::record_overdue;
pub use steps::backfill_candidates;
use steps::{StepCtx, deadline, store_candidates};
pub use views::{
    InboxItem, InboxQuery, Supervise, Supervised, inbox, instance, involved, supervise, tasks,
    timing,
};

/// Who may act on a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Candidate {
    /// Holders of `role` granted at this unit or inside it (a street's hall belongs to the street)
    /// — and, for window clerks, at the application's hall or above it (`hall_path`): a clerk
    /// serves the hall they work at, as accepting does, not another hall of the street.
    Role {
        role: Role,
        unit_path: String,
        unit_name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hall_path: Option<String>,
    },
    User {
        username: String,
    },
}

/// Whether a grant at `grant` serves a role candidate at `unit` (bound to the hall `hall`, for
/// clerks): inside the unit, and at the hall or above it.
pub fn serves(grant: &str, unit: &str, hall: Option<&str>) -> bool {
    grant.starts_with(unit) && hall.is_none_or(|h| h.starts_with(grant))
}

impl Candidate {
    pub(crate) fn matches(&self, p: &Principal) -> bool {
        if p.system {
            return true;
        }
        match self {
            Candidate::Role {
                role,
                unit_path,
                hall_path,
                ..
            } => p
                .grants
                .iter()
                .any(|g| g.role == *role && serves(&g.unit_path, unit_path, hall_path.as_deref())),
            Candidate::User { username } => p.username == *username,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Instance {
    pub id: i64,
    pub matter_code: String,
    pub matter_version: i64,
    pub workflow_version: i64,
    pub reference: String,
    pub unit_id: i64,
    pub status: super::machine::Status,
    pub step: i64,
    /// Why the clock stopped: `supplement` or `special:<procedure>`.
    pub pause_kind: Option<String>,
    pub pause_reason: Option<String>,
    pub paused_at: Option<String>,
    pub started_at: String,
    /// When it turns yellow: 80% of its working time used.
    pub warn_at: String,
    pub due_at: String,
    pub finished_at: Option<String>,
    pub created_by: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Task {
    pub id: i64,
    pub instance_id: i64,
    pub step: i64,
    pub step_name: String,
    /// JSON list of [`Candidate`].
    pub candidates: String,
    pub claimed_by: Option<String>,
    pub status: super::machine::TaskStatus,
    pub started_at: String,
    /// When it turns yellow: 80% of its working time used.
    pub warn_at: String,
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

/// A task waiting for someone, as answered after each transition.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OpenTask {
    pub id: i64,
    pub step: i64,
    pub step_name: String,
    pub due_at: String,
}

/// An application after a transition, with what is open next (so a client can go on without
/// reading its inbox again).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Progress {
    #[serde(flatten)]
    pub instance: Instance,
    pub open_tasks: Vec<OpenTask>,
}

fn at(t: DateTime<FixedOffset>) -> String {
    clock::to_db(t.with_timezone(&Utc))
}

fn now_cst(clock: &clock::Clock) -> DateTime<FixedOffset> {
    clock.now_utc().with_timezone(&clock::cst()).fixed_offset()
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
pub async fn start(db: &Db, who: &Principal, s: &Start) -> Result<Progress> {
    let mut tx = db.begin().await?;
    let p = start_in(db, &mut tx, who, s).await?;
    tx.commit().await?;
    Ok(p)
}

/// [`start`] inside the caller's transaction, so that what starts it (an application's
/// acceptance) and the start commit together or not at all. Reads go to `db`; every write to `tx`.
pub async fn start_in(
    db: &Db,
    tx: &mut crate::storage::Tx,
    who: &Principal,
    s: &Start,
) -> Result<Progress> {
    begin(db, tx, who, s, false).await
}

/// Starts an internal process (a payment request, …) on its internal matter — one kept out of
/// the public catalog (status `internal`) whose workflow is configured like any other. The caller
/// has checked who may start it; the instance is then an approval like every other one.
pub async fn start_internal(
    db: &Db,
    tx: &mut crate::storage::Tx,
    who: &Principal,
    s: &Start,
) -> Result<Progress> {
    begin(db, tx, who, s, true).await
}

async fn begin(
    db: &Db,
    tx: &mut crate::storage::Tx,
    who: &Principal,
    s: &Start,
    internal: bool,
) -> Result<Progress> {
    let units = org::list(db).await?;
    let unit = units
        .iter()
        .find(|u| u.code == s.unit_code)
        .cloned()
        .ok_or_else(|| {
            Error::Validation(vec![FieldError::with(
                "unit_code",
                "field.unit_unknown",
                &s.unit_code,
            )])
        })?;
    if !internal && !who.can(Perm::StartApprovals, &unit.path) {
        return Err(Error::Forbidden);
    }
    let row: Option<(String, Option<i64>, Option<i64>)> = crate::storage::query_as(
        "SELECT m.status, m.published_version, (SELECT MAX(w.version) FROM workflow_defs w \
         WHERE w.matter_code = m.code AND w.status = 'published') FROM matters m WHERE m.code = $1",
    )
    .bind(&s.matter_code)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((status, Some(matter_version), Some(workflow_version))) = row else {
        return Err(Error::NotFound);
    };
    if status != if internal { "internal" } else { "published" } {
        return Err(Error::NotFound);
    }
    let matter = cache::matter(db, &s.matter_code, matter_version).await?;
    let def = workflow_repo::published(db, &s.matter_code, workflow_version).await?;
    let cal = calendar_repo::calendar(db).await?;
    // Deadlines count the hall's own working hours (the default when it has set none).
    let hours = calendar_repo::hours(db, unit.id).await?;
    let now = now_cst(db.clock());
    let (warn, due) = deadline(&cal, &hours, now, matter.promised_days);
    let id: i64 = crate::storage::query_scalar(
        "INSERT INTO approval_instances (matter_code, matter_version, workflow_version, reference, unit_id, \
         status, step, started_at, warn_at, due_at, created_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'running', 0, $6, $7, $8, $9, $6) RETURNING id",
    )
    .bind(&s.matter_code)
    .bind(matter_version)
    .bind(workflow_version)
    .bind(&s.reference)
    .bind(unit.id)
    .bind(at(now))
    .bind(&warn)
    .bind(&due)
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
        status: crate::approval::machine::Status::Running,
        step: 0,
        pause_kind: None,
        pause_reason: None,
        paused_at: None,
        started_at: at(now),
        warn_at: warn,
        due_at: due,
        finished_at: None,
        created_by: who.username.clone(),
    };
    let ctx = StepCtx {
        def,
        app_unit: unit.clone(),
        dept: matter.department.clone(),
        units,
        cal,
        hours,
    };
    let open_tasks = ctx.open(tx, id, 0).await?;
    record(
        tx,
        who,
        &inst,
        &unit.path,
        "approval.start",
        "",
        json!({"matter": s.matter_code, "reference": s.reference}),
    )
    .await?;
    Ok(Progress {
        instance: inst,
        open_tasks,
    })
}

async fn record(
    conn: &mut crate::storage::Tx,
    who: &Principal,
    inst: &Instance,
    path: &str,
    action: &str,
    opinion: &str,
    after: serde_json::Value,
) -> Result<()> {
    audit::record(
        conn,
        &who.actor(),
        Change {
            action,
            entity: "approval",
            entity_id: inst.id.to_string(),
            scope_path: path,
            summary: format!("{} {}", inst.reference, opinion.trim())
                .trim()
                .to_string(),
            before: None,
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// Open tasks of an instance, read in the caller's transaction.
async fn open_tasks(conn: &mut crate::storage::Tx, instance: i64) -> Result<Vec<OpenTask>> {
    let rows: Vec<(i64, i64, String, String)> = crate::storage::query_as(
        "SELECT id, step, step_name, due_at FROM approval_tasks WHERE instance_id = $1 AND status = 'open' ORDER BY id",
    )
    .bind(instance)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, step, step_name, due_at)| OpenTask {
            id,
            step,
            step_name,
            due_at,
        })
        .collect())
}

pub async fn claim(db: &Db, who: &Principal, task_id: i64, claim: bool) -> Result<Task> {
    let t = views::task(db, task_id).await?;
    if !t.may_act(who) {
        return Err(Error::NotFound);
    }
    if claim {
        // Nobody claims their own application or request: they could only hold it up.
        if !who.system && act::owner(db, t.instance_id).await?.as_deref() == Some(&who.username) {
            return Err(Error::Conflict("err.own_application"));
        }
        // Nobody claims a step they may not act on (separation of duties).
        let inst = instance(db, t.instance_id).await?;
        let def = workflow_repo::published(db, &inst.matter_code, inst.workflow_version).await?;
        act::separated(db, &def, inst.id, t.step as usize, who).await?;
    }
    let q = if claim {
        "UPDATE approval_tasks SET claimed_by = $1 WHERE id = $2 AND status = 'open' AND claimed_by IS NULL"
    } else {
        "UPDATE approval_tasks SET claimed_by = NULL WHERE id = $2 AND status = 'open' AND claimed_by = $1"
    };
    let n = crate::storage::query(q)
        .bind(&who.username)
        .bind(task_id)
        .execute(&db)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(Error::Conflict("err.task_taken"));
    }
    views::task(db, task_id).await
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = ApprovalAct)]
pub struct Act {
    pub action: Action,
    #[serde(default)]
    pub opinion: String,
    /// For `transfer`: the colleague's username.
    pub to: Option<String>,
    /// For `special`: which special procedure starts.
    pub procedure: Option<Procedure>,
    /// Files the approver uploaded beforehand (`POST /api/v1/files`) to attach to this action.
    #[serde(default)]
    pub attachments: Vec<i64>,
}

fn refused(r: Refusal) -> Error {
    match r {
        Refusal::NotRunning => Error::Conflict("err.approval_not_running"),
        Refusal::NotAllowed => Error::Conflict("err.action_not_allowed"),
        Refusal::OpinionRequired => Error::field("opinion", "field.required"),
        Refusal::ProcedureRequired => Error::field("procedure", "field.required"),
    }
}

mod act;
mod resume;

pub use act::{act, act_with, owner};
pub use resume::{may_resume, resume};
