//! A year's holiday notice (国务院办公厅关于某年部分节假日安排的通知) entered in one import, and
//! what follows from it: the year's exceptions replaced at once, every open approval deadline
//! recomputed under the new calendar (each change audited), and the yearly reminder to enter
//! the next year's notice from 1 November.
//!
//! The notice is typed as lines of `date,kind,name` — a date may be a range
//! `2027-02-15..2027-02-21` — kind `holiday`/`放假` or `workday`/`上班`, the form the shipped
//! schedule (`data/holidays-cn.csv`) has. Parsing the notice's prose would guess; a table the
//! bureau checks against the notice does not.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::json;

use super::calendar::{Calendar, DayKind};
use super::calendar_repo;
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::error::{Error, FieldError, Result};
use crate::storage::{Db, query, query_as, query_scalar};

/// The most a notice may hold (a real one has about 30 days).
const MAX_BYTES: usize = 16 * 1024;
const MAX_DAYS: usize = 120;

/// One exception of the notice.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NoticeDay {
    pub day: String,
    pub kind: String,
    pub name: String,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Imported {
    pub year: i32,
    /// Holidays and make-up working days now on record for the year.
    pub days: usize,
    /// Open approvals whose deadline moved under the new calendar.
    pub recomputed: usize,
}

/// The notice's days for `year`, or every line at fault (by line number, in the field `notice`).
pub fn parse(year: i32, text: &str) -> std::result::Result<Vec<NoticeDay>, Vec<FieldError>> {
    if text.len() > MAX_BYTES {
        return Err(vec![FieldError::with(
            "notice",
            "field.too_long",
            MAX_BYTES.to_string(),
        )]);
    }
    let mut days: BTreeMap<NaiveDate, (DayKind, String)> = BTreeMap::new();
    let mut errs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("date,") {
            continue;
        }
        let bad = |key: &'static str| FieldError::with("notice", key, (i + 1).to_string());
        let parts: Vec<&str> = line.splitn(3, [',', '，']).map(str::trim).collect();
        let [dates, kind, name] = parts[..] else {
            errs.push(bad("cal.notice_line"));
            continue;
        };
        let kind = match kind {
            "holiday" | "放假" | "休" => DayKind::Holiday,
            "workday" | "上班" | "班" => DayKind::Workday,
            _ => {
                errs.push(bad("cal.notice_kind"));
                continue;
            }
        };
        let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let (first, last) = match dates.split_once("..") {
            Some((a, b)) => (date(a), date(b)),
            None => (date(dates), date(dates)),
        };
        let (Some(first), Some(last)) = (first, last) else {
            errs.push(bad("cal.notice_date"));
            continue;
        };
        // The import replaces one year and touches no other: a day of the year before (a
        // late-December make-up day some notices name) is entered on that year's calendar.
        let in_reach = |d: NaiveDate| d.year() == year;
        if first > last || (last - first).num_days() > 31 || !in_reach(first) || !in_reach(last) {
            errs.push(bad("cal.notice_date"));
            continue;
        }
        if name.is_empty() || name.chars().count() > 40 {
            errs.push(bad("cal.notice_name"));
            continue;
        }
        let mut d = first;
        while d <= last {
            days.insert(d, (kind, name.to_string()));
            d = d.succ_opt().expect("in range");
        }
    }
    if days.len() > MAX_DAYS {
        errs.push(FieldError::with(
            "notice",
            "field.too_many",
            MAX_DAYS.to_string(),
        ));
    }
    if errs.is_empty() && !days.values().any(|(k, _)| *k == DayKind::Holiday) {
        errs.push(FieldError::new("notice", "cal.notice_empty"));
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(days
        .into_iter()
        .map(|(d, (k, n))| NoticeDay {
            day: d.to_string(),
            kind: k.as_str().into(),
            name: n,
        })
        .collect())
}

/// Replaces `year`'s holidays and make-up days with the notice's (bureau admins), and moves
/// every open approval's deadlines so that each keeps the working time it had left.
pub async fn import(db: &Db, who: &Principal, year: i32, text: &str) -> Result<Imported> {
    let root = crate::org::root(db).await?.path;
    if !who.can(Perm::ManageCalendar, &root) {
        return Err(Error::Forbidden);
    }
    if !(2000..2200).contains(&year) {
        return Err(Error::Validation(vec![FieldError::with(
            "year",
            "field.range",
            "2000–2199",
        )]));
    }
    let days = parse(year, text).map_err(Error::Validation)?;
    let old = calendar_repo::calendar(db).await?;
    let start = format!("{year:04}-01-01");
    let end = format!("{:04}-01-01", year + 1);
    let first = start;
    let before = calendar_repo::year(db, year).await?;
    let now = db.now();
    let mut tx = db.begin().await?;
    query("DELETE FROM calendar_days WHERE day >= $1 AND day < $2")
        .bind(&first)
        .bind(&end)
        .execute(&mut tx)
        .await?;
    for d in &days {
        query(
            "INSERT INTO calendar_days (day, kind, name, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&d.day)
        .bind(&d.kind)
        .bind(&d.name)
        .bind(&now)
        .bind(&who.username)
        .execute(&mut tx)
        .await?;
    }
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "calendar.import",
            entity: "calendar_year",
            entity_id: year.to_string(),
            scope_path: &root,
            summary: format!("{year}: {} 天", days.len()),
            before: Some(json!(before)),
            after: Some(json!(days)),
        },
    )
    .await?;
    // The new calendar: the old one without the replaced days, with the notice's.
    let replaced = |d: &NaiveDate| {
        let s = d.to_string();
        s >= first && s < end
    };
    let new = Calendar::new(old.days().filter(|(d, _)| !replaced(d)).chain(
        days.iter().filter_map(|d| {
            Some((
                NaiveDate::parse_from_str(&d.day, "%Y-%m-%d").ok()?,
                DayKind::parse(&d.kind)?,
            ))
        }),
    ));
    let recomputed = recompute(db, &mut tx, who, &old, &new).await?;
    tx.commit().await?;
    calendar_repo::invalidate();
    Ok(Imported {
        year,
        days: days.len(),
        recomputed,
    })
}

/// Moves the deadlines of every running or paused approval and of their open tasks, and the
/// clocks of the desk's tickets under way, so that each keeps the working time it had left
/// under `old`, counted under `new`; audits each approval that moved (a ticket gets an event).
/// Answers how many moved.
async fn recompute(
    db: &Db,
    tx: &mut crate::storage::Tx,
    who: &Principal,
    old: &Calendar,
    new: &Calendar,
) -> Result<usize> {
    use crate::clock;
    use chrono::Timelike;
    // From the whole minute: deadlines are whole minutes, so the working time left is too, and
    // no deadline loses the seconds already begun.
    let now = db
        .clock()
        .now_utc()
        .with_timezone(&clock::cst())
        .fixed_offset();
    let now = now
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(now);
    let open: Vec<(i64, i64, String, String, String, String)> = query_as(
        "SELECT i.id, i.unit_id, i.warn_at, i.due_at, o.path, i.reference FROM approval_instances i \
         JOIN org_units o ON o.id = i.unit_id WHERE i.status IN ('running', 'paused')",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut moved = 0;
    // Each hall's hours read once, not once per approval.
    let mut hours_of: std::collections::HashMap<i64, super::calendar::Hours> = Default::default();
    for (id, unit, warn_at, due_at, path, reference) in open {
        if let std::collections::hash_map::Entry::Vacant(e) = hours_of.entry(unit) {
            e.insert(calendar_repo::hours(db, unit).await?);
        }
        let hours = &hours_of[&unit];
        let shift = |s: &str| shifted(old, new, now, hours, s);
        let (warn, due) = (shift(&warn_at), shift(&due_at));
        let tasks: Vec<(i64, String, String)> = query_as(
            "SELECT id, warn_at, due_at FROM approval_tasks WHERE instance_id = $1 AND status = 'open'",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let mut task_moved = false;
        for (t, w, d) in tasks {
            let (w2, d2) = (shift(&w), shift(&d));
            if w2.is_some() || d2.is_some() {
                task_moved = true;
                query("UPDATE approval_tasks SET warn_at = $1, due_at = $2 WHERE id = $3")
                    .bind(w2.unwrap_or(w))
                    .bind(d2.unwrap_or(d))
                    .bind(t)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        if warn.is_none() && due.is_none() && !task_moved {
            continue;
        }
        let new_due = due.clone().unwrap_or_else(|| due_at.clone());
        query("UPDATE approval_instances SET warn_at = $1, due_at = $2, updated_at = $3 WHERE id = $4")
            .bind(warn.unwrap_or(warn_at))
            .bind(&new_due)
            .bind(db.now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            tx,
            &who.actor(),
            Change {
                action: "approval.deadline_recomputed",
                entity: "approval",
                entity_id: id.to_string(),
                scope_path: &path,
                summary: format!("{reference} {}", clock::display(&new_due)),
                before: Some(json!({"due_at": due_at})),
                after: Some(json!({"due_at": new_due})),
            },
        )
        .await?;
        moved += 1;
    }
    // The operations desk's clocks run on the same calendar (and the desk's default hours).
    let hours = super::calendar::Hours::default();
    let shift = |s: &str| shifted(old, new, now, &hours, s);
    moved += crate::ops::sweep::move_clocks(tx, &db.now(), &shift).await?;
    Ok(moved)
}

/// A deadline (as stored) keeping the working time it had left at `now` under `old`, counted
/// under `new`: `None` when it does not move, or has already passed (overdue stays overdue).
fn shifted(
    old: &Calendar,
    new: &Calendar,
    now: chrono::DateTime<chrono::FixedOffset>,
    hours: &super::calendar::Hours,
    s: &str,
) -> Option<String> {
    use crate::clock;
    let t = clock::from_db(s)?
        .with_timezone(&clock::cst())
        .fixed_offset();
    if t <= now {
        return None;
    }
    let left = old.working_minutes_between(now, t, hours);
    let to = new.add_working_minutes(now, left, hours);
    (to != t).then(|| clock::to_db(to.with_timezone(&chrono::Utc)))
}

/// From 1 November, when next year's holidays are not entered: tells the bureau's calendar
/// keepers once (in-app, and by mail where they gave an address). Safe on many nodes: the
/// reminder is claimed by a settings row only one node inserts. Answers whether it reminded.
pub async fn remind_next_year(db: &Db) -> Result<bool> {
    let today = db.clock().today();
    let next = today.year() + 1;
    if today.month() < 11 || calendar_repo::calendar(db).await?.knows_year(next) {
        return Ok(false);
    }
    let key = format!("calendar.reminded.{next}");
    let done: Option<String> = query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(&key)
        .fetch_optional(db)
        .await?;
    if done.is_some() {
        return Ok(false); // a read, not a write, every minute of November and December
    }
    let mut tx = db.begin().await?;
    let claimed = query(
        "INSERT INTO settings (key, value, updated_by, updated_at) VALUES ($1, $2, 'system', $2) \
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(&key)
    .bind(db.now())
    .execute(&mut tx)
    .await?
    .rows_affected();
    if claimed == 0 {
        return Ok(false);
    }
    let root = crate::org::root(db).await?.path;
    let keepers: Vec<(String, Option<String>)> = query_as(
        "SELECT DISTINCT u.username, u.email FROM users u JOIN role_grants g ON g.user_id = u.id \
         JOIN org_units o ON o.id = g.org_unit_id WHERE u.active = 1 AND g.role = 'bureau_admin' \
         AND o.path = $1",
    )
    .bind(&root)
    .fetch_all(&mut tx)
    .await?;
    let subject = format!("请录入 {next} 年节假日安排");
    let body = format!(
        "{next} 年的节假日安排尚未录入。跨入 {next} 年的办理期限目前按周一至周五计算，\
         国务院办公厅发布通知后，请在“工作日历”页一次导入全年安排，未办结的期限将自动重新计算。"
    );
    for (username, email) in &keepers {
        crate::mail::messages::post(&mut tx, username, &subject, &body, Some("/calendar")).await?;
        if let Some(to) = email.as_deref().filter(|e| !e.is_empty()) {
            let mail = crate::mail::Mail {
                to: vec![to.to_string()],
                subject: subject.clone(),
                body: format!("{body}\n"),
                attachment: None,
            };
            crate::mail::queue(&mut tx, &mail).await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_reads_ranges_and_both_languages_and_names_bad_lines() {
        let text = "date,kind,name\n2027-01-01..2027-01-03,holiday,元旦\n2027-02-06..2027-02-13，放假，春节\n2027-02-14,上班,春节\n";
        let days = parse(2027, text).unwrap();
        assert_eq!(days.len(), 3 + 8 + 1);
        assert_eq!(days[0].day, "2027-01-01");
        assert_eq!(days.last().unwrap().kind, "workday");
        let errs = parse(
            2027,
            "2027-01-01,holiday,元旦\n2026-05-01,holiday,劳动节\nx\n2027-03-01,休假,?\n",
        )
        .unwrap_err();
        let lines: Vec<&str> = errs
            .iter()
            .map(|e| e.arg.as_deref().unwrap_or(""))
            .collect();
        assert_eq!(lines, ["2", "3", "4"]);
        assert!(
            parse(2027, "2027-01-04,workday,补班\n").is_err(),
            "no holiday at all"
        );
        assert!(
            parse(2027, &"2027-01-01,holiday,元旦\n".repeat(2000)).is_err(),
            "bounded"
        );
    }
}
