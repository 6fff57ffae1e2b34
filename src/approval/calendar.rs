//! The working-day calendar (工作日) every deadline in the platform uses: Chinese statutory
//! holidays and make-up working days (调休) as data, working hours per hall, and the arithmetic —
//! add N working days, add working minutes, working time between two instants, is-working-time —
//! all in China Standard Time. Written by hand: the crates that ship holiday lists fix the data in
//! code, while a district must be able to enter next year's schedule the day it is published.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Weekday};
use serde::{Deserialize, Serialize};

use crate::clock::cst;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A statutory holiday: no work, even on a weekday.
    Holiday,
    /// A make-up working day (调休): work, even on a weekend.
    Workday,
}

impl DayKind {
    pub fn parse(s: &str) -> Option<DayKind> {
        match s {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }
}

/// Working periods of a day, e.g. 9:00–12:00 and 14:00–18:00.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hours(pub Vec<(NaiveTime, NaiveTime)>);

impl Default for Hours {
    fn default() -> Self {
        Hours::parse("09:00-12:00,14:00-18:00").expect("valid default")
    }
}

impl Hours {
    /// `HH:MM-HH:MM[,HH:MM-HH:MM…]`, periods in order and not overlapping.
    pub fn parse(s: &str) -> Option<Hours> {
        let mut v: Vec<(NaiveTime, NaiveTime)> = Vec::new();
        for p in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (a, b) = p.split_once('-')?;
            let a = NaiveTime::parse_from_str(a.trim(), "%H:%M").ok()?;
            let b = NaiveTime::parse_from_str(b.trim(), "%H:%M").ok()?;
            if a >= b || v.last().is_some_and(|l| l.1 > a) {
                return None;
            }
            v.push((a, b));
        }
        (!v.is_empty()).then_some(Hours(v))
    }

    pub fn minutes_per_day(&self) -> i64 {
        self.0.iter().map(|(a, b)| (*b - *a).num_minutes()).sum()
    }
}

impl std::fmt::Display for Hours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(a, b)| format!("{}-{}", a.format("%H:%M"), b.format("%H:%M")))
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// The year's exceptions to "Monday to Friday".
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    days: HashMap<NaiveDate, DayKind>,
}

/// The shipped schedule, 2018–2026 (also inserted by migration 0003).
pub const SHIPPED: &str = include_str!("../../data/holidays-cn.csv");

/// Rows of the shipped CSV: (date, kind, name).
pub fn shipped_rows() -> Vec<(NaiveDate, DayKind, String)> {
    SHIPPED
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("date,"))
        .filter_map(|l| {
            let mut p = l.splitn(3, ',');
            let d = NaiveDate::parse_from_str(p.next()?, "%Y-%m-%d").ok()?;
            Some((d, DayKind::parse(p.next()?)?, p.next()?.to_string()))
        })
        .collect()
}

impl Calendar {
    pub fn new(days: impl IntoIterator<Item = (NaiveDate, DayKind)>) -> Calendar {
        Calendar {
            days: days.into_iter().collect(),
        }
    }

    pub fn shipped() -> Calendar {
        Calendar::new(shipped_rows().into_iter().map(|(d, k, _)| (d, k)))
    }

    /// Whether the year's holidays are published here (it has at least one holiday): every
    /// year has 元旦 and 春节, so a year without a holiday is one nobody has entered yet.
    pub fn knows_year(&self, year: i32) -> bool {
        self.days
            .iter()
            .any(|(d, k)| *k == DayKind::Holiday && d.year() == year)
    }

    /// The years from `a` to `b` (either order) whose holidays are not published: a date
    /// computed across them counts their public holidays as working days, and may move.
    pub fn unknown_years(&self, a: NaiveDate, b: NaiveDate) -> Vec<i32> {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        (a.year()..=b.year())
            .filter(|y| !self.knows_year(*y))
            .collect()
    }

    /// The exceptions, for a calendar built from this one with a year replaced.
    pub fn days(&self) -> impl Iterator<Item = (NaiveDate, DayKind)> + '_ {
        self.days.iter().map(|(d, k)| (*d, *k))
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.days.get(&d) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The `n`-th working day after `from` (`from` itself not counted); `from` when `n` is 0.
    /// At the end of the representable calendar it stops at the last day rather than fail.
    pub fn add_working_days(&self, from: NaiveDate, n: crate::days::WorkingDays) -> NaiveDate {
        let mut d = from;
        let mut left = n.get();
        while left > 0 {
            let Some(next) = d.succ_opt() else {
                return d;
            };
            d = next;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days strictly after `a` up to and including `b` (0 if `b` ≤ `a`).
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = a;
        while d < b {
            let Some(next) = d.succ_opt() else {
                return n;
            };
            d = next;
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }

    pub fn is_working_time(&self, t: DateTime<chrono::FixedOffset>, hours: &Hours) -> bool {
        let t = t.with_timezone(&cst());
        self.is_working_day(t.date_naive())
            && hours.0.iter().any(|(a, b)| t.time() >= *a && t.time() < *b)
    }

    /// The instant `minutes` of working time after `t`; with 0, `t` itself moved to the next
    /// working moment when it falls outside working time.
    /// `due` moved on by the working time spent paused between `from` and `to`: the one rule
    /// for every clock that stops (an approval waiting for a supplement or a special
    /// procedure, a ticket waiting on its reporter). Nothing waited, nothing moves: a pause over
    /// a night or a holiday leaves an 18:00 deadline at 18:00, not 09:00 the next working day.
    pub fn after_pause(
        &self,
        due: DateTime<chrono::FixedOffset>,
        from: DateTime<chrono::FixedOffset>,
        to: DateTime<chrono::FixedOffset>,
        hours: &Hours,
    ) -> DateTime<chrono::FixedOffset> {
        let waited = self.working_minutes_between(from, to, hours);
        if waited == 0 {
            return due;
        }
        self.add_working_minutes(due, waited, hours)
    }

    pub fn add_working_minutes(
        &self,
        t: DateTime<chrono::FixedOffset>,
        minutes: i64,
        hours: &Hours,
    ) -> DateTime<chrono::FixedOffset> {
        // Deadlines are whole minutes: a start a few seconds into a period must not lose a
        // minute of it (a day's work from 08:30:05 ending at 08:31 the next morning).
        use chrono::Timelike;
        let t = t
            .with_second(0)
            .and_then(|t| t.with_nanosecond(0))
            .unwrap_or(t);
        let tz = cst();
        let mut left = minutes.max(0);
        let mut day = t.with_timezone(&tz).date_naive();
        let mut at = t.with_timezone(&tz).time();
        loop {
            if self.is_working_day(day) {
                for (a, b) in &hours.0 {
                    if at >= *b {
                        continue;
                    }
                    let start = at.max(*a);
                    let room = (*b - start).num_minutes();
                    if left < room || (left == 0) {
                        let r = day.and_time(start) + Duration::minutes(left);
                        return tz.from_local_datetime(&r).single().expect("fixed offset");
                    }
                    left -= room;
                    at = *b;
                    if left == 0 {
                        let r = day.and_time(*b);
                        return tz.from_local_datetime(&r).single().expect("fixed offset");
                    }
                }
            }
            day = day.succ_opt().expect("date in range");
            at = NaiveTime::MIN;
        }
    }

    /// Working minutes between two instants (0 if `b` ≤ `a`).
    pub fn working_minutes_between(
        &self,
        a: DateTime<chrono::FixedOffset>,
        b: DateTime<chrono::FixedOffset>,
        hours: &Hours,
    ) -> i64 {
        if b <= a {
            return 0;
        }
        let tz = cst();
        let (a, b) = (a.with_timezone(&tz), b.with_timezone(&tz));
        let mut total = 0;
        let mut day = a.date_naive();
        while day <= b.date_naive() {
            if self.is_working_day(day) {
                for (s, e) in &hours.0 {
                    let lo = if day == a.date_naive() {
                        (*s).max(a.time())
                    } else {
                        *s
                    };
                    let hi = if day == b.date_naive() {
                        (*e).min(b.time())
                    } else {
                        *e
                    };
                    if hi > lo {
                        total += (hi - lo).num_minutes();
                    }
                }
            }
            day = day.succ_opt().expect("date in range");
        }
        total
    }
}

#[cfg(test)]
mod tests;
