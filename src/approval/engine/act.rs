//! Acting on a task: loads the task with its application in one read, checks the action against
//! the step, takes the instance lock with a guarded update, lets [`machine::decide`] say what
//! happens, applies it and records it — all or nothing.

use serde_json::json;

use super::views::{INSTANCE_COLS, INSTANCE_WIDTH, TASK_COLS, TASK_WIDTH, instance_at, task_at};
use super::{
    Act, Candidate, Instance, OpenTask, Progress, StepCtx, open_tasks, record, refused,
    store_candidates,
};
use crate::approval::definition::Action;
use crate::approval::machine::{self, Outcome, Refusal, Standing, Status};
use crate::approval::workflow_repo;
use crate::auth::Principal;
use crate::error::{Error, FieldError, Result};
use crate::files;
use crate::storage::Db;

/// Acts on a task. Exactly one of several people acting at once succeeds; the others get a
/// conflict and nothing of theirs is applied.
pub async fn act(db: &Db, who: &Principal, task_id: i64, a: &Act) -> Result<Progress> {
    act_with(db, who, task_id, a, &[]).await
}

/// The longest opinion kept (a notice prints it).
const MAX_OPINION: usize = 2000;

/// Acts on a task, attaching files uploaded with the action (a page's form) besides those
/// uploaded beforehand (`a.attachments`): they are checked first and stored in the action's
/// transaction, so a refused action keeps none of them.
pub async fn act_with(
    db: &Db,
    who: &Principal,
    task_id: i64,
    a: &Act,
    uploads: &[(String, Vec<u8>)],
) -> Result<Progress> {
    let uploads = uploads
        .iter()
        .map(|(name, bytes)| files::check(name, bytes))
        .collect::<Result<Vec<_>>>()?;
    let row = crate::storage::query(format!(
        "SELECT {TASK_COLS}, {INSTANCE_COLS}, o.path, \
         COALESCE((SELECT a.applicant FROM applications a WHERE a.instance_id = i.id), \
         (SELECT i.created_by FROM matters m WHERE m.code = i.matter_code AND m.status = 'internal')) \
         FROM approval_tasks t \
         JOIN approval_instances i ON i.id = t.instance_id JOIN org_units o ON o.id = i.unit_id \
         WHERE t.id = $1"
    ))
    .bind(task_id)
    .fetch_optional(&db)
    .await?
    .ok_or(Error::NotFound)?;
    let t = task_at(&row, 0)?;
    let mut inst = instance_at(&row, TASK_WIDTH)?;
    let path: String = row.try_get(TASK_WIDTH + INSTANCE_WIDTH)?;
    if !t.may_act(who) {
        return Err(Error::NotFound);
    }
    // Nobody decides their own application — nor an internal request they made themselves (the
    // 经办人 of a payment request never approves it: 四眼原则).
    let applicant: Option<String> = row.try_get(TASK_WIDTH + INSTANCE_WIDTH + 1)?;
    if !who.system && applicant.as_deref() == Some(who.username.as_str()) {
        return Err(Error::Conflict("err.own_application"));
    }
    let def = workflow_repo::published(db, &inst.matter_code, inst.workflow_version).await?;
    let step = t.step as usize;
    let mut bad = Vec::new();
    crate::text::check("opinion", &a.opinion, MAX_OPINION, &mut bad);
    if !bad.is_empty() {
        return Err(Error::Validation(bad));
    }
    machine::check(&def, step, a.action, &a.opinion, a.procedure).map_err(refused)?;
    separated(db, &def, inst.id, step, who).await?;
    if inst.status != crate::approval::machine::Status::Running {
        return Err(refused(Refusal::NotRunning));
    }
    if t.status != crate::approval::machine::TaskStatus::Open {
        return Err(Error::Conflict("err.task_taken"));
    }
    let mut files = super::attachments::own(db, who, &a.attachments, uploads.len()).await?;
    let transfer_to = match a.action {
        Action::Transfer => {
            let holder = Holder {
                from: who,
                task: &t,
                inst: &inst,
                def: &def,
                owner: applicant.as_deref(),
            };
            Some(holder.colleague(db, a.to.as_deref()).await?)
        }
        _ => None,
    };
    // A pass may open the next step and a send-back the previous one: load what opening needs
    // before taking a connection for the transaction.
    let ctx = match a.action {
        Action::Pass if step + 1 < def.steps.len() => {
            Some(StepCtx::load(db, &inst, def.clone()).await?)
        }
        Action::SendBack => Some(StepCtx::load(db, &inst, def.clone()).await?),
        _ => None,
    };
    let now = db.now();
    let action = serde_json::to_value(a.action)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let decide = |others_open: usize| {
        let standing = Standing {
            status: Status::Running,
            step,
            others_open,
        };
        machine::decide(&def, &standing, step, a.action, &a.opinion, a.procedure).map_err(refused)
    };
    let mut tx = db.begin().await?;
    // The guarded update of the instance is its lock. Without a countersign the outcome is known
    // beforehand, so lock and change are one statement; a countersign first locks, then counts
    // the parties still to act.
    let outcome = if def.steps[step].countersign {
        guarded(&mut tx, &inst, &now, Outcome::Waiting, a).await?;
        let others_open: i64 = crate::storage::query_scalar(
            "SELECT COUNT(*) FROM approval_tasks WHERE instance_id = $1 AND step = $2 AND status = 'open' AND id <> $3",
        )
        .bind(inst.id)
        .bind(t.step)
        .bind(task_id)
        .fetch_one(&mut tx)
        .await?;
        let outcome = decide(others_open as usize)?;
        if outcome != Outcome::Waiting {
            guarded(&mut tx, &inst, &now, outcome, a).await?;
        }
        outcome
    } else {
        let outcome = decide(0)?;
        guarded(&mut tx, &inst, &now, outcome, a).await?;
        outcome
    };
    let mut after = json!({"task": task_id, "step": def.steps[step].name});
    let mut next: Option<Vec<OpenTask>> = None;
    match outcome {
        Outcome::Transferred => {
            let to = transfer_to.unwrap_or_default();
            let cands = vec![Candidate::User {
                username: to.clone(),
            }];
            let n = crate::storage::query("UPDATE approval_tasks SET candidates = $1, claimed_by = NULL WHERE id = $2 AND status = 'open' AND (claimed_by IS NULL OR claimed_by = $3)")
                .bind(serde_json::to_string(&cands).map_err(anyhow::Error::from)?)
                .bind(task_id)
                .bind(&who.username)
                .execute(&mut tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(Error::Conflict("err.task_taken"));
            }
            crate::storage::query("DELETE FROM approval_task_candidates WHERE task_id = $1")
                .bind(task_id)
                .execute(&mut tx)
                .await?;
            store_candidates(&mut tx, task_id, &cands).await?;
            after = json!({"task": task_id, "to": to});
        }
        Outcome::Paused(p) => {
            if let Some(proc_) = a.procedure.filter(|_| a.action == Action::Special) {
                after["procedure"] = json!(proc_.as_str());
            }
            inst.status = crate::approval::machine::Status::Paused;
            inst.pause_kind = Some(p.kind());
            inst.pause_reason = Some(a.opinion.trim().to_string());
            inst.paused_at = Some(now.clone());
        }
        _ => {
            let done = crate::storage::query(
                "UPDATE approval_tasks SET status = 'done', done_at = $1, action = $2, opinion = $3, acted_by = $4 \
                 WHERE id = $5 AND status = 'open' AND (claimed_by IS NULL OR claimed_by = $4)",
            )
            .bind(&now)
            .bind(&action)
            .bind(a.opinion.trim())
            .bind(&who.username)
            .bind(task_id)
            .execute(&mut tx)
            .await?
            .rows_affected();
            if done == 0 {
                return Err(Error::Conflict("err.task_taken"));
            }
            if matches!(outcome, Outcome::Rejected | Outcome::SentBack { .. }) {
                crate::storage::query("UPDATE approval_tasks SET status = 'cancelled', done_at = $1 WHERE instance_id = $2 AND status = 'open'")
                    .bind(&now)
                    .bind(inst.id)
                    .execute(&mut tx)
                    .await?;
            }
            match outcome {
                Outcome::Advance { step: n } | Outcome::SentBack { step: n } => {
                    let ctx = ctx.as_ref().ok_or(Error::NotFound)?;
                    next = Some(ctx.open(&mut tx, inst.id, n).await?);
                    inst.step = n as i64;
                }
                Outcome::Approved | Outcome::Rejected => {
                    let status = outcome.finished().unwrap_or(Status::Rejected);
                    inst.status = status;
                    inst.finished_at = Some(now.clone());
                    next = Some(Vec::new());
                }
                _ => {}
            }
        }
    }
    for u in &uploads {
        files.push(files::put(&mut tx, who, u).await?);
    }
    if !files.is_empty() {
        super::attachments::attach(&mut tx, inst.id, task_id, &who.username, &files, &now).await?;
        after["attachments"] = json!(
            files
                .iter()
                .map(|f| json!({"id": f.id, "name": f.name}))
                .collect::<Vec<_>>()
        );
    }
    record(
        &mut tx,
        who,
        &inst,
        &path,
        &format!("approval.{action}"),
        &a.opinion,
        after,
    )
    .await?;
    let open_tasks = match next {
        Some(v) => v,
        None => open_tasks(&mut tx, inst.id).await?,
    };
    tx.commit().await?;
    if inst.status == crate::approval::machine::Status::Approved
        && let Err(e) = crate::applications::on_approved(db, inst.id).await
    {
        // The approval stands; what follows it is logged for the desk to redo.
        tracing::error!(instance = inst.id, error = %e, "after-approval steps failed");
    }
    if inst.status == crate::approval::machine::Status::Paused
        && a.action == crate::approval::definition::Action::Supplement
        && let Err(e) = crate::applications::on_supplement_asked(db, inst.id, who, &a.opinion).await
    {
        tracing::error!(instance = inst.id, error = %e, "telling of a supplement failed");
    }
    if inst.status == crate::approval::machine::Status::Paused
        && a.action == crate::approval::definition::Action::Special
        && let Err(e) = crate::applications::on_special_started(
            db,
            inst.id,
            a.procedure
                .unwrap_or(crate::approval::machine::Procedure::Other),
            &a.opinion,
        )
        .await
    {
        tracing::error!(instance = inst.id, error = %e, "telling of a special procedure failed");
    }
    if inst.status == crate::approval::machine::Status::Rejected
        && let Err(e) = crate::applications::on_refused(db, inst.id, &a.opinion).await
    {
        tracing::error!(instance = inst.id, error = %e, "after-refusal steps failed");
    }
    Ok(Progress {
        instance: inst,
        open_tasks,
    })
}

/// A task, its approval and definition, and whose application or request it is: what deciding
/// who may take the task over needs.
struct Holder<'a> {
    /// Who hands the task over.
    from: &'a Principal,
    task: &'a super::Task,
    inst: &'a Instance,
    def: &'a std::sync::Arc<crate::approval::definition::WorkflowDef>,
    owner: Option<&'a str>,
}

impl Holder<'_> {
    /// The colleague a task is transferred to: an active account who could hold the step — one
    /// the task's people include (the step's, once it was transferred to a named person), or a
    /// colleague holding the same role at the same unit as the one handing it over — and never
    /// the application's applicant or the request's requester, nor someone the four-eyes rule
    /// keeps off this step.
    async fn colleague(&self, db: &Db, to: Option<&str>) -> Result<String> {
        let to = to
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::field("to", "field.required"))?;
        let exists: i64 = crate::storage::query_scalar(
            "SELECT COUNT(*) FROM users WHERE username = $1 AND active = 1",
        )
        .bind(to)
        .fetch_one(&db)
        .await?;
        if exists == 0 {
            return Err(Error::Validation(vec![FieldError::with(
                "to",
                "field.user_unknown",
                to,
            )]));
        }
        let p = crate::auth::principal_of(db, to).await?;
        let mut cands = self.task.candidates();
        if !cands.iter().any(|c| matches!(c, Candidate::Role { .. })) {
            let ctx = StepCtx::load(db, self.inst, self.def.clone()).await?;
            cands.extend(ctx.candidates_of(self.task.step as usize)?);
        }
        let step = self.task.step as usize;
        let colleague = p.grants.iter().any(|g| {
            g.role != crate::auth::Role::Citizen
                && self
                    .from
                    .grants
                    .iter()
                    .any(|h| h.role == g.role && h.unit_path == g.unit_path)
        });
        let may = (colleague || cands.iter().any(|c| c.matches(&p)))
            && self.owner != Some(to)
            && separated(db, self.def, self.inst.id, step, &p)
                .await
                .is_ok();
        if !may {
            return Err(Error::Validation(vec![FieldError::with(
                "to",
                "field.transfer_to",
                to,
            )]));
        }
        Ok(to.to_string())
    }
}

/// Whose application or request an approval is: the applicant, or for an internal request the
/// one who made it; they never decide it.
pub async fn owner(db: &Db, instance: i64) -> Result<Option<String>> {
    Ok(crate::storage::query_scalar(
        "SELECT COALESCE((SELECT a.applicant FROM applications a WHERE a.instance_id = i.id), \
         (SELECT i.created_by FROM matters m WHERE m.code = i.matter_code AND m.status = 'internal')) \
         FROM approval_instances i WHERE i.id = $1",
    )
    .bind(instance)
    .fetch_optional(&db)
    .await?
    .flatten())
}

/// Applies `outcome` to the instance row, only while it is still running on the task's step;
/// this update is also the row's lock for the transaction. No row: someone else moved it first,
/// and the conflict says which way.
async fn guarded(
    conn: &mut crate::storage::Tx,
    inst: &Instance,
    now: &str,
    outcome: Outcome,
    a: &Act,
) -> Result<()> {
    let set = match outcome {
        Outcome::Advance { .. } | Outcome::SentBack { .. } => "step = $4",
        Outcome::Approved | Outcome::Rejected => "status = $4, finished_at = $1",
        Outcome::Paused(_) => {
            "status = 'paused', pause_kind = $4, pause_reason = $5, paused_at = $1"
        }
        Outcome::Waiting | Outcome::Transferred => "step = step",
    };
    let sql = format!(
        "UPDATE approval_instances SET updated_at = $1, {set} WHERE id = $2 AND status = 'running' AND step = $3"
    );
    let mut q = crate::storage::query(sql)
        .bind(now.to_string())
        .bind(inst.id)
        .bind(inst.step);
    q = match outcome {
        Outcome::Advance { step: n } | Outcome::SentBack { step: n } => q.bind(n as i64),
        Outcome::Approved | Outcome::Rejected => {
            q.bind(outcome.finished().unwrap_or(Status::Rejected).as_str())
        }
        Outcome::Paused(p) => q.bind(p.kind()).bind(a.opinion.trim().to_string()),
        Outcome::Waiting | Outcome::Transferred => q,
    };
    if q.execute(&mut *conn).await?.rows_affected() == 1 {
        return Ok(());
    }
    let status: String =
        crate::storage::query_scalar("SELECT status FROM approval_instances WHERE id = $1")
            .bind(inst.id)
            .fetch_one(&mut *conn)
            .await?;
    Err(if status == "running" {
        Error::Conflict("err.task_taken")
    } else {
        refused(Refusal::NotRunning)
    })
}

/// Separation of duties: refuses `who` a step of `def` (at index `step`) that is one of the
/// separated steps when they acted on another of them in approval `instance`.
pub(super) async fn separated(
    db: &Db,
    def: &crate::approval::definition::WorkflowDef,
    instance: i64,
    step: usize,
    who: &Principal,
) -> Result<()> {
    let key = def.steps.get(step).map(|s| s.key.as_str()).unwrap_or("");
    if who.system || !def.separate.iter().any(|k| k == key) {
        return Ok(());
    }
    let acted: Vec<i64> = crate::storage::query_scalar(
        "SELECT step FROM approval_tasks WHERE instance_id = $1 AND acted_by = $2 AND status = 'done'",
    )
    .bind(instance)
    .bind(&who.username)
    .fetch_all(&db)
    .await?;
    let other = acted.iter().any(|s| {
        def.steps
            .get(*s as usize)
            .is_some_and(|d| d.key != key && def.separate.contains(&d.key))
    });
    if other {
        return Err(Error::Conflict("err.four_eyes_step"));
    }
    Ok(())
}
