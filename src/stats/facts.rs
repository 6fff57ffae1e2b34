//! The facts every statistic of the government work is made of: counts per (filing unit,
//! matter, China-time day, channel) over a period — filings, finished approvals (on time or
//! late, with their working time), ratings and complaints (poor ones, and those answered in
//! time) — read with a few grouped queries from the date indexes, plus the approvals overdue
//! right now. Indicators, rankings and reports fold these cells for any unit's subtree and any
//! dimension, so one read serves a whole dashboard.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::approval::calendar::Hours;
use crate::approval::calendar_repo;
use crate::clock;
use crate::error::Result;
use crate::storage::{Db, FromRow, query_as};

/// Where and when something was counted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    /// The unit the application belongs to (the hall it was filed at, or its community).
    pub unit_id: i64,
    pub matter: String,
    /// The China-time day of the event (filed, finished, rated).
    pub day: NaiveDate,
    /// `online`, `counter`, `qr_code`; empty for an approval another system started.
    pub channel: String,
}

/// What was counted under one key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Cell {
    /// Applications submitted.
    pub filed: i64,
    /// … of which online (the web or a QR code: not at the counter).
    pub online: i64,
    /// Accepted: approvals started (受理).
    pub accepted: i64,
    /// Not accepted at the window (不予受理).
    pub rejected: i64,
    /// Supplements asked for (补正).
    pub supplements: i64,
    /// Approvals finished (办结).
    pub finished: i64,
    /// … approved (准予) and refused (不予许可).
    pub approved: i64,
    pub refused: i64,
    /// … within their deadline (pause-adjusted: a pause moves the deadline).
    pub on_time: i64,
    /// Working minutes from start to finish, summed over the finished.
    pub work_minutes: i64,
    /// Approvals running past their deadline now (not paused).
    pub open_overdue: i64,
    /// Ratings given.
    pub ratings: i64,
    /// … of 4 or 5.
    pub good: i64,
    /// Poor ratings (1–2) and complaints answered, or past their due time (one still within
    /// its time is not yet a failure).
    pub poor: i64,
    /// … whose follow-up was answered by its due time.
    pub rectified: i64,
}

impl Cell {
    pub fn add(&mut self, o: &Cell) {
        self.filed += o.filed;
        self.online += o.online;
        self.accepted += o.accepted;
        self.rejected += o.rejected;
        self.supplements += o.supplements;
        self.finished += o.finished;
        self.approved += o.approved;
        self.refused += o.refused;
        self.on_time += o.on_time;
        self.work_minutes += o.work_minutes;
        self.open_overdue += o.open_overdue;
        self.ratings += o.ratings;
        self.good += o.good;
        self.poor += o.poor;
        self.rectified += o.rectified;
    }
}

/// A finished approval.
#[derive(FromRow)]
struct Finished {
    unit_id: i64,
    matter_code: String,
    started_at: String,
    finished_at: String,
    due_at: String,
    status: String,
    channel: Option<String>,
}

/// Ratings and complaints of one unit, matter, day and channel.
#[derive(FromRow)]
struct Rated {
    unit_id: i64,
    matter_code: String,
    day: String,
    late: i64,
    channel: String,
    ratings: i64,
    good: i64,
    poor: i64,
    rectified: i64,
}

/// The cells of a period.
#[derive(Debug, Default)]
pub struct Facts {
    pub cells: HashMap<Key, Cell>,
    /// Minutes of one working day (for working days from working minutes).
    pub minutes_per_day: i64,
}

/// The cell of `key`'s parts, made when new.
fn cell(
    cells: &mut HashMap<Key, Cell>,
    unit_id: i64,
    matter: String,
    day: NaiveDate,
    channel: String,
) -> &mut Cell {
    cells
        .entry(Key {
            unit_id,
            matter,
            day,
            channel,
        })
        .or_default()
}

/// The China-time day of a stored UTC date (`YYYY-MM-DD`) whose hour was 16:00 or later.
fn china_day(utc_day: &str, late: i64) -> Option<NaiveDate> {
    let d = NaiveDate::parse_from_str(utc_day, "%Y-%m-%d").ok()?;
    Some(if late == 1 { d + Duration::days(1) } else { d })
}

/// The SQL of a stored instant's UTC day and whether it is already the next China day.
fn day_of(col: &str) -> String {
    format!("substr({col}, 1, 10), CASE WHEN substr({col}, 12, 2) >= '16' THEN 1 ELSE 0 END")
}

/// Everything counted from `from` to `to` (China-time days, inclusive); approvals overdue now.
pub async fn gather(db: &Db, from: NaiveDate, to: NaiveDate) -> Result<Facts> {
    let start = clock::day_start_db(&from.to_string()).unwrap_or_default();
    let end = clock::day_start_db(&(to + Duration::days(1)).to_string()).unwrap_or_default();
    let mut facts = Facts {
        minutes_per_day: Hours::default().minutes_per_day().max(1),
        ..Facts::default()
    };
    // Filings.
    let d = day_of("submitted_at");
    let rows: Vec<(i64, String, String, i64, String, i64, i64)> = query_as(format!(
        "SELECT unit_id, matter_code, {d}, channel, COUNT(*), \
         SUM(CASE WHEN channel <> 'counter' THEN 1 ELSE 0 END) FROM applications \
         WHERE submitted_at >= $1 AND submitted_at < $2 \
         GROUP BY unit_id, matter_code, {d}, channel"
    ))
    .bind(&start)
    .bind(&end)
    .fetch_all(db)
    .await?;
    for (unit, matter, day, late, channel, n, online) in rows {
        let day = china_day(&day, late).unwrap_or(from);
        let c = cell(&mut facts.cells, unit, matter, day, channel);
        c.filed += n;
        c.online += online;
    }
    // Approvals finished: each one's working time on the calendar.
    let cal = calendar_repo::calendar(db).await?;
    let hours = Hours::default();
    let rows: Vec<Finished> = query_as(
        "SELECT i.unit_id, i.matter_code, i.started_at, i.finished_at, i.due_at, i.status, \
         (SELECT a.channel FROM applications a WHERE a.instance_id = i.id) AS channel \
         FROM approval_instances i JOIN matters m ON m.code = i.matter_code \
         WHERE i.finished_at >= $1 AND i.finished_at < $2 AND m.status <> 'internal'",
    )
    .bind(&start)
    .bind(&end)
    .fetch_all(db)
    .await?;
    let cst = |s: &str| clock::from_db(s).map(|t| t.with_timezone(&clock::cst()).fixed_offset());
    for r in rows {
        let (Some(a), Some(b)) = (cst(&r.started_at), cst(&r.finished_at)) else {
            continue;
        };
        let day = b.date_naive();
        let channel = r.channel.unwrap_or_default();
        let c = cell(&mut facts.cells, r.unit_id, r.matter_code, day, channel);
        c.finished += 1;
        c.approved += i64::from(r.status == "approved");
        c.refused += i64::from(r.status == "rejected");
        c.on_time += i64::from(r.finished_at <= r.due_at);
        c.work_minutes += cal.working_minutes_between(a, b, &hours);
    }
    // Accepted (approvals started), not accepted at the window, supplements asked for.
    let started = day_of("i.started_at");
    let decided = day_of("decided_at");
    let asked = day_of("l.at");
    for (what, sql) in [
        (
            0,
            format!(
                "SELECT i.unit_id, i.matter_code, {started}, COALESCE(a.channel, ''), COUNT(*) \
                 FROM approval_instances i JOIN matters m ON m.code = i.matter_code \
                 LEFT JOIN applications a ON a.instance_id = i.id WHERE i.started_at >= $1 \
                 AND i.started_at < $2 AND m.status <> 'internal' \
                 GROUP BY i.unit_id, i.matter_code, {started}, COALESCE(a.channel, '')"
            ),
        ),
        (
            1,
            format!(
                "SELECT unit_id, matter_code, {decided}, channel, COUNT(*) FROM applications \
                 WHERE status = 'rejected' AND decided_at >= $1 AND decided_at < $2 \
                 GROUP BY unit_id, matter_code, {decided}, channel"
            ),
        ),
        (
            2,
            format!(
                "SELECT i.unit_id, i.matter_code, {asked}, COALESCE(a.channel, ''), COUNT(*) \
                 FROM audit_log l JOIN approval_instances i ON l.entity_id = CAST(i.id AS TEXT) \
                 LEFT JOIN applications a ON a.instance_id = i.id WHERE l.entity = 'approval' \
                 AND l.action = 'approval.supplement' AND l.at >= $1 AND l.at < $2 \
                 GROUP BY i.unit_id, i.matter_code, {asked}, COALESCE(a.channel, '')"
            ),
        ),
    ] {
        let rows: Vec<(i64, String, String, i64, String, i64)> =
            query_as(sql).bind(&start).bind(&end).fetch_all(db).await?;
        for (unit, matter, day, late, channel, n) in rows {
            let day = china_day(&day, late).unwrap_or(from);
            let c = cell(&mut facts.cells, unit, matter, day, channel);
            match what {
                0 => c.accepted += n,
                1 => c.rejected += n,
                _ => c.supplements += n,
            }
        }
    }
    // Ratings and complaints, by the rated application.
    let d = day_of("f.filed_at");
    let rows: Vec<Rated> = query_as(format!(
        "SELECT a.unit_id, a.matter_code, substr(f.filed_at, 1, 10) AS day, \
         CASE WHEN substr(f.filed_at, 12, 2) >= '16' THEN 1 ELSE 0 END AS late, a.channel, \
         SUM(CASE WHEN f.kind = 'rating' THEN 1 ELSE 0 END) AS ratings, \
         SUM(CASE WHEN f.kind = 'rating' AND f.score >= 4 THEN 1 ELSE 0 END) AS good, \
         SUM(CASE WHEN (f.kind = 'complaint' OR f.score <= 2) AND (f.answered_at IS NOT NULL \
             OR f.due_at IS NULL OR f.due_at < $3) THEN 1 ELSE 0 END) AS poor, \
         SUM(CASE WHEN (f.kind = 'complaint' OR f.score <= 2) AND f.answered_at IS NOT NULL \
             AND (f.due_at IS NULL OR f.answered_at <= f.due_at) THEN 1 ELSE 0 END) AS rectified \
         FROM followups f JOIN applications a ON a.id = f.application_id \
         WHERE f.filed_at >= $1 AND f.filed_at < $2 \
         GROUP BY a.unit_id, a.matter_code, {d}, a.channel"
    ))
    .bind(&start)
    .bind(&end)
    .bind(db.now())
    .fetch_all(db)
    .await?;
    for r in rows {
        let day = china_day(&r.day, r.late).unwrap_or(from);
        let c = cell(&mut facts.cells, r.unit_id, r.matter_code, day, r.channel);
        c.ratings += r.ratings;
        c.good += r.good;
        c.poor += r.poor;
        c.rectified += r.rectified;
    }
    // Overdue right now: running past the deadline (a paused clock is not overdue).
    let now = db.now();
    let rows: Vec<(i64, String, Option<String>, i64)> = query_as(
        "SELECT i.unit_id, i.matter_code, (SELECT a.channel FROM applications a \
         WHERE a.instance_id = i.id), 1 FROM approval_instances i \
         JOIN matters m ON m.code = i.matter_code \
         WHERE i.status = 'running' AND i.due_at < $1 AND m.status <> 'internal'",
    )
    .bind(&now)
    .fetch_all(db)
    .await?;
    let today = clock::from_db(&now)
        .map(|t| t.with_timezone(&clock::cst()).date_naive())
        .unwrap_or(to);
    for (unit, matter, channel, n) in rows {
        let c = cell(
            &mut facts.cells,
            unit,
            matter,
            today,
            channel.unwrap_or_default(),
        );
        c.open_overdue += n;
    }
    Ok(facts)
}
