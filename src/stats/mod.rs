//! Statistics of the government work itself (政务服务统计) and the city's assessment of the
//! district (考核): the facts of a period (`facts`), the assessment indicators with their
//! formulas for any unit's subtree and the ranking of streets and departments on them
//! (`assessment`), and the warnings that come before a deduction (`warnings`). Who may read
//! them: holders of [`Perm::ViewStats`], within their scope.

pub mod assessment;
pub mod facts;
pub mod reports;
pub mod table;
pub mod targets;
pub mod warnings;

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::auth::{Perm, Principal};
use crate::error::{Error, FieldError, Result};
use crate::org::{self, Kind, Unit};
use crate::storage::{Db, query_as};
pub use assessment::Assessment;

/// A period and a unit, as a query names them.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// First day, `YYYY-MM-DD` (China time); 1 January of this year when not given.
    pub from: Option<String>,
    /// Last day, inclusive; today when not given.
    pub to: Option<String>,
    /// The unit whose subtree is counted, by code; the caller's own scope when not given.
    pub unit: Option<String>,
}

/// Longest period one query counts.
pub(crate) const MAX_DAYS: i64 = 3 * 366;

/// The period a query names: both days parse, `from` ≤ `to`, at most three years.
pub fn period(db: &Db, q: &StatsQuery) -> Result<(NaiveDate, NaiveDate)> {
    let today = db
        .clock()
        .now_utc()
        .with_timezone(&crate::clock::cst())
        .date_naive();
    let from = crate::clock::filter_day("from", q.from.as_deref()).map_err(one)?;
    let to = crate::clock::filter_day("to", q.to.as_deref()).map_err(one)?;
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    if from > to {
        return Err(Error::field("from", "stats.period_order"));
    }
    if (to - from).num_days() > MAX_DAYS {
        return Err(Error::field("to", "stats.period_long"));
    }
    Ok((from, to))
}

fn one(e: FieldError) -> Error {
    Error::Validation(vec![e])
}

/// The unit whose subtree `who` counts: the one named (inside their scope, else 404), or the
/// widest of their scope.
pub async fn scope(db: &Db, who: &Principal, unit: Option<&str>) -> Result<Unit> {
    if !who.has(Perm::ViewStats) {
        return Err(Error::Forbidden);
    }
    let units = org::list(db).await?;
    match unit.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => units
            .iter()
            .find(|u| u.code == code && who.can(Perm::ViewStats, &u.path))
            .cloned()
            .ok_or(Error::NotFound),
        None => {
            let scopes = who.scopes(Perm::ViewStats);
            units
                .iter()
                .filter(|u| scopes.iter().any(|s| *s == u.path || s == "/"))
                .min_by_key(|u| u.depth)
                .cloned()
                .ok_or(Error::Forbidden)
        }
    }
}

/// What a dashboard reads once: the period's facts, the org tree, the catalog.
pub struct Basis {
    pub facts: facts::Facts,
    pub units: std::sync::Arc<Vec<Unit>>,
    pub catalog: Vec<(i64, crate::catalog::matter::Matter)>,
    pub departments: HashMap<String, String>,
    /// Each matter's switches at units (unit id, on).
    pub switches: HashMap<String, Vec<(i64, bool)>>,
}

impl Basis {
    pub async fn read(db: &Db, from: NaiveDate, to: NaiveDate) -> Result<Basis> {
        let departments: Vec<(String, String)> =
            query_as("SELECT code, department_code FROM matters")
                .fetch_all(db)
                .await?;
        let rows: Vec<(String, i64, i64)> = query_as(
            "SELECT m.code, mu.unit_id, mu.enabled FROM matter_units mu \
             JOIN matters m ON m.id = mu.matter_id",
        )
        .fetch_all(db)
        .await?;
        let mut switches: HashMap<String, Vec<(i64, bool)>> = HashMap::new();
        for (code, unit, on) in rows {
            switches.entry(code).or_default().push((unit, on == 1));
        }
        Ok(Basis {
            switches,
            facts: facts::gather(db, from, to).await?,
            units: org::list(db).await?,
            catalog: crate::catalog::repo::all_public(db).await?,
            departments: departments.into_iter().collect(),
        })
    }

    pub fn tree(&self) -> assessment::Tree<'_> {
        assessment::Tree::new(&self.units, &self.departments, &self.switches)
    }

    pub fn assess(&self, tree: &assessment::Tree, scope: &Unit) -> Assessment {
        assessment::assess(&self.facts, tree, &self.catalog, scope)
    }
}

/// The assessment of the query's unit and period.
pub async fn assess(db: &Db, who: &Principal, q: &StatsQuery) -> Result<Assessment> {
    let unit = scope(db, who, q.unit.as_deref()).await?;
    let (from, to) = period(db, q)?;
    let b = Basis::read(db, from, to).await?;
    Ok(b.assess(&b.tree(), &unit))
}

/// One street or department of the ranking.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ranked {
    pub code: String,
    pub name: String,
    /// `street` or `department`.
    pub kind: String,
    pub assessment: Assessment,
}

/// The streets and departments inside `scope`, each with its indicators.
pub fn ranking(b: &Basis, tree: &assessment::Tree, scope: &Unit) -> Vec<Ranked> {
    b.units
        .iter()
        .filter(|u| {
            matches!(u.kind, Kind::Street | Kind::Department)
                && !u.is_retired()
                && u.path.starts_with(&scope.path)
                && u.path != scope.path
        })
        .map(|u| Ranked {
            code: u.code.clone(),
            name: u.name.clone(),
            kind: if u.kind == Kind::Street {
                "street"
            } else {
                "department"
            }
            .into(),
            assessment: b.assess(tree, u),
        })
        .collect()
}
