//! Saved reports (报表配置): a definition — one or two row dimensions, measures, filters and a
//! period, fixed or rolling (last week, this month, this quarter, …) — kept by the one who built
//! it within their scope, and shared with the readers of that scope when they choose. Each runs
//! into a [`Table`] (JSON, a page with a chart, XLSX). The city's quarterly assessment sheet is
//! shipped as a shared default (migration 0038). Every save and deletion is audited.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::table::{self, DIMENSIONS, Names, Narrow, Table};
use super::{Basis, scope};
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::error::{Error, FieldError, Result};
use crate::i18n::Lang;
use crate::storage::{Db, FromRow, query, query_as, query_scalar};

/// A report's definition as built and exchanged.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ReportDefinition)]
pub struct Definition {
    pub name: String,
    /// One or two of: department, street, community, hall, matter, channel, month, week.
    pub rows: Vec<String>,
    /// Counts (submitted, accepted, rejected, supplements, approved, refused, finished, overdue,
    /// ratings) and assessment indicators (on_time_rate, …).
    pub measures: Vec<String>,
    #[serde(default)]
    pub filters: Filters,
    pub period: Period,
    /// Whether the readers of its unit see it too.
    #[serde(default)]
    pub shared: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ReportFilters)]
pub struct Filters {
    /// The unit whose subtree it counts, by code; the builder's own scope when not given.
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub channels: Vec<String>,
    #[serde(default)]
    pub matters: Vec<String>,
    #[serde(default)]
    pub departments: Vec<String>,
}

/// Fixed days, or a rolling period counted back from today.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ReportPeriod)]
pub struct Period {
    /// last_week, this_week, last_month, this_month, last_quarter, this_quarter, this_year,
    /// last_year; or none, with `from` and `to`.
    #[serde(default)]
    pub rolling: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
}

/// The rolling periods a report may name.
pub const ROLLING: [&str; 8] = [
    "last_week",
    "this_week",
    "last_month",
    "this_month",
    "last_quarter",
    "this_quarter",
    "this_year",
    "last_year",
];

const MAX_MEASURES: usize = 20;
/// The channels a report may narrow to.
const CHANNELS: [&str; 3] = ["online", "counter", "qr_code"];
/// Most reports one person keeps.
const MAX_PER_OWNER: i64 = 50;
const MAX_FILTER: usize = 200;

/// The first day of the month `months` months after the month of `d`.
fn month_start(d: NaiveDate, months: i32) -> NaiveDate {
    let m = d.year() * 12 + d.month0() as i32 + months;
    NaiveDate::from_ymd_opt(m.div_euclid(12), m.rem_euclid(12) as u32 + 1, 1).unwrap_or(d)
}

/// The days of a rolling period on `today`.
pub fn rolling(kind: &str, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let quarter = month_start(today, -((today.month0() % 3) as i32));
    let year = NaiveDate::from_ymd_opt(today.year(), 1, 1)?;
    let day_before = |d: NaiveDate| d - Duration::days(1);
    Some(match kind {
        "this_week" => (monday, today),
        "last_week" => (monday - Duration::days(7), day_before(monday)),
        "this_month" => (month_start(today, 0), today),
        "last_month" => (month_start(today, -1), day_before(month_start(today, 0))),
        "this_quarter" => (quarter, today),
        "last_quarter" => (month_start(quarter, -3), day_before(quarter)),
        "this_year" => (year, today),
        "last_year" => (
            NaiveDate::from_ymd_opt(today.year() - 1, 1, 1)?,
            day_before(year),
        ),
        _ => return None,
    })
}

impl Definition {
    /// Every problem, by field.
    pub fn check(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        let name = self.name.trim();
        if name.is_empty() {
            e.push(FieldError::new("name", "field.required"));
        } else {
            crate::text::check("name", name, 100, &mut e);
        }
        if self.rows.is_empty() || self.rows.len() > 2 {
            e.push(FieldError::new("rows", "report.rows_count"));
        }
        for (i, d) in self.rows.iter().enumerate().take(2) {
            if !DIMENSIONS.contains(&d.as_str()) {
                e.push(FieldError::with(format!("rows[{i}]"), "report.option", d));
            }
        }
        if self.rows.len() == 2 && self.rows[0] == self.rows[1] {
            e.push(FieldError::new("rows[1]", "report.rows_twice"));
        }
        if self.measures.is_empty() || self.measures.len() > MAX_MEASURES {
            let n = MAX_MEASURES.to_string();
            e.push(FieldError::with("measures", "report.measures_count", n));
            return e;
        }
        for (i, m) in self.measures.iter().enumerate() {
            let field = format!("measures[{i}]");
            if !table::is_measure(m) {
                e.push(FieldError::with(field, "report.measure", m));
            } else if self.measures[..i].contains(m) {
                e.push(FieldError::with(field, "report.measure_twice", m));
            }
        }
        let f = &self.filters;
        if f.channels.len() + f.matters.len() + f.departments.len() > MAX_FILTER {
            let n = MAX_FILTER.to_string();
            e.push(FieldError::with("filters", "report.filters_count", n));
            return e;
        }
        for (i, c) in f.channels.iter().enumerate() {
            if !CHANNELS.contains(&c.as_str()) {
                let field = format!("filters.channels[{i}]");
                e.push(FieldError::with(field, "report.option", c));
            }
        }
        match self.period.rolling.as_deref() {
            Some(r) if !ROLLING.contains(&r) => {
                e.push(FieldError::with("period.rolling", "report.option", r))
            }
            Some(_) => {}
            None => {
                let mut days = Vec::new();
                for (field, v) in [
                    ("period.from", &self.period.from),
                    ("period.to", &self.period.to),
                ] {
                    match crate::clock::filter_day(field, v.as_deref()) {
                        Ok(Some(d)) => days.push(d),
                        Ok(None) => e.push(FieldError::new(field, "field.required")),
                        Err(err) => e.push(err),
                    }
                }
                // The same bounds as any statistics query.
                if let [from, to] = days[..] {
                    if from > to {
                        e.push(FieldError::new("period.from", "stats.period_order"));
                    } else if (to - from).num_days() > super::MAX_DAYS {
                        e.push(FieldError::new("period.to", "stats.period_long"));
                    }
                }
            }
        }
        e
    }

    /// The days it counts on `today` (fixed days as written).
    pub fn days(&self, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        match self.period.rolling.as_deref() {
            Some(r) => rolling(r, today),
            None => {
                let day = |v: &Option<String>| {
                    NaiveDate::parse_from_str(v.as_deref()?.trim(), "%Y-%m-%d").ok()
                };
                Some((day(&self.period.from)?, day(&self.period.to)?))
            }
        }
    }
}

/// A saved report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Report)]
pub struct Report {
    pub id: i64,
    pub owner: String,
    /// The unit whose subtree it counts (its readers are that unit's).
    pub unit_path: String,
    pub definition: Definition,
    pub updated_at: String,
}

#[derive(FromRow)]
struct Stored {
    id: i64,
    owner: String,
    unit_path: String,
    def_json: String,
    updated_at: String,
}

impl Stored {
    fn report(self) -> Result<Report> {
        Ok(Report {
            id: self.id,
            owner: self.owner,
            unit_path: self.unit_path,
            definition: serde_json::from_str(&self.def_json)
                .map_err(|e| Error::Internal(e.into()))?,
            updated_at: self.updated_at,
        })
    }
}

/// Whether `who` may read report `r`: its owner, or, when it is shared, a reader inside its
/// unit or above it (the shipped default, scoped `/`, is every reader's).
fn may_read(who: &Principal, r: &Report) -> bool {
    r.owner == who.username
        || (r.definition.shared
            && who.scopes(Perm::ViewStats).iter().any(|s| {
                r.unit_path == "/" || s.starts_with(&r.unit_path) || r.unit_path.starts_with(s)
            }))
}

/// The reports `who` may read: their own and those shared with them.
pub async fn list(db: &Db, who: &Principal) -> Result<Vec<Report>> {
    if !who.has(Perm::ViewStats) {
        return Err(Error::Forbidden);
    }
    let rows: Vec<Stored> = query_as(
        "SELECT id, owner, unit_path, def_json, updated_at FROM reports ORDER BY id LIMIT 2000",
    )
    .fetch_all(db)
    .await?;
    let mut out = Vec::new();
    for s in rows {
        let r = s.report()?;
        if may_read(who, &r) {
            out.push(r);
        }
    }
    Ok(out)
}

/// One report, for those who may read it (404 for everyone else).
pub async fn get(db: &Db, who: &Principal, id: i64) -> Result<Report> {
    if !who.has(Perm::ViewStats) {
        return Err(Error::Forbidden);
    }
    let row: Option<Stored> =
        query_as("SELECT id, owner, unit_path, def_json, updated_at FROM reports WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?;
    let r = row.ok_or(Error::NotFound)?.report()?;
    if !may_read(who, &r) {
        return Err(Error::NotFound);
    }
    Ok(r)
}

/// Saves `d` as a new report of `who` (or over report `id`, theirs); answers it.
pub async fn save(db: &Db, who: &Principal, id: Option<i64>, d: &Definition) -> Result<Report> {
    if !who.has(Perm::ViewStats) {
        return Err(Error::Forbidden);
    }
    let errs = d.check();
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let unit = scope(db, who, d.filters.unit.as_deref())
        .await
        .map_err(|e| match e {
            Error::NotFound => Error::Validation(vec![FieldError::with(
                "filters.unit",
                "field.unit_unknown",
                d.filters.unit.as_deref().unwrap_or_default(),
            )]),
            other => other,
        })?;
    if id.is_none() {
        let kept: i64 = query_scalar("SELECT COUNT(*) FROM reports WHERE owner = $1")
            .bind(&who.username)
            .fetch_one(db)
            .await?;
        if kept >= MAX_PER_OWNER {
            return Err(Error::Validation(vec![FieldError::with(
                "name",
                "report.too_many",
                MAX_PER_OWNER.to_string(),
            )]));
        }
    }
    let before = match id {
        Some(id) => {
            let r = get(db, who, id).await?;
            if r.owner != who.username {
                return Err(Error::Forbidden);
            }
            Some(r)
        }
        None => None,
    };
    let text = serde_json::to_string(d).map_err(|e| Error::Internal(e.into()))?;
    let now = db.now();
    let mut tx = db.begin().await?;
    let id = match id {
        Some(id) => {
            query(
                "UPDATE reports SET def_json = $1, unit_path = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(&text)
            .bind(&unit.path)
            .bind(&now)
            .bind(id)
            .execute(&mut tx)
            .await?;
            id
        }
        None => {
            query_scalar(
                "INSERT INTO reports (owner, unit_path, def_json, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $4) RETURNING id",
            )
            .bind(&who.username)
            .bind(&unit.path)
            .bind(&text)
            .bind(&now)
            .fetch_one(&mut tx)
            .await?
        }
    };
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "report.save",
            entity: "report",
            entity_id: id.to_string(),
            scope_path: &unit.path,
            summary: d.name.trim().to_string(),
            before: before.map(|r| json!(r.definition)),
            after: Some(json!(d)),
        },
    )
    .await?;
    tx.commit().await?;
    get(db, who, id).await
}

/// Deletes report `id` (its owner only; audited with what it was).
pub async fn delete(db: &Db, who: &Principal, id: i64) -> Result<()> {
    let r = get(db, who, id).await?;
    if r.owner != who.username {
        return Err(Error::Forbidden);
    }
    let mut tx = db.begin().await?;
    query("DELETE FROM reports WHERE id = $1")
        .bind(id)
        .execute(&mut tx)
        .await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "report.delete",
            entity: "report",
            entity_id: id.to_string(),
            scope_path: &r.unit_path,
            summary: r.definition.name.clone(),
            before: Some(json!(r.definition)),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunQuery {
    /// First day (`YYYY-MM-DD`); with `to`, instead of the report's own period.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The days a run counts: both given, or the report's own.
pub fn days(
    db: &crate::storage::Db,
    q: &RunQuery,
) -> Result<Option<(chrono::NaiveDate, chrono::NaiveDate)>> {
    if q.from.is_none() && q.to.is_none() {
        return Ok(None);
    }
    let sq = crate::stats::StatsQuery {
        from: q.from.clone(),
        to: q.to.clone(),
        unit: None,
    };
    crate::stats::period(db, &sq).map(Some)
}

/// A report run: its table and what it counted.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ReportRun)]
pub struct Run {
    pub name: String,
    pub unit: String,
    pub from: String,
    pub to: String,
    #[serde(flatten)]
    pub table: Table,
}

/// Runs report `id` as `who` (over `days` when given, else its own period).
pub async fn run(
    db: &Db,
    who: &Principal,
    id: i64,
    days: Option<(NaiveDate, NaiveDate)>,
    lang: Lang,
) -> Result<Run> {
    let r = get(db, who, id).await?;
    let d = &r.definition;
    // Counted within the reader's own scope: a shared report shows each reader theirs.
    let unit = match scope(db, who, d.filters.unit.as_deref()).await {
        Err(Error::NotFound) => scope(db, who, None).await?,
        other => other?,
    };
    let today = db
        .clock()
        .now_utc()
        .with_timezone(&crate::clock::cst())
        .date_naive();
    let (from, to) = days
        .or_else(|| d.days(today))
        .ok_or_else(|| Error::field("period", "field.date"))?;
    let b = Basis::read(db, from, to).await?;
    let names = Names {
        units: b
            .units
            .iter()
            .map(|u| (u.code.clone(), u.name.clone()))
            .collect(),
        matters: crate::catalog::lookup::names(db).await?,
    };
    let narrow = Narrow {
        channels: &d.filters.channels,
        matters: &d.filters.matters,
        departments: &d.filters.departments,
    };
    let table = table::build(&b, &unit, &d.rows, &d.measures, &narrow, &names, lang);
    Ok(Run {
        name: d.name.clone(),
        unit: unit.name.clone(),
        from: from.to_string(),
        to: to.to_string(),
        table,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_periods_are_whole_weeks_months_and_quarters() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let today = d("2026-05-14"); // a Thursday
        assert_eq!(rolling("this_week", today), Some((d("2026-05-11"), today)));
        assert_eq!(
            rolling("last_week", today),
            Some((d("2026-05-04"), d("2026-05-10")))
        );
        assert_eq!(
            rolling("last_month", today),
            Some((d("2026-04-01"), d("2026-04-30")))
        );
        assert_eq!(
            rolling("this_quarter", today),
            Some((d("2026-04-01"), today))
        );
        assert_eq!(
            rolling("last_quarter", today),
            Some((d("2026-01-01"), d("2026-03-31")))
        );
        let jan = d("2026-01-20");
        assert_eq!(
            rolling("last_quarter", jan),
            Some((d("2025-10-01"), d("2025-12-31")))
        );
        assert_eq!(
            rolling("last_year", jan),
            Some((d("2025-01-01"), d("2025-12-31")))
        );
        assert_eq!(rolling("someday", jan), None);
    }
}
