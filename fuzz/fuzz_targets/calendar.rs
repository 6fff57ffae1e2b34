//! Working-day arithmetic on the shipped calendar: adding n working days lands on a working day
//! n working days on, for any start date and n.
#![no_main]
use libfuzzer_sys::fuzz_target;
use zhengwu::approval::calendar::Calendar;

fuzz_target!(|data: (i32, u16)| {
    let (day, n) = data;
    let cal = Calendar::shipped();
    let Some(from) = chrono::NaiveDate::from_num_days_from_ce_opt(730_000 + day.rem_euclid(40_000))
    else {
        return;
    };
    let n = u32::from(n % 2_000);
    let days = zhengwu::days::WorkingDays::new(n).expect("within the bound");
    let to = cal.add_working_days(from, days);
    assert!(to >= from);
    if n > 0 {
        assert!(cal.is_working_day(to));
        assert_eq!(cal.working_days_between(from, to), n);
    }
});
