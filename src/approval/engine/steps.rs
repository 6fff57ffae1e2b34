//! Opening a step: who may act (a role at a unit relative to the application, or named people),
//! resolved when the step opens and kept twice — as JSON on the task for showing and checking, and
//! as rows in `approval_task_candidates` that inbox queries use — and when it falls due.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

use super::{Candidate, Instance, OpenTask, at, cache, now_cst};
use crate::approval::calendar::{Calendar, Hours};
use crate::approval::calendar_repo;
use crate::approval::definition::{ActorSpec, WorkflowDef};
use crate::error::{Error, Result};
use crate::org::{self, Unit};
use crate::storage::Db;

fn candidates(
    spec: &ActorSpec,
    app_unit: &Unit,
    dept: &str,
    units: &[Unit],
) -> Result<Vec<Candidate>> {
    Ok(match spec {
        ActorSpec::Role { role, at } => {
            let u = at
                .resolve(app_unit, dept, units)
                .ok_or(Error::Conflict("err.wf_no_unit"))?;
            // A window clerk acts at the application's hall (or above it), as accepting does.
            // (Only a hall binds: an approval started at another unit keeps the unit rule.)
            let hall_path = (*role == crate::auth::Role::WindowClerk
                && app_unit.kind == crate::org::Kind::Hall)
                .then(|| app_unit.path.clone());
            vec![Candidate::Role {
                role: *role,
                unit_path: u.path,
                unit_name: u.name,
                hall_path,
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

/// The deadline `days` working days after `from`, and the moment 80% of that working time is
/// used (the yellow warning). A 0-day (即办, "done on the spot") limit falls due when the working
/// day it starts in closes — the next working day's close when it starts outside working time.
pub(super) fn deadline(
    cal: &Calendar,
    hours: &Hours,
    from: DateTime<FixedOffset>,
    days: crate::days::WorkingDays,
) -> (String, String) {
    let total = match days.get() {
        0 => {
            let start = cal.add_working_minutes(from, 0, hours);
            let midnight = start
                .date_naive()
                .succ_opt()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .and_then(|d| d.and_local_timezone(*start.offset()).single())
                .unwrap_or(start);
            cal.working_minutes_between(from, midnight, hours)
        }
        n => i64::from(n) * hours.minutes_per_day(),
    };
    (
        at(cal.add_working_minutes(from, (total * 8 + 9) / 10, hours)),
        at(cal.add_working_minutes(from, total, hours)),
    )
}

/// Records who may act on a task, one row per candidate (see migration 0009).
pub(super) async fn store_candidates(
    conn: &mut crate::storage::Tx,
    task: i64,
    cands: &[Candidate],
) -> Result<()> {
    for c in cands {
        let (role, path, hall, user) = match c {
            Candidate::Role {
                role,
                unit_path,
                hall_path,
                ..
            } => (
                Some(role.as_str()),
                Some(unit_path.as_str()),
                hall_path.as_deref(),
                None,
            ),
            Candidate::User { username } => (None, None, None, Some(username.as_str())),
        };
        crate::storage::query("INSERT INTO approval_task_candidates (task_id, role, unit_path, hall_path, username) VALUES ($1, $2, $3, $4, $5)")
            .bind(task)
            .bind(role)
            .bind(path)
            .bind(hall)
            .bind(user)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Fills in the candidate rows of open tasks opened before they were kept (migration 0009); run
/// at start-up, a single query when there is nothing to do.
pub async fn backfill_candidates(db: &Db) -> Result<usize> {
    let rows: Vec<(i64, String)> = crate::storage::query_as(
        "SELECT t.id, t.candidates FROM approval_tasks t WHERE t.status = 'open' AND NOT EXISTS \
         (SELECT 1 FROM approval_task_candidates c WHERE c.task_id = t.id)",
    )
    .fetch_all(&db)
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    for (id, json) in &rows {
        let cands: Vec<Candidate> = serde_json::from_str(json).unwrap_or_default();
        store_candidates(&mut tx, *id, &cands).await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

/// What opening a step needs: the definition, the application's unit, the owning department,
/// the org tree and the calendar.
pub(super) struct StepCtx {
    pub(super) def: Arc<WorkflowDef>,
    pub(super) app_unit: Unit,
    pub(super) dept: String,
    pub(super) units: Arc<Vec<Unit>>,
    pub(super) cal: Arc<Calendar>,
    pub(super) hours: Hours,
}

impl StepCtx {
    pub(super) async fn load(db: &Db, inst: &Instance, def: Arc<WorkflowDef>) -> Result<StepCtx> {
        let matter = cache::matter(db, &inst.matter_code, inst.matter_version).await?;
        let units = org::list(db).await?;
        let app_unit = units
            .iter()
            .find(|u| u.id == inst.unit_id)
            .cloned()
            .ok_or(Error::NotFound)?;
        let hours = calendar_repo::hours(db, app_unit.id).await?;
        Ok(StepCtx {
            def,
            app_unit,
            dept: matter.department.clone(),
            units,
            cal: calendar_repo::calendar(db).await?,
            hours,
        })
    }

    /// Everyone the step's definition names, resolved for this application.
    pub(super) fn candidates_of(&self, step: usize) -> Result<Vec<Candidate>> {
        let mut out = Vec::new();
        for a in self
            .def
            .steps
            .get(step)
            .map(|s| s.actors.as_slice())
            .unwrap_or(&[])
        {
            out.extend(candidates(a, &self.app_unit, &self.dept, &self.units)?);
        }
        Ok(out)
    }

    /// Opens the tasks of `step` in the caller's transaction and answers them.
    pub(super) async fn open(
        &self,
        conn: &mut crate::storage::Tx,
        instance: i64,
        step: usize,
    ) -> Result<Vec<OpenTask>> {
        let s = &self.def.steps[step];
        let now = now_cst(conn.clock());
        let (warn, due) = deadline(&self.cal, &self.hours, now, s.limit_days);
        let mut groups: Vec<Vec<Candidate>> = Vec::new();
        for a in &s.actors {
            let c = candidates(a, &self.app_unit, &self.dept, &self.units)?;
            match groups.last_mut() {
                Some(all) if !s.countersign => all.extend(c),
                _ => groups.push(c),
            }
        }
        let mut out = Vec::new();
        for g in groups {
            let id: i64 = crate::storage::query_scalar(
                "INSERT INTO approval_tasks (instance_id, step, step_name, candidates, status, started_at, warn_at, due_at) \
                 VALUES ($1, $2, $3, $4, 'open', $5, $6, $7) RETURNING id",
            )
            .bind(instance)
            .bind(step as i64)
            .bind(&s.name)
            .bind(serde_json::to_string(&g).map_err(anyhow::Error::from)?)
            .bind(at(now))
            .bind(&warn)
            .bind(&due)
            .fetch_one(&mut *conn)
            .await?;
            store_candidates(conn, id, &g).await?;
            out.push(OpenTask {
                id,
                step: step as i64,
                step_name: s.name.clone(),
                due_at: due.clone(),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, FixedOffset};

    use super::deadline;
    use crate::approval::calendar::{Calendar, Hours};

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn due(from: &str, days: u16) -> (String, String) {
        let days = crate::days::WorkingDays::of(days);
        let (warn, due) = deadline(&Calendar::shipped(), &Hours::default(), t(from), days);
        (warn[..16].to_string(), due[..16].to_string())
    }

    #[test]
    fn an_on_the_spot_step_is_due_when_its_working_day_closes() {
        // Wednesday 30 September 2026, 10:00 China time: due 18:00 that day (10:00 UTC); six
        // working hours are left (10–12, 14–18), so the warning comes at 80% of them, 16:48
        // (08:48 UTC).
        assert_eq!(
            due("2026-09-30T10:00:00+08:00", 0),
            ("2026-09-30T08:48".into(), "2026-09-30T10:00".into())
        );
        // After hours on the eve of National Day: due when 8 October, the first working day
        // after the holiday, closes.
        assert_eq!(
            due("2026-09-30T19:00:00+08:00", 0).1,
            "2026-10-08T10:00".to_string()
        );
        // One working day from 10:00: 10:00 the next working day (the holiday skipped).
        assert_eq!(
            due("2026-09-30T10:00:00+08:00", 1).1,
            "2026-10-08T02:00".to_string()
        );
    }
}
