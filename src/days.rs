//! Working-day counts: a matter's legal and promised limits (法定时限, 承诺时限), a workflow
//! step's limit, the calendar's "N working days after". One bounded type, so a count read from
//! a form, an import, a JSON body or a query is refused past [`WorkingDays::MAX`] where it is
//! read, and no walk over the calendar runs for ever on a number somebody typed.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::FieldError;

/// A count of working days, 0 ([`WorkingDays::ZERO`]: on the spot, 即办) to [`WorkingDays::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct WorkingDays(u16);

impl WorkingDays {
    /// Ten years of working days: more than any limit in law, few enough to count day by day.
    pub const MAX: u16 = 3650;
    pub const ZERO: WorkingDays = WorkingDays(0);

    /// `n` working days, if within bounds.
    pub fn new(n: u32) -> Option<WorkingDays> {
        u16::try_from(n)
            .ok()
            .filter(|n| *n <= Self::MAX)
            .map(WorkingDays)
    }

    /// A count written in the code (`WorkingDays::of(5)`); past the bound it does not compile in
    /// a constant and panics elsewhere, so it is for literals only.
    pub const fn of(n: u16) -> WorkingDays {
        assert!(n <= Self::MAX, "working days past the bound");
        WorkingDays(n)
    }

    /// `n` working days, or the bound when `n` is past it (for counts derived from bounded ones).
    pub fn saturating(n: u32) -> WorkingDays {
        WorkingDays(n.min(u32::from(Self::MAX)) as u16)
    }

    pub fn get(self) -> u32 {
        self.0.into()
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Reads a form field: a whole number within bounds, or the field's error.
    pub fn from_field(field: &str, text: &str) -> Result<WorkingDays, FieldError> {
        let n: u64 = text
            .trim()
            .parse()
            .map_err(|_| FieldError::new(field, "field.number"))?;
        u32::try_from(n)
            .ok()
            .and_then(WorkingDays::new)
            .ok_or_else(|| FieldError::with(field, "field.max", Self::MAX.to_string()))
    }
}

impl fmt::Display for WorkingDays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for WorkingDays {
    type Err = String;

    fn from_str(s: &str) -> Result<WorkingDays, String> {
        s.trim()
            .parse::<u32>()
            .ok()
            .and_then(WorkingDays::new)
            .ok_or_else(|| out_of_range(s))
    }
}

fn out_of_range(s: impl fmt::Display) -> String {
    format!(
        "{s} is not a count of working days (a whole number from 0 to {})",
        WorkingDays::MAX
    )
}

impl<'de> Deserialize<'de> for WorkingDays {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<WorkingDays, D::Error> {
        let n = u64::deserialize(d)?;
        u32::try_from(n)
            .ok()
            .and_then(WorkingDays::new)
            .ok_or_else(|| serde::de::Error::custom(out_of_range(n)))
    }
}

impl utoipa::PartialSchema for WorkingDays {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .minimum(Some(0))
            .maximum(Some(Self::MAX))
            .description(Some("A count of working days (0: on the spot)"))
            .into()
    }
}

impl utoipa::ToSchema for WorkingDays {}

#[cfg(test)]
mod tests {
    use super::WorkingDays;

    #[test]
    fn counts_past_the_bound_are_refused_wherever_they_are_read() {
        assert_eq!(WorkingDays::new(20).unwrap().get(), 20);
        assert!(WorkingDays::new(3651).is_none());
        assert!(WorkingDays::new(u32::MAX).is_none());
        assert_eq!("15".parse::<WorkingDays>().unwrap().get(), 15);
        assert!("70000".parse::<WorkingDays>().is_err());
        assert!("-1".parse::<WorkingDays>().is_err());
        assert!(serde_json::from_str::<WorkingDays>("4294967296").is_err());
        assert!(serde_json::from_str::<WorkingDays>("-3").is_err());
        assert_eq!(
            serde_json::from_str::<WorkingDays>("3650").unwrap().get(),
            3650
        );
        assert_eq!(
            serde_json::to_string(&WorkingDays::new(7).unwrap()).unwrap(),
            "7"
        );
        let e = WorkingDays::from_field("limit_days", "99999").unwrap_err();
        assert_eq!(e.key, "field.max");
        let e = WorkingDays::from_field("limit_days", "三天").unwrap_err();
        assert_eq!(e.key, "field.number");
    }
}
