//! The scheduled sweep of the tickets' clocks: tickets past their warning go up a level once by
//! themselves (below the district), and breaches of either clock are recorded once each.

use super::repo::{escalate_in, event};
use super::ticket::{COLS, Ticket};
use crate::error::{Error, Result};
use crate::storage::{Db, Tx, query, query_as};

/// The scheduled sweep: tickets past their warning that have not left their home queue below
/// the district go up a level once by themselves; breaches of either clock are recorded once.
/// Answers (escalated, breaches recorded).
pub async fn sweep(db: &Db) -> Result<(usize, usize)> {
    let now = db.now();
    let due: Vec<Ticket> = query_as::<Ticket>(format!(
        "SELECT {COLS} FROM ops_tickets WHERE status IN ('new', 'responded', 'in_progress') \
         AND auto_escalated_at IS NULL AND level IN ('community', 'street') AND resolution_warn_at <= $1"
    ))
    .bind(&now)
    .fetch_all(db)
    .await?;
    let mut escalated = 0;
    for t in &due {
        let mut tx = db.begin().await?;
        match escalate_in(&mut tx, t, "system", "", true).await {
            Ok(_) => {
                tx.commit().await?;
                escalated += 1;
            }
            Err(Error::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let mut breaches = 0;
    for (col, due_col, kind, cond) in [
        (
            "response_breached_at",
            "response_due_at",
            "breach_response",
            "first_response_at IS NULL",
        ),
        (
            "resolution_breached_at",
            "resolution_due_at",
            "breach_resolution",
            "status IN ('new', 'responded', 'in_progress')",
        ),
    ] {
        let ids: Vec<i64> = crate::storage::query_scalar(format!(
            "SELECT id FROM ops_tickets WHERE {col} IS NULL AND {cond} AND {due_col} <= $1"
        ))
        .bind(&now)
        .fetch_all(db)
        .await?;
        for id in ids {
            let mut tx = db.begin().await?;
            let n = query(format!(
                "UPDATE ops_tickets SET {col} = $1 WHERE id = $2 AND {col} IS NULL"
            ))
            .bind(&now)
            .bind(id)
            .execute(&mut tx)
            .await?
            .rows_affected();
            if n == 1 {
                event(&mut tx, id, &now, "system", kind, None, None, None, "").await?;
                breaches += 1;
            }
            tx.commit().await?;
        }
    }
    Ok((escalated, breaches))
}

/// Moves the clocks of every ticket still under way by `shift` (which answers a deadline's new
/// value, or `None` to leave it): the calendar changed under them, as a year's holiday notice
/// does. A first response not yet given moves too, unless it was promised in wall-clock time
/// (opened off hours). Each ticket that moved gets an event at `now`. Answers how many moved.
pub async fn move_clocks(
    tx: &mut Tx,
    now: &str,
    shift: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Result<usize> {
    let open: Vec<(i64, i64, Option<String>, String, String, String)> = query_as(
        "SELECT id, off_hours, first_response_at, response_due_at, resolution_warn_at, resolution_due_at \
         FROM ops_tickets WHERE status IN ('new', 'responded', 'in_progress', 'waiting')",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut moved = 0;
    for (id, off_hours, responded, response, warn, due) in open {
        let response2 = (off_hours == 0 && responded.is_none())
            .then(|| shift(&response))
            .flatten();
        let (warn2, due2) = (shift(&warn), shift(&due));
        if response2.is_none() && warn2.is_none() && due2.is_none() {
            continue;
        }
        let new_due = due2.clone().unwrap_or_else(|| due.clone());
        query(
            "UPDATE ops_tickets SET response_due_at = $1, resolution_warn_at = $2, resolution_due_at = $3 \
             WHERE id = $4",
        )
        .bind(response2.unwrap_or(response))
        .bind(warn2.unwrap_or(warn))
        .bind(&new_due)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let note = format!("解决期限 {}", crate::clock::display(&new_due));
        event(tx, id, now, "system", "calendar", None, None, None, &note).await?;
        moved += 1;
    }
    Ok(moved)
}
