//! Warnings before a deduction (扣分预警): an approval about to go overdue (its yellow time has
//! come) or already past its deadline, which will cost the on-time rate; a poor rating or a
//! complaint whose follow-up is not answered yet, which will cost the rectification rate; and an
//! indicator that, at the rate so far, ends the period below its target. Each links to the thing
//! to act on.

use serde::Serialize;

use super::assessment::{Assessment, Tree};
use super::targets::Targets;
use crate::error::Result;
use crate::org::Unit;
use crate::storage::{Db, query_as};

/// Most warnings of one kind listed.
pub const MAX_LISTED: usize = 50;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = StatsWarning)]
pub struct Warning {
    /// `overdue_soon`, `overdue`, `followup_due` or `indicator`.
    pub kind: String,
    /// The application number, the follow-up's application, or the indicator's key.
    pub subject: String,
    pub matter: Option<String>,
    /// When it falls due (stored UTC), for approvals and follow-ups.
    pub due_at: Option<String>,
    /// For an indicator: its value so far and its target.
    pub value: Option<f64>,
    pub target: Option<f64>,
    /// For an indicator: the points it costs.
    pub points: Option<f64>,
    /// Where to act on it.
    pub link: String,
}

/// The indicators of `a` that miss their target at the rate so far, with the points each costs.
pub fn indicators(a: &Assessment, t: &Targets) -> Vec<Warning> {
    t.rules
        .iter()
        .filter(|r| t.met(a, &r.key) == Some(false))
        .map(|r| Warning {
            kind: "indicator".into(),
            subject: r.key.clone(),
            matter: None,
            due_at: None,
            value: a.value(&r.key),
            target: Some(r.target),
            points: Some(r.points),
            link: format!("#ind-{}", r.key),
        })
        .collect()
}

/// Approvals at or past their yellow time, and unanswered poor follow-ups, inside `scope`.
pub async fn pending(db: &Db, tree: &Tree<'_>, scope: &Unit) -> Result<Vec<Warning>> {
    let now = db.now();
    let mut out = Vec::new();
    let rows: Vec<(i64, String, String, i64, String)> = query_as(
        "SELECT i.id, i.reference, i.matter_code, i.unit_id, i.due_at FROM approval_instances i \
         JOIN matters m ON m.code = i.matter_code WHERE i.status = 'running' \
         AND i.warn_at <= $1 AND m.status <> 'internal' ORDER BY i.due_at LIMIT 2000",
    )
    .bind(&now)
    .fetch_all(db)
    .await?;
    let names = crate::catalog::lookup::names(db).await?;
    let (mut overdue, mut soon) = (0, 0);
    for (id, reference, matter, unit, due) in rows {
        if !tree.holds(&scope.path, unit, &matter) {
            continue;
        }
        let late = due < now;
        let n = if late { &mut overdue } else { &mut soon };
        if *n >= MAX_LISTED {
            continue;
        }
        *n += 1;
        let kind = if late { "overdue" } else { "overdue_soon" };
        out.push(Warning {
            kind: kind.into(),
            subject: reference,
            matter: names.get(&matter).cloned(),
            due_at: Some(due),
            value: None,
            target: None,
            points: None,
            link: format!("/approvals/{id}"),
        });
    }
    let rows: Vec<(String, String, i64, Option<String>)> = query_as(
        "SELECT a.number, a.matter_code, a.unit_id, f.due_at FROM followups f \
         JOIN applications a ON a.id = f.application_id WHERE f.answered_at IS NULL \
         AND (f.kind = 'complaint' OR f.score <= 2) ORDER BY f.due_at LIMIT 2000",
    )
    .fetch_all(db)
    .await?;
    let mut listed = 0;
    for (number, matter, unit, due) in rows {
        if listed >= MAX_LISTED || !tree.holds(&scope.path, unit, &matter) {
            continue;
        }
        listed += 1;
        out.push(Warning {
            kind: "followup_due".into(),
            subject: number,
            matter: names.get(&matter).cloned(),
            due_at: due,
            value: None,
            target: None,
            points: None,
            link: "/followups".into(),
        });
    }
    Ok(out)
}
