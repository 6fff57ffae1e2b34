use crate::days::WorkingDays;
use chrono::{FixedOffset, NaiveDate, TimeZone};
use proptest::prelude::*;

use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(s: &str) -> DateTime<FixedOffset> {
    cst()
        .from_local_datetime(&chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap())
        .unwrap()
}

#[test]
fn real_holiday_seasons() {
    let c = Calendar::shipped();
    // Spring Festival 2024: Feb 10–17 off, Sunday Feb 4 and Sunday Feb 18 worked.
    assert!(!c.is_working_day(d("2024-02-12")));
    assert!(c.is_working_day(d("2024-02-04")));
    assert!(c.is_working_day(d("2024-02-18")));
    // Friday Feb 9 2024 + 1 working day: the Sunday make-up day Feb 18.
    assert_eq!(
        c.add_working_days(d("2024-02-09"), WorkingDays::of(1)),
        d("2024-02-18")
    );
    // National Day 2025 (Oct 1–8 with Mid-Autumn), make-up Sat Sep 28 and Sat Oct 11.
    assert_eq!(
        c.add_working_days(d("2025-09-30"), WorkingDays::of(1)),
        d("2025-10-09")
    );
    assert!(c.is_working_day(d("2025-10-11")));
    // 20 working days from the 2018 report year's National Day eve.
    assert_eq!(
        c.add_working_days(d("2018-09-28"), WorkingDays::of(1)),
        d("2018-09-29")
    );
    // 2026 Spring Festival: Feb 15–23, worked Sat Feb 14 and Sat Feb 28.
    assert_eq!(
        c.add_working_days(d("2026-02-13"), WorkingDays::of(1)),
        d("2026-02-14")
    );
    assert_eq!(
        c.add_working_days(d("2026-02-14"), WorkingDays::of(1)),
        d("2026-02-24")
    );
    assert_eq!(c.working_days_between(d("2026-02-13"), d("2026-02-28")), 6);
    // An ordinary weekend.
    assert_eq!(
        c.add_working_days(d("2026-11-27"), WorkingDays::of(1)),
        d("2026-11-30")
    );
    assert_eq!(
        c.add_working_days(d("2026-11-27"), WorkingDays::of(0)),
        d("2026-11-27")
    );
}

#[test]
fn working_hours_skip_lunch_nights_and_holidays() {
    let c = Calendar::shipped();
    let h = Hours::default();
    assert_eq!(h.minutes_per_day(), 420);
    assert!(c.is_working_time(at("2026-11-30 09:00"), &h));
    assert!(!c.is_working_time(at("2026-11-30 12:30"), &h));
    assert!(!c.is_working_time(at("2026-10-02 10:00"), &h));
    // 1 working hour from 11:30: 30 min before lunch, 30 after.
    assert_eq!(
        c.add_working_minutes(at("2026-11-30 11:30"), 60, &h),
        at("2026-11-30 14:30")
    );
    // From Friday 17:30, 1 hour ends Monday 9:30.
    assert_eq!(
        c.add_working_minutes(at("2026-11-27 17:30"), 60, &h),
        at("2026-11-30 09:30")
    );
    // One working day of minutes from the eve of National Day 2026 lands after the holiday.
    assert_eq!(
        c.add_working_minutes(at("2026-09-30 18:00"), 420, &h),
        at("2026-10-08 18:00")
    );
    assert_eq!(
        c.add_working_minutes(at("2026-11-28 03:00"), 0, &h),
        at("2026-11-30 09:00")
    );
    assert_eq!(
        c.working_minutes_between(at("2026-11-27 17:30"), at("2026-11-30 09:30"), &h),
        60
    );
    // Seconds into a period cost no minute: a working day from 09:00:30 ends at 18:00.
    assert_eq!(
        c.add_working_minutes(
            at("2026-11-30 09:00") + chrono::Duration::seconds(30),
            420,
            &h
        ),
        at("2026-11-30 18:00")
    );
    assert_eq!(
        c.working_minutes_between(at("2026-11-30 09:30"), at("2026-11-27 17:30"), &h),
        0
    );
    assert!(Hours::parse("14:00-18:00,09:00-12:00").is_none());
    assert_eq!(
        Hours::parse("8:30-12:00, 13:30-17:30").unwrap().to_string(),
        "08:30-12:00,13:30-17:30"
    );
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (0i64..(9 * 365)).prop_map(|n| d("2018-01-01") + chrono::Duration::days(n))
}

proptest! {
    #[test]
    fn adding_a_then_b_equals_adding_a_plus_b(from in date(), a in 0u32..40, b in 0u32..40) {
        let c = Calendar::shipped();
        prop_assert_eq!(c.add_working_days(c.add_working_days(from, WorkingDays::new(a).unwrap()), WorkingDays::new(b).unwrap()), c.add_working_days(from, WorkingDays::new(a + b).unwrap()));
    }

    #[test]
    fn results_are_working_days_and_count_back(from in date(), n in 1u32..60) {
        let c = Calendar::shipped();
        let to = c.add_working_days(from, WorkingDays::new(n).unwrap());
        prop_assert!(c.is_working_day(to));
        prop_assert!(to > from);
        prop_assert_eq!(c.working_days_between(from, to), n);
    }

    #[test]
    fn working_minutes_round_trip(day in date(), minute in 0i64..(24 * 60), m in 0i64..5000) {
        let c = Calendar::shipped();
        let h = Hours::default();
        let start = cst().from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap()).unwrap() + chrono::Duration::minutes(minute);
        let end = c.add_working_minutes(start, m, &h);
        prop_assert!(end >= start);
        prop_assert_eq!(c.working_minutes_between(start, end, &h), m);
    }
}

#[test]
fn the_migration_ships_exactly_the_csv() {
    let sql = include_str!("../../../migrations/sqlite/0003_calendar.sql");
    let rows = shipped_rows();
    assert_eq!(rows.len(), 322);
    assert_eq!(sql.matches("', 'shipped')").count(), rows.len());
    for (d, k, n) in rows {
        assert!(
            sql.contains(&format!("('{d}', '{}', '{n}',", k.as_str())),
            "{d}"
        );
    }
}

#[test]
fn the_end_of_the_calendar_is_not_a_panic() {
    let cal = Calendar::shipped();
    let last = NaiveDate::MAX;
    assert_eq!(cal.add_working_days(last, WorkingDays::of(10)), last);
    assert!(cal.working_days_between(last - chrono::Duration::days(3), last) <= 3);
}
