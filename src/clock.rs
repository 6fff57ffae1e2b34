//! Timestamps as stored (fixed-width UTC RFC 3339 text, sortable as text in both stores) and as
//! shown (China Standard Time, UTC+8, no daylight saving).

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};

/// China Standard Time.
pub fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// Now by the system clock, as stored. Code that has the store uses its clock instead
/// (`db.now()`), which tests can move.
pub fn now() -> String {
    to_db(Utc::now())
}

/// The time source of a store's code: the system clock, moved by an offset that starts at zero.
/// Tests move it (`app.db.clock().advance(…)`) instead of rewriting timestamps in SQL; every
/// handle of the store (and its transactions) shares it.
#[derive(Clone, Default)]
pub struct Clock {
    offset_us: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl Clock {
    /// Now, by this clock.
    pub fn now_utc(&self) -> DateTime<Utc> {
        let off = self.offset_us.load(std::sync::atomic::Ordering::Relaxed);
        Utc::now() + chrono::Duration::microseconds(off)
    }

    /// Today in China Standard Time, by this clock (the default of "this week", "this year", a
    /// licence's validity).
    pub fn today(&self) -> chrono::NaiveDate {
        self.now_utc().with_timezone(&cst()).date_naive()
    }

    /// Now, as stored.
    pub fn now(&self) -> String {
        to_db(self.now_utc())
    }

    /// Moves the clock forward (or back, for a negative span).
    pub fn advance(&self, by: chrono::Duration) {
        let us = by.num_microseconds().unwrap_or(i64::MAX);
        self.offset_us
            .fetch_add(us, std::sync::atomic::Ordering::Relaxed);
    }

    /// Sets the clock to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        let us = (at - Utc::now()).num_microseconds().unwrap_or(0);
        self.offset_us
            .store(us, std::sync::atomic::Ordering::Relaxed);
    }
}

pub fn to_db(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn from_db(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A stored time shown in China time, `YYYY-MM-DD HH:MM:SS`.
pub fn display(s: &str) -> String {
    from_db(s)
        .map(|t| {
            t.with_timezone(&cst())
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|| s.to_string())
}

/// A day a filter names (`YYYY-MM-DD`, years 1900–2199): none when blank, else the day, or the
/// field's error — a filter that does not parse is refused, never silently dropped.
pub fn filter_day(
    field: &str,
    text: Option<&str>,
) -> Result<Option<chrono::NaiveDate>, crate::error::FieldError> {
    use chrono::Datelike;
    match text.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .filter(|d| (1900..2200).contains(&d.year()))
            .map(Some)
            .ok_or_else(|| crate::error::FieldError::new(field, "field.date")),
    }
}

/// The UTC instant that starts the given China-time calendar day (`YYYY-MM-DD`), as stored.
pub fn day_start_db(day: &str) -> Option<String> {
    let d = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    let local = d.and_hms_opt(0, 0, 0)?.and_local_timezone(cst()).single()?;
    Some(to_db(local.with_timezone(&Utc)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_sort_as_text_and_show_in_china_time() {
        let a = day_start_db("2026-01-01").unwrap();
        assert_eq!(a, "2025-12-31T16:00:00.000000Z");
        assert!(a < day_start_db("2026-01-02").unwrap());
        assert_eq!(display(&a), "2026-01-01 00:00:00");
        assert!(day_start_db("2026-13-01").is_none());
    }
}
