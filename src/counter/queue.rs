//! Queue tickets of a hall (取号 → 叫号): numbered per hall and day, taken at the kiosk with an
//! optional matter, called to a window that takes that matter — the oldest first — then served,
//! passed over (过号) or done. The hall display shows who is called where.

use serde::Serialize;

use super::windows::{self, Window};
use crate::auth::{Perm, Principal};
use crate::clock;
use crate::error::{Error, Result};
use crate::org::{self, Kind, Unit};
use crate::storage::{Db, query, query_as, query_scalar};

/// A queue ticket as the kiosk prints it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = QueueTicket)]
pub struct Ticket {
    pub id: i64,
    /// e.g. `A012`.
    pub number: String,
    pub matter_code: Option<String>,
    /// waiting, called, done, no_show.
    pub status: String,
    /// Tickets waiting before this one (for the same kind of window).
    pub ahead: i64,
    pub created_at: String,
}

/// A ticket called to a window.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Called {
    pub ticket_id: i64,
    pub number: String,
    pub matter_code: Option<String>,
    pub window_number: String,
    pub window_name: String,
    pub called_at: String,
}

/// What the hall display shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Display {
    pub hall_name: String,
    /// The latest calls, newest first.
    pub calls: Vec<Called>,
    pub waiting: i64,
}

/// Today in the platform's time zone, the day tickets count from.
fn today(db: &Db) -> String {
    db.clock()
        .now_utc()
        .with_timezone(&clock::cst())
        .format("%Y-%m-%d")
        .to_string()
}

/// A hall by its code, or not found.
pub async fn hall(db: &Db, code: &str) -> Result<Unit> {
    org::by_code(db, code.trim())
        .await?
        .filter(|u| u.kind == Kind::Hall && !u.is_retired())
        .ok_or(Error::NotFound)
}

/// Takes the next ticket at a hall's kiosk; no sign-in needed.
pub async fn take(db: &Db, hall_code: &str, matter: Option<&str>) -> Result<Ticket> {
    let hall = hall(db, hall_code).await?;
    let matter = matter.map(str::trim).filter(|m| !m.is_empty());
    if let Some(m) = matter {
        let known: Option<i64> =
            query_scalar("SELECT 1 FROM matters WHERE code = $1 AND status = 'published'")
                .bind(m)
                .fetch_optional(db)
                .await?;
        if known.is_none() {
            return Err(Error::field("matter_code", "field.matter_unknown"));
        }
    }
    let day = today(db);
    // The hall's counter for the day, bumped in the ticket's transaction: kiosks at once queue
    // on its row (one number each, never a refusal), and a failed insert gives its number back.
    let mut tx = db.begin().await?;
    let seq: i64 = query_scalar(
        "INSERT INTO queue_counters (unit_id, day, last) VALUES ($1, $2, 1) \
         ON CONFLICT (unit_id, day) DO UPDATE SET last = queue_counters.last + 1 RETURNING last",
    )
    .bind(hall.id)
    .bind(&day)
    .fetch_one(&mut tx)
    .await?;
    let number = format!("A{seq:03}");
    let now = db.now();
    let id: i64 = query_scalar(
        "INSERT INTO queue_tickets (unit_id, day, seq, number, matter_code, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'waiting', $6) RETURNING id",
    )
    .bind(hall.id)
    .bind(&day)
    .bind(seq)
    .bind(&number)
    .bind(matter)
    .bind(&now)
    .fetch_one(&mut tx)
    .await?;
    tx.commit().await?;
    let ahead: i64 = query_scalar(
        "SELECT COUNT(*) FROM queue_tickets WHERE unit_id = $1 AND day = $2 AND status = 'waiting' AND seq < $3",
    )
    .bind(hall.id)
    .bind(&day)
    .bind(seq)
    .fetch_one(db)
    .await?;
    Ok(Ticket {
        id,
        number,
        matter_code: matter.map(String::from),
        status: "waiting".into(),
        ahead,
        created_at: now,
    })
}

/// The window `who` works at, if they are assigned to it (or manage its hall).
pub async fn window_for(db: &Db, who: &Principal, window_id: i64) -> Result<Window> {
    let w = windows::get(db, window_id).await?;
    let hall = org::get(db, w.unit_id).await?;
    let assigned = w.clerks.iter().any(|c| c == &who.username);
    let clerk_here = assigned && who.can(Perm::StartApprovals, &hall.path);
    if !clerk_here && !who.can(Perm::ManageOrg, &hall.path) {
        return Err(Error::Forbidden);
    }
    if !w.active {
        return Err(Error::Conflict("err.window_closed"));
    }
    Ok(w)
}

type TicketRow = (i64, String, Option<String>);

/// Calls the next waiting ticket this window takes, oldest first; the ticket the window had
/// called before is done. `None` when nobody waits for it.
pub async fn call_next(db: &Db, who: &Principal, window_id: i64) -> Result<Option<Called>> {
    let w = window_for(db, who, window_id).await?;
    let day = today(db);
    finish_current(db, w.id, "done").await?;
    loop {
        // The oldest waiting ticket this window takes, chosen in SQL: however many tickets for
        // other windows wait before it (a flooded kiosk), it is found.
        let mut q = crate::storage::Sql::new(
            "SELECT id, number, matter_code FROM queue_tickets WHERE unit_id = ",
        );
        q.bind(w.unit_id)
            .push(" AND day = ")
            .bind(&day)
            .push(" AND status = 'waiting'");
        if !w.comprehensive {
            q.push(" AND (matter_code IS NULL");
            for m in &w.matters {
                q.push(" OR matter_code = ").bind(m);
            }
            q.push(")");
        }
        q.push(" ORDER BY seq LIMIT 1");
        let Some((id, number, matter)) = q.query_as::<TicketRow>().fetch_optional(db).await? else {
            return Ok(None);
        };
        let now = db.now();
        let n = query(
            "UPDATE queue_tickets SET status = 'called', window_id = $1, called_by = $2, called_at = $3 \
             WHERE id = $4 AND status = 'waiting'",
        )
        .bind(w.id)
        .bind(&who.username)
        .bind(&now)
        .bind(id)
        .execute(db)
        .await?
        .rows_affected();
        // Another window called it first: take the next one.
        if n == 1 {
            return Ok(Some(Called {
                ticket_id: id,
                number,
                matter_code: matter,
                window_number: w.number.clone(),
                window_name: w.name.clone(),
                called_at: now,
            }));
        }
    }
}

/// Calls the window's current ticket again (it shows at the top of the display once more).
pub async fn recall(db: &Db, who: &Principal, window_id: i64) -> Result<Option<Called>> {
    let w = window_for(db, who, window_id).await?;
    query("UPDATE queue_tickets SET called_at = $1 WHERE window_id = $2 AND status = 'called'")
        .bind(db.now())
        .bind(w.id)
        .execute(db)
        .await?;
    current(db, w.id).await
}

/// Closes the window's current ticket: `done` after serving, `no_show` when nobody came (过号).
pub async fn close(db: &Db, who: &Principal, window_id: i64, status: &str) -> Result<()> {
    if !matches!(status, "done" | "no_show") {
        return Err(Error::field("status", "field.invalid"));
    }
    let w = window_for(db, who, window_id).await?;
    finish_current(db, w.id, status).await
}

async fn finish_current(db: &Db, window_id: i64, status: &str) -> Result<()> {
    query("UPDATE queue_tickets SET status = $1, closed_at = $2 WHERE window_id = $3 AND status = 'called'")
        .bind(status)
        .bind(db.now())
        .bind(window_id)
        .execute(db)
        .await?;
    Ok(())
}

type CalledRow = (i64, String, Option<String>, String, String, String);
const CALLED: &str = "SELECT t.id, t.number, t.matter_code, w.number, w.name, t.called_at \
    FROM queue_tickets t JOIN hall_windows w ON w.id = t.window_id";

fn called(
    (ticket_id, number, matter_code, window_number, window_name, called_at): CalledRow,
) -> Called {
    Called {
        ticket_id,
        number,
        matter_code,
        window_number,
        window_name,
        called_at,
    }
}

/// The ticket a window has called and not yet closed.
pub async fn current(db: &Db, window_id: i64) -> Result<Option<Called>> {
    let row: Option<CalledRow> = query_as(format!(
        "{CALLED} WHERE t.window_id = $1 AND t.status = 'called' ORDER BY t.called_at DESC LIMIT 1"
    ))
    .bind(window_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(called))
}

/// Tickets waiting at a window's hall that this window takes.
pub async fn waiting_for(db: &Db, w: &Window) -> Result<i64> {
    let rows: Vec<Option<String>> = query_scalar(
        "SELECT matter_code FROM queue_tickets WHERE unit_id = $1 AND day = $2 AND status = 'waiting'",
    )
    .bind(w.unit_id)
    .bind(today(db))
    .fetch_all(db)
    .await?;
    Ok(rows.iter().filter(|m| w.takes(m.as_deref())).count() as i64)
}

/// The hall display: today's latest calls and how many wait.
pub async fn display(db: &Db, hall_code: &str) -> Result<Display> {
    let hall = hall(db, hall_code).await?;
    let day = today(db);
    let rows: Vec<CalledRow> = query_as(format!(
        "{CALLED} WHERE t.unit_id = $1 AND t.day = $2 AND t.called_at IS NOT NULL \
         ORDER BY t.called_at DESC, t.id DESC LIMIT 10"
    ))
    .bind(hall.id)
    .bind(&day)
    .fetch_all(db)
    .await?;
    let waiting: i64 = query_scalar(
        "SELECT COUNT(*) FROM queue_tickets WHERE unit_id = $1 AND day = $2 AND status = 'waiting'",
    )
    .bind(hall.id)
    .bind(&day)
    .fetch_one(db)
    .await?;
    Ok(Display {
        hall_name: hall.name,
        calls: rows.into_iter().map(called).collect(),
        waiting,
    })
}
