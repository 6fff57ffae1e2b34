//! The city's assessment indicators (考核指标) for a period and a unit's subtree, each with its
//! formula: the catalog's (网上可办率, 全程网办率, 最多跑一次率, 即办件比例, 承诺时限压缩率) over the
//! published matters of the departments in scope (a street, community or hall, which owns no
//! matters, is served by the whole district's catalog), and the work's (网办率, 按时办结率, 超期件数,
//! 平均办理时长, 好评率, 差评整改率, 办件量) folded from the period's [`Facts`]. An application is in
//! a unit's figures when it was filed there or when its matter belongs to a department there: a
//! street sees what its halls took in, a department what it decides. Rates are fractions, `None`
//! where there is nothing to divide.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::facts::{Cell, Facts};
use crate::catalog::matter::Matter;
use crate::org::{Kind, Unit};

/// What the catalog counts for a set of matters.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct CatalogCell {
    pub published: i64,
    /// Online depth 3 or 4.
    pub online_capable: i64,
    /// Online depth 4.
    pub fully_online: i64,
    pub at_most_one_visit: i64,
    /// Promised in 0 working days.
    pub immediate: i64,
    /// Σ promised days and Σ legal days, over the matters with a legal limit.
    pub promised_days: i64,
    pub legal_days: i64,
}

impl CatalogCell {
    fn add(&mut self, m: &Matter) {
        let g = &m.guide;
        self.published += 1;
        self.online_capable += i64::from(g.online_depth >= 3);
        self.fully_online += i64::from(g.online_depth >= 4);
        self.at_most_one_visit += i64::from(g.onsite_visits <= 1);
        self.immediate += i64::from(g.promised_limit_days.is_zero());
        if let Some(legal) = g.legal_limit_days {
            self.promised_days += i64::from(g.promised_limit_days.get());
            self.legal_days += i64::from(legal.get());
        }
    }
}

/// The indicators of one unit's subtree over a period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Assessment {
    /// 网上可办率: published matters with online depth ≥ 3 ÷ published matters.
    pub online_capable_rate: Option<f64>,
    /// 全程网办率: depth 4 ÷ published matters.
    pub fully_online_rate: Option<f64>,
    /// 最多跑一次率: matters with at most one on-site visit ÷ published matters.
    pub at_most_one_visit_rate: Option<f64>,
    /// 即办件比例: matters promised in 0 working days ÷ published matters.
    pub immediate_rate: Option<f64>,
    /// 承诺时限压缩率: 1 − Σ promised days ÷ Σ legal days (matters with a legal limit).
    pub time_compression_rate: Option<f64>,
    /// 网办率: applications filed online ÷ all applications filed.
    pub online_filing_rate: Option<f64>,
    /// 按时办结率: approvals finished within their deadline ÷ finished.
    pub on_time_rate: Option<f64>,
    /// 超期件数: finished late in the period, and running past the deadline now.
    pub overdue: i64,
    /// 平均办理时长 in working days, start to finish.
    pub average_working_days: Option<f64>,
    /// 好评率: ratings 4–5 ÷ all ratings.
    pub positive_rating_rate: Option<f64>,
    /// 差评整改率: poor ratings and complaints answered in time ÷ all of them.
    pub poor_rating_rectified_rate: Option<f64>,
    /// 办件量: applications filed.
    pub applications: i64,
    pub published_matters: i64,
    pub finished: i64,
    pub ratings: i64,
    /// Applications filed by channel.
    pub by_channel: BTreeMap<String, i64>,
}

/// The indicators' keys, in the order the assessment sheet lists them.
pub const INDICATORS: [&str; 12] = [
    "online_capable_rate",
    "fully_online_rate",
    "at_most_one_visit_rate",
    "immediate_rate",
    "time_compression_rate",
    "online_filing_rate",
    "on_time_rate",
    "overdue",
    "average_working_days",
    "positive_rating_rate",
    "poor_rating_rectified_rate",
    "applications",
];

impl Assessment {
    /// An indicator's value by key (counts as numbers).
    pub fn value(&self, key: &str) -> Option<f64> {
        match key {
            "online_capable_rate" => self.online_capable_rate,
            "fully_online_rate" => self.fully_online_rate,
            "at_most_one_visit_rate" => self.at_most_one_visit_rate,
            "immediate_rate" => self.immediate_rate,
            "time_compression_rate" => self.time_compression_rate,
            "online_filing_rate" => self.online_filing_rate,
            "on_time_rate" => self.on_time_rate,
            "overdue" => Some(self.overdue as f64),
            "average_working_days" => self.average_working_days,
            "positive_rating_rate" => self.positive_rating_rate,
            "poor_rating_rectified_rate" => self.poor_rating_rectified_rate,
            "applications" => Some(self.applications as f64),
            _ => None,
        }
    }
}

/// Whether an indicator is a rate (shown as a percentage).
pub fn is_rate(key: &str) -> bool {
    key.ends_with("_rate")
}

fn rate(a: i64, b: i64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// The org tree's lookups a fold needs: each unit's path by id, each department's path by code.
pub struct Tree<'a> {
    pub units: &'a [Unit],
    by_id: HashMap<i64, &'a Unit>,
    by_code: HashMap<&'a str, &'a str>,
    /// Each matter's department code.
    matters: &'a HashMap<String, String>,
    /// Each matter's switches at units (unit id, on).
    switches: &'a HashMap<String, Vec<(i64, bool)>>,
}

impl<'a> Tree<'a> {
    /// `departments`: every matter's department code, by matter code (retired matters too: they
    /// still own what was filed on them).
    pub fn new(
        units: &'a [Unit],
        departments: &'a HashMap<String, String>,
        switches: &'a HashMap<String, Vec<(i64, bool)>>,
    ) -> Self {
        Tree {
            units,
            by_id: units.iter().map(|u| (u.id, u)).collect(),
            by_code: units
                .iter()
                .map(|u| (u.code.as_str(), u.path.as_str()))
                .collect(),
            matters: departments,
            switches,
        }
    }

    /// Whether a hall inside `scope` (or the hall `scope` is in) offers matter `m`: a hall offers
    /// what its parent unit serves — the matter's switch there, else the matter's levels.
    pub fn offered(&self, m: &Matter, scope: &Unit) -> bool {
        let switches = self.switches.get(&m.code);
        let serves = |u: &Unit| match switches.and_then(|s| s.iter().find(|(id, _)| *id == u.id)) {
            Some((_, on)) => *on,
            None => {
                crate::catalog::matter::Level::of(u.kind).is_some_and(|l| m.levels.contains(&l))
            }
        };
        self.units.iter().any(|h| {
            h.kind == Kind::Hall
                && !h.is_retired()
                && (h.path.starts_with(&scope.path) || scope.path.starts_with(&h.path))
                && h.parent_id
                    .and_then(|p| self.by_id.get(&p))
                    .is_some_and(|u| serves(u))
        })
    }

    /// The department (code) a matter belongs to.
    pub fn department_of(&self, matter: &str) -> Option<&str> {
        self.matters.get(matter).map(String::as_str)
    }

    /// The path of unit `id`.
    pub fn path_of(&self, id: i64) -> Option<&'a str> {
        self.by_id.get(&id).map(|u| u.path.as_str())
    }

    /// Whether a cell of unit `unit_id` and matter `matter` falls in the subtree at `path`.
    pub fn holds(&self, path: &str, unit_id: i64, matter: &str) -> bool {
        self.path_of(unit_id).is_some_and(|p| p.starts_with(path))
            || self
                .department_of(matter)
                .and_then(|d| self.by_code.get(d))
                .is_some_and(|p| p.starts_with(path))
    }
}

/// The indicators of the subtree at `scope` from the period's facts and the catalog.
pub fn assess(facts: &Facts, tree: &Tree, catalog: &[(i64, Matter)], scope: &Unit) -> Assessment {
    let mut c = Cell::default();
    let mut by_channel: BTreeMap<String, i64> = BTreeMap::new();
    for (k, v) in &facts.cells {
        if tree.holds(&scope.path, k.unit_id, &k.matter) {
            c.add(v);
            if v.filed > 0 {
                *by_channel.entry(k.channel.clone()).or_default() += v.filed;
            }
        }
    }
    let cat = catalog_of(tree, catalog, scope);
    from_cells(&c, &cat, facts.minutes_per_day, by_channel)
}

/// The catalog figures that serve `scope`: its departments' published matters; for a unit that
/// owns no matters (a street, a community, a hall) the matters its halls offer.
pub fn catalog_of(tree: &Tree, catalog: &[(i64, Matter)], scope: &Unit) -> CatalogCell {
    let owns = tree
        .units
        .iter()
        .any(|u| u.kind == Kind::Department && u.path.starts_with(&scope.path));
    let mut cat = CatalogCell::default();
    for (_, m) in catalog {
        let inside = if owns {
            tree.by_code
                .get(m.department.as_str())
                .is_some_and(|p| p.starts_with(&scope.path))
        } else {
            tree.offered(m, scope)
        };
        if inside {
            cat.add(m);
        }
    }
    cat
}

/// The indicators from folded counts.
pub fn from_cells(
    c: &Cell,
    cat: &CatalogCell,
    minutes_per_day: i64,
    by_channel: BTreeMap<String, i64>,
) -> Assessment {
    Assessment {
        online_capable_rate: rate(cat.online_capable, cat.published),
        fully_online_rate: rate(cat.fully_online, cat.published),
        at_most_one_visit_rate: rate(cat.at_most_one_visit, cat.published),
        immediate_rate: rate(cat.immediate, cat.published),
        time_compression_rate: rate(cat.promised_days, cat.legal_days).map(|r| 1.0 - r),
        online_filing_rate: rate(c.online, c.filed),
        on_time_rate: rate(c.on_time, c.finished),
        overdue: c.finished - c.on_time + c.open_overdue,
        average_working_days: (c.finished > 0)
            .then(|| c.work_minutes as f64 / minutes_per_day as f64 / c.finished as f64),
        positive_rating_rate: rate(c.good, c.ratings),
        poor_rating_rectified_rate: rate(c.rectified, c.poor),
        applications: c.filed,
        published_matters: cat.published,
        finished: c.finished,
        ratings: c.ratings,
        by_channel,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_to_divide_is_none_and_compression_is_one_minus_the_share() {
        let a = from_cells(
            &Cell::default(),
            &CatalogCell::default(),
            480,
            BTreeMap::new(),
        );
        assert_eq!(a.on_time_rate, None);
        assert_eq!(a.time_compression_rate, None);
        assert_eq!(a.average_working_days, None);
        let cat = CatalogCell {
            published: 4,
            promised_days: 10,
            legal_days: 40,
            ..CatalogCell::default()
        };
        let c = Cell {
            filed: 4,
            online: 3,
            finished: 2,
            on_time: 1,
            work_minutes: 480 * 5,
            open_overdue: 2,
            ..Cell::default()
        };
        let a = from_cells(&c, &cat, 480, BTreeMap::new());
        assert_eq!(a.time_compression_rate, Some(0.75));
        assert_eq!(a.online_filing_rate, Some(0.75));
        assert_eq!(a.on_time_rate, Some(0.5));
        assert_eq!(a.overdue, 3);
        assert_eq!(a.average_working_days, Some(2.5));
    }
}
