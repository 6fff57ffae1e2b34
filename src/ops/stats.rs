//! The desk's figures for a period (tickets opened in it): totals, resolution, escalations to the
//! developers, median first response, service levels met — overall and by system, category and
//! level. One pass over the period's rows, read in place ([`crate::storage::Query::scan`]), so a
//! year of a million tickets is counted without sorting or copying them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::codes::{Category, Level, System};
use crate::auth::{Perm, Principal};
use crate::clock;
use crate::error::{Error, FieldError, Result};
use crate::storage::{Db, Sql};

/// The figures of one group of tickets. Rates are fractions in [0, 1] (0 when nothing counts).
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    pub total: i64,
    pub resolved: i64,
    pub resolution_rate: f64,
    pub escalated_to_developers: i64,
    /// Median of the seconds from opening to the first response, of those answered; null if none.
    pub median_first_response_seconds: Option<f64>,
    /// Of the tickets answered, the share answered within the response target.
    pub response_sla_met_rate: f64,
    /// Of the tickets resolved, the share resolved within the resolution target.
    pub resolution_sla_met_rate: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Stats {
    /// First and last day of the period (China time), inclusive.
    pub from: String,
    pub to: String,
    #[serde(flatten)]
    pub all: Figures,
    pub by_system: BTreeMap<String, Figures>,
    pub by_category: BTreeMap<String, Figures>,
    pub by_level: BTreeMap<String, Figures>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Period {
    /// `YYYY-MM-DD`, China time, inclusive.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
}

#[derive(Default)]
struct Acc {
    total: i64,
    resolved: i64,
    developers: i64,
    responses: Vec<i64>,
    response_met: i64,
    resolution_judged: i64,
    resolution_met: i64,
}

impl Acc {
    fn add(&mut self, r: &Row) {
        self.total += 1;
        self.resolved += i64::from(r.resolved);
        self.developers += i64::from(r.developers);
        if let Some(s) = r.response_seconds {
            self.responses.push(s);
            self.response_met += i64::from(r.response_met == Some(1));
        }
        if let Some(m) = r.resolution_met {
            self.resolution_judged += 1;
            self.resolution_met += i64::from(m == 1);
        }
    }

    fn figures(mut self) -> Figures {
        let rate = |a: i64, b: i64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let n = self.responses.len();
        let median = (n > 0).then(|| {
            let (_, hi, _) = self.responses.select_nth_unstable(n / 2);
            let hi = *hi;
            if n % 2 == 1 {
                hi as f64
            } else {
                let lo = *self.responses[..n / 2].iter().max().unwrap_or(&hi);
                (lo + hi) as f64 / 2.0
            }
        });
        Figures {
            total: self.total,
            resolved: self.resolved,
            resolution_rate: rate(self.resolved, self.total),
            escalated_to_developers: self.developers,
            median_first_response_seconds: median,
            response_sla_met_rate: rate(self.response_met, n as i64),
            resolution_sla_met_rate: rate(self.resolution_met, self.resolution_judged),
        }
    }
}

struct Row {
    system: usize,
    category: usize,
    level: usize,
    resolved: bool,
    developers: bool,
    response_seconds: Option<i64>,
    response_met: Option<i64>,
    resolution_met: Option<i64>,
}

fn day(field: &str, s: Option<&str>) -> Result<Option<NaiveDate>> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| Error::Validation(vec![FieldError::with(field, "field.date", s)])),
    }
}

/// The figures for tickets opened from `from` to `to` (China-time days, inclusive; the last 7
/// days when not given) in the units the caller oversees.
pub async fn stats(db: &Db, who: &Principal, p: &Period) -> Result<Stats> {
    stats_in(db, who, p, None).await
}

/// As [`stats`], only of the tickets reported in the subtree of unit path `within`.
pub async fn stats_in(db: &Db, who: &Principal, p: &Period, within: Option<&str>) -> Result<Stats> {
    let today = db
        .clock()
        .now_utc()
        .with_timezone(&clock::cst())
        .date_naive();
    let to = day("to", p.to.as_deref())?.unwrap_or(today);
    let from = day("from", p.from.as_deref())?.unwrap_or(to - chrono::Duration::days(6));
    if from > to {
        return Err(Error::field("from", "field.period"));
    }
    let mut scopes = who.scopes(Perm::ManageOps);
    scopes.extend(who.scopes(Perm::HandleTickets));
    scopes.extend(who.scopes(Perm::ViewAudit));
    if scopes.is_empty() {
        return Err(Error::Forbidden);
    }
    let start = clock::day_start_db(&from.to_string()).unwrap_or_default();
    let end =
        clock::day_start_db(&(to + chrono::Duration::days(1)).to_string()).unwrap_or_default();
    let mut s = Sql::new(
        "SELECT system, category, level, resolved_at, escalated_to, first_response_seconds, \
         response_met, resolution_met FROM ops_tickets WHERE opened_at >= ",
    );
    s.bind(start).push(" AND opened_at < ").bind(end);
    if !scopes.iter().any(|p| p == "/") && !who.system {
        s.push(" AND ").any_subtree("unit_path", &scopes);
    }
    if let Some(w) = within {
        s.push(" AND ").any_subtree("unit_path", &[w.to_string()]);
    }
    let mut all = Acc::default();
    let mut sys: Vec<Acc> = System::ALL.iter().map(|_| Acc::default()).collect();
    let mut cat: Vec<Acc> = Category::ALL.iter().map(|_| Acc::default()).collect();
    let mut lvl: Vec<Acc> = Level::ALL.iter().map(|_| Acc::default()).collect();
    s.query()
        .scan(db, |c| {
            let r = Row {
                system: c.text(0).and_then(System::parse).map_or(0, System::index),
                category: c
                    .text(1)
                    .and_then(Category::parse)
                    .map_or(0, Category::index),
                level: c.text(2).and_then(Level::parse).map_or(0, Level::index),
                resolved: c.text(3).is_some(),
                developers: c.text(4) == Some("developers"),
                response_seconds: c.int(5),
                response_met: c.int(6),
                resolution_met: c.int(7),
            };
            all.add(&r);
            sys[r.system].add(&r);
            cat[r.category].add(&r);
            lvl[r.level].add(&r);
        })
        .await?;
    let named = |accs: Vec<Acc>, names: Vec<&'static str>| -> BTreeMap<String, Figures> {
        names
            .into_iter()
            .zip(accs)
            .map(|(n, a)| (n.to_string(), a.figures()))
            .collect()
    };
    Ok(Stats {
        from: from.to_string(),
        to: to.to_string(),
        all: all.figures(),
        by_system: named(sys, System::ALL.iter().map(|v| v.as_str()).collect()),
        by_category: named(cat, Category::ALL.iter().map(|v| v.as_str()).collect()),
        by_level: named(lvl, Level::ALL.iter().map(|v| v.as_str()).collect()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(secs: Option<i64>, met: Option<i64>) -> Row {
        Row {
            system: 0,
            category: 0,
            level: 0,
            resolved: met.is_some(),
            developers: false,
            response_seconds: secs,
            response_met: secs.map(|s| i64::from(s <= 3600)),
            resolution_met: met,
        }
    }

    #[test]
    fn medians_and_rates() {
        let mut a = Acc::default();
        for (s, m) in [
            (Some(60), Some(1)),
            (Some(7200), Some(0)),
            (Some(120), None),
            (None, None),
        ] {
            a.add(&row(s, m));
        }
        let f = a.figures();
        assert_eq!(f.total, 4);
        assert_eq!(f.resolved, 2);
        assert_eq!(f.resolution_rate, 0.5);
        assert_eq!(f.median_first_response_seconds, Some(120.0));
        assert_eq!(f.response_sla_met_rate, 2.0 / 3.0);
        assert_eq!(f.resolution_sla_met_rate, 0.5);
        let mut even = Acc::default();
        for s in [10, 40, 20, 30] {
            even.add(&row(Some(s), None));
        }
        assert_eq!(even.figures().median_first_response_seconds, Some(25.0));
        assert_eq!(Acc::default().figures().median_first_response_seconds, None);
    }
}
