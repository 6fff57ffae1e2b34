//! The city's targets and point deductions (考核目标与扣分), kept with versions: each assessment
//! indicator's target (a rate at least, or at most so many overdue) and the points it costs when
//! missed. The built-in set holds until the district saves its own; every save is a new version
//! written on the one it was read from (a stale save is refused), audited, and the old versions
//! stay readable. Bureau admins of the district save; everyone who reads statistics reads them.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::assessment::{Assessment, INDICATORS, is_rate};
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::error::{Error, FieldError, Result};
use crate::storage::{Db, FromRow, query, query_as};

/// One indicator's target and the points it costs when missed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = StatsRule)]
pub struct Rule {
    pub key: String,
    /// At least this (rates as fractions); for counts (`overdue`, `average_working_days`), at most.
    pub target: f64,
    /// Points deducted when missed.
    pub points: f64,
}

/// A version of the targets (0: the built-in set, never saved).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = StatsTargets)]
pub struct Targets {
    pub version: i64,
    pub rules: Vec<Rule>,
    pub saved_by: Option<String>,
    pub saved_at: Option<String>,
}

/// Whether a higher value is better for `key`.
pub fn higher_is_better(key: &str) -> bool {
    is_rate(key)
}

impl Targets {
    pub fn rule(&self, key: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.key == key)
    }

    /// Whether `a` meets the rule of `key` (None: no rule, or nothing to judge).
    pub fn met(&self, a: &Assessment, key: &str) -> Option<bool> {
        let r = self.rule(key)?;
        let v = a.value(key)?;
        Some(if higher_is_better(key) {
            v >= r.target
        } else {
            v <= r.target
        })
    }

    /// The points `a` loses on these targets.
    pub fn deduction(&self, a: &Assessment) -> f64 {
        self.rules
            .iter()
            .filter(|r| self.met(a, &r.key) == Some(false))
            .map(|r| r.points)
            .sum()
    }
}

/// The built-in targets: the city's common ones.
pub fn built_in() -> Targets {
    let rule = |key: &str, target: f64, points: f64| Rule {
        key: key.into(),
        target,
        points,
    };
    Targets {
        version: 0,
        rules: vec![
            rule("online_capable_rate", 0.95, 2.0),
            rule("fully_online_rate", 0.5, 2.0),
            rule("at_most_one_visit_rate", 0.95, 2.0),
            rule("time_compression_rate", 0.4, 1.0),
            rule("online_filing_rate", 0.6, 2.0),
            rule("on_time_rate", 0.99, 5.0),
            rule("overdue", 0.0, 3.0),
            rule("positive_rating_rate", 0.95, 3.0),
            rule("poor_rating_rectified_rate", 1.0, 3.0),
        ],
        saved_by: None,
        saved_at: None,
    }
}

#[derive(FromRow)]
struct Row {
    version: i64,
    rules_json: String,
    saved_by: String,
    saved_at: String,
}

impl Row {
    fn targets(self) -> Result<Targets> {
        Ok(Targets {
            version: self.version,
            rules: serde_json::from_str(&self.rules_json).map_err(|e| Error::Internal(e.into()))?,
            saved_by: Some(self.saved_by),
            saved_at: Some(self.saved_at),
        })
    }
}

/// The targets in force: the latest saved version, or the built-in set.
pub async fn current(db: &Db) -> Result<Targets> {
    let row: Option<Row> = query_as(
        "SELECT version, rules_json, saved_by, saved_at FROM stats_targets \
         ORDER BY version DESC LIMIT 1",
    )
    .fetch_optional(db)
    .await?;
    row.map_or_else(|| Ok(built_in()), Row::targets)
}

/// Every saved version, newest first, then the built-in set.
pub async fn versions(db: &Db) -> Result<Vec<Targets>> {
    let rows: Vec<Row> = query_as(
        "SELECT version, rules_json, saved_by, saved_at FROM stats_targets ORDER BY version DESC",
    )
    .fetch_all(db)
    .await?;
    let mut out = rows
        .into_iter()
        .map(Row::targets)
        .collect::<Result<Vec<_>>>()?;
    out.push(built_in());
    Ok(out)
}

/// What is wrong with `rules`.
pub fn check(rules: &[Rule]) -> Vec<FieldError> {
    let mut e = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, r) in rules.iter().enumerate() {
        let p = format!("rules[{i}]");
        if !INDICATORS.contains(&r.key.as_str()) || r.key == "applications" {
            e.push(FieldError::with(
                format!("{p}.key"),
                "report.measure",
                &r.key,
            ));
        } else if !seen.insert(r.key.as_str()) {
            e.push(FieldError::with(
                format!("{p}.key"),
                "stats.rule_twice",
                &r.key,
            ));
        }
        let range = if is_rate(&r.key) {
            0.0..=1.0
        } else {
            0.0..=1e6
        };
        if !r.target.is_finite() || !range.contains(&r.target) {
            let shown = if is_rate(&r.key) { "0–1" } else { "≥ 0" };
            e.push(FieldError::with(
                format!("{p}.target"),
                "field.range",
                shown,
            ));
        }
        if !r.points.is_finite() || !(0.0..=100.0).contains(&r.points) {
            e.push(FieldError::with(
                format!("{p}.points"),
                "field.range",
                "0–100",
            ));
        }
    }
    if rules.len() > 20 {
        e.push(FieldError::with("rules", "stats.rules_count", "20"));
    }
    e
}

/// Saves `rules` as the next version, written on version `base` (a save since makes it stale).
pub async fn save(db: &Db, who: &Principal, base: i64, rules: &[Rule]) -> Result<Targets> {
    if !who.has_at_root(Perm::ManageStats) {
        return Err(Error::Forbidden);
    }
    let errs = check(rules);
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let now_v = current(db).await?;
    if now_v.version != base {
        return Err(Error::Conflict("err.stats_targets_stale"));
    }
    let text = serde_json::to_string(rules).map_err(|e| Error::Internal(e.into()))?;
    let root = crate::org::root(db).await?;
    let mut tx = db.begin().await?;
    query(
        "INSERT INTO stats_targets (version, rules_json, saved_by, saved_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(base + 1)
    .bind(&text)
    .bind(&who.username)
    .bind(db.now())
    .execute(&mut tx)
    .await
    .map_err(|e| Error::on_unique(e, "err.stats_targets_stale"))?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "stats.targets",
            entity: "stats_targets",
            entity_id: (base + 1).to_string(),
            scope_path: &root.path,
            summary: format!("v{}", base + 1),
            before: Some(json!(now_v.rules)),
            after: Some(json!(rules)),
        },
    )
    .await?;
    tx.commit().await?;
    current(db).await
}
