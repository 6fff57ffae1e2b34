//! The calendar in the store: the exceptions (shipped by migration 0003, edited by the bureau with
//! an audit entry each) and hall hours; loaded into memory behind a one-row version check.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

use super::calendar::{Calendar, DayKind, Hours};
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::error::{Error, Result};
use crate::org;
use crate::storage::{Db, StoreCache};

#[derive(Debug, Clone, Serialize, crate::storage::FromRow, utoipa::ToSchema)]
pub struct Day {
    pub day: String,
    pub kind: String,
    pub name: String,
    pub updated_by: String,
}

/// The calendar as stored now.
static CALENDAR: StoreCache<Calendar> =
    StoreCache::new("SELECT COUNT(*), MAX(updated_at) FROM calendar_days");

/// The calendar as stored, kept in memory (see [`StoreCache`]): every deadline reads it.
pub async fn calendar(db: &Db) -> Result<Arc<Calendar>> {
    CALENDAR
        .get(db, || async {
            let rows: Vec<(String, String)> =
                crate::storage::query_as("SELECT day, kind FROM calendar_days")
                    .fetch_all(&db)
                    .await?;
            Ok(Calendar::new(rows.into_iter().filter_map(|(d, k)| {
                Some((
                    NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()?,
                    DayKind::parse(&k)?,
                ))
            })))
        })
        .await
}

pub async fn year(db: &Db, year: i32) -> Result<Vec<Day>> {
    Ok(crate::storage::query_as(
        "SELECT day, kind, name, updated_by FROM calendar_days WHERE day >= $1 AND day < $2 ORDER BY day",
    )
    .bind(format!("{year:04}-01-01"))
    .bind(format!("{:04}-01-01", year + 1))
    .fetch_all(&db)
    .await?)
}

/// Drops the cached calendar after a change made elsewhere (a notice's import).
pub fn invalidate() {
    CALENDAR.invalidate();
}

/// Sets a day's exception (`kind` None removes it, making the day follow Monday–Friday again).
pub async fn set_day(
    db: &Db,
    who: &Principal,
    day: NaiveDate,
    kind: Option<DayKind>,
    name: &str,
) -> Result<()> {
    // The calendar is the district's: its rights are held at the top of the tree.
    let path = org::root(db).await?.path;
    if !who.can(Perm::ManageCalendar, &path) {
        return Err(Error::Forbidden);
    }
    let key = day.format("%Y-%m-%d").to_string();
    let before: Option<(String, String)> =
        crate::storage::query_as("SELECT kind, name FROM calendar_days WHERE day = $1")
            .bind(&key)
            .fetch_optional(&db)
            .await?;
    let now = db.now();
    let mut tx = db.begin().await?;
    crate::storage::query("DELETE FROM calendar_days WHERE day = $1")
        .bind(&key)
        .execute(&mut tx)
        .await?;
    if let Some(k) = kind {
        if name.trim().is_empty() {
            return Err(Error::field("name", "field.required"));
        }
        crate::storage::query("INSERT INTO calendar_days (day, kind, name, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)")
            .bind(&key)
            .bind(k.as_str())
            .bind(name.trim())
            .bind(&now)
            .bind(&who.username)
            .execute(&mut tx)
            .await?;
    } else {
        // A removal must still move the version the caches watch.
        crate::storage::query("UPDATE calendar_days SET updated_at = $1 WHERE day = (SELECT MAX(day) FROM calendar_days)")
            .bind(&now)
            .execute(&mut tx)
            .await?;
    }
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "calendar.set",
            entity: "calendar_day",
            entity_id: key.clone(),
            scope_path: &path,
            summary: format!("{key} {}", kind.map_or("—", |k| k.as_str())),
            before: before.map(|(k, n)| json!({"kind": k, "name": n})),
            after: kind.map(|k| json!({"kind": k.as_str(), "name": name.trim()})),
        },
    )
    .await?;
    tx.commit().await?;
    CALENDAR.invalidate();
    Ok(())
}

/// A hall's working hours (the default when none are set).
pub async fn hours(db: &Db, unit_id: i64) -> Result<Hours> {
    let p: Option<String> =
        crate::storage::query_scalar("SELECT periods FROM hall_hours WHERE unit_id = $1")
            .bind(unit_id)
            .fetch_optional(&db)
            .await?;
    Ok(p.and_then(|p| Hours::parse(&p)).unwrap_or_default())
}

pub async fn set_hours(db: &Db, who: &Principal, unit_id: i64, periods: &str) -> Result<Hours> {
    let unit = org::get(db, unit_id).await?;
    if unit.kind != org::Kind::Hall {
        return Err(Error::field("unit_id", "err.not_a_hall"));
    }
    if !who.can(Perm::ManageOrg, &unit.path) {
        return Err(Error::Forbidden);
    }
    let h = Hours::parse(periods).ok_or_else(|| Error::field("periods", "field.hours"))?;
    let before = hours(db, unit_id).await?;
    let now = db.now();
    let mut tx = db.begin().await?;
    crate::storage::query(
        "INSERT INTO hall_hours (unit_id, periods, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (unit_id) DO UPDATE SET periods = $2, updated_at = $3",
    )
    .bind(unit_id)
    .bind(h.to_string())
    .bind(&now)
    .execute(&mut tx)
    .await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "calendar.hours",
            entity: "org_unit",
            entity_id: unit_id.to_string(),
            scope_path: &unit.path,
            summary: format!("{} {h}", unit.name),
            before: Some(json!(before.to_string())),
            after: Some(json!(h.to_string())),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(h)
}

/// A warning that a date crossed years without published holidays; empty when none.
pub fn unknown_years_warning(lang: crate::i18n::Lang, years: &[i32]) -> String {
    if years.is_empty() {
        return String::new();
    }
    let list: Vec<String> = years.iter().map(i32::to_string).collect();
    crate::i18n::tr_args(lang, "cal.unknown_years", &[("years", &list.join("、"))])
}

/// The warning a page shows beside a deadline (stored time) that runs into a year without
/// published holidays; empty otherwise.
pub async fn deadline_warning(db: &Db, lang: crate::i18n::Lang, due: &str) -> Result<String> {
    let Some(due) = crate::clock::from_db(due) else {
        return Ok(String::new());
    };
    let day = due.with_timezone(&crate::clock::cst()).date_naive();
    let years = calendar(db).await?.unknown_years(db.clock().today(), day);
    Ok(unknown_years_warning(lang, &years))
}
