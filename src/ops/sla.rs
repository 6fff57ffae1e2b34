//! Service-level clocks of a ticket, on the working-day calendar (storage-free).
//!
//! Opened in working time, a ticket must get its first response within the policy's working
//! minutes and be resolved within its working minutes, so a holiday or a night does not count.
//! Opened outside working time, the engineer on duty answers within a wall-clock target; the
//! resolution clock starts at the next working moment. Time waiting on the reporter does not
//! count: the resolution deadline moves by the working time waited. The warning comes at 80% of
//! the resolution time — the moment a ticket below the district level escalates by itself.

use chrono::{DateTime, Duration, FixedOffset};
use serde::{Deserialize, Serialize};

use super::codes::Priority;
use crate::approval::calendar::{Calendar, Hours};

/// What a priority promises, in minutes.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    crate::storage::FromRow,
    utoipa::ToSchema,
)]
pub struct Policy {
    /// First response, working minutes (opened in working time).
    pub response_minutes: i64,
    /// Resolution, working minutes.
    pub resolution_minutes: i64,
    /// First response when opened outside working time, wall-clock minutes.
    pub offhours_response_minutes: i64,
}

impl Policy {
    /// The defaults shipped (migration 0011), from the platform's service promise: respond within
    /// a working hour and resolve within a working day (420 minutes: 9–12 and 14–18).
    pub fn default_for(p: Priority) -> Policy {
        let (r, s, o) = match p {
            Priority::Urgent => (15, 210, 15),
            Priority::High => (30, 420, 30),
            Priority::Normal => (60, 420, 60),
            Priority::Low => (120, 840, 120),
        };
        Policy {
            response_minutes: r,
            resolution_minutes: s,
            offhours_response_minutes: o,
        }
    }
}

/// A ticket's deadlines when it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clocks {
    pub off_hours: bool,
    pub response_due: DateTime<FixedOffset>,
    pub resolution_warn: DateTime<FixedOffset>,
    pub resolution_due: DateTime<FixedOffset>,
}

pub fn clocks(
    cal: &Calendar,
    hours: &Hours,
    policy: &Policy,
    opened: DateTime<FixedOffset>,
) -> Clocks {
    let off_hours = !cal.is_working_time(opened, hours);
    let response_due = if off_hours {
        opened + Duration::minutes(policy.offhours_response_minutes)
    } else {
        cal.add_working_minutes(opened, policy.response_minutes, hours)
    };
    Clocks {
        off_hours,
        response_due,
        resolution_warn: cal.add_working_minutes(
            opened,
            (policy.resolution_minutes * 8 + 9) / 10,
            hours,
        ),
        resolution_due: cal.add_working_minutes(opened, policy.resolution_minutes, hours),
    }
}

/// A deadline moved by the working time spent waiting on the reporter between `from` and `to`
/// (the calendar's one pause rule, [`Calendar::after_pause`]).
pub fn after_wait(
    cal: &Calendar,
    hours: &Hours,
    due: DateTime<FixedOffset>,
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
) -> DateTime<FixedOffset> {
    cal.after_pause(due, from, to, hours)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn normal(opened: &str) -> Clocks {
        clocks(
            &Calendar::shipped(),
            &Hours::default(),
            &Policy::default_for(Priority::Normal),
            t(opened),
        )
    }

    #[test]
    fn in_working_hours_an_hour_to_respond_and_a_working_day_to_resolve() {
        let c = normal("2026-09-29T10:30:00+08:00");
        assert!(!c.off_hours);
        assert_eq!(c.response_due, t("2026-09-29T11:30:00+08:00"));
        // A working day (420 minutes): 10:30–12:00 and 14:00–18:00 (330), then 90 from 9:00 the
        // next day — the same time a working day later.
        assert_eq!(c.resolution_due, t("2026-09-30T10:30:00+08:00"));
    }

    #[test]
    fn a_national_holiday_does_not_count() {
        // 30 Sep 16:00: two hours that day, then the holiday (1–7 Oct), then 8 Oct.
        let c = normal("2026-09-30T16:00:00+08:00");
        assert_eq!(c.response_due, t("2026-09-30T17:00:00+08:00"));
        // 120 minutes that afternoon, then 9–12 and 14–16 on 8 Oct.
        assert_eq!(c.resolution_due, t("2026-10-08T16:00:00+08:00"));
        // 11:30 on a make-up working Sunday (调休, 2026-09-20) counts like any working day;
        // the same hour on the Mid-Autumn Sunday a week later does not.
        assert!(!normal("2026-09-20T11:30:00+08:00").off_hours);
        assert!(normal("2026-09-27T11:30:00+08:00").off_hours);
    }

    #[test]
    fn off_hours_the_duty_engineer_answers_in_wall_clock_time() {
        // A holiday evening: answer within an hour of the clock; a working day to resolve, counted
        // from 8 Oct 9:00.
        let c = normal("2026-10-03T20:00:00+08:00");
        assert!(c.off_hours);
        assert_eq!(c.response_due, t("2026-10-03T21:00:00+08:00"));
        assert_eq!(c.resolution_due, t("2026-10-08T18:00:00+08:00"));
    }

    #[test]
    fn waiting_on_the_reporter_moves_the_deadline_by_the_working_time_waited() {
        let (cal, h) = (Calendar::shipped(), Hours::default());
        let due = t("2026-09-30T11:30:00+08:00");
        // Waited 29 Sep 15:00 → 30 Sep 10:00: 3 h that afternoon + 1 h the next morning, so
        // 11:30 moves 4 working hours on: 30 minutes to noon, then 3.5 h from 14:00.
        let moved = after_wait(
            &cal,
            &h,
            due,
            t("2026-09-29T15:00:00+08:00"),
            t("2026-09-30T10:00:00+08:00"),
        );
        assert_eq!(moved, t("2026-09-30T17:30:00+08:00"));
        // Waiting over a night only: nothing moves.
        let same = after_wait(
            &cal,
            &h,
            due,
            t("2026-09-29T19:00:00+08:00"),
            t("2026-09-30T08:00:00+08:00"),
        );
        assert_eq!(same, due);
    }
}
