//! The figures the platform computes for a project-year (1 January–31 December, China time) over
//! the project's scope (an org unit's subtree; the district by default): the operations desk's
//! (the same as `GET /api/v1/ops/stats` for that year), accounts, the catalog, applications,
//! ratings, inspections — and the budget's execution from the project's own money. Rates are
//! fractions; `None` where nothing counts (a median of no responses).

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone};

use super::document::Money;
use crate::auth::Principal;
use crate::clock;
use crate::error::Result;
use crate::storage::{Db, query_as, query_scalar};

/// Whether a source is a rate (a fraction, shown and compared as a percentage).
pub fn is_rate(source: &str) -> bool {
    source.ends_with("_rate")
}

/// The first instant of `year` and of the next, China time, as stored.
pub fn year_bounds(year: i32) -> (String, String) {
    let at = |y: i32| {
        let d = NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default();
        clock::to_db(
            clock::cst()
                .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
                .single()
                .map(|t| t.with_timezone(&chrono::Utc))
                .unwrap_or_default(),
        )
    };
    (at(year), at(year + 1))
}

fn rate(a: i64, b: i64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

async fn counted(db: &Db, sql: String, binds: Vec<String>) -> Result<i64> {
    let mut q = query_scalar::<i64>(sql);
    for b in binds {
        q = q.bind(b);
    }
    Ok(q.fetch_one(db).await?)
}

/// Every computed source for `year` over the unit path `scope`.
pub async fn compute(
    db: &Db,
    year: i32,
    scope: &str,
    money: &Money,
) -> Result<BTreeMap<String, Option<f64>>> {
    let (from, to) = year_bounds(year);
    let mut out: BTreeMap<String, Option<f64>> = BTreeMap::new();
    let period = crate::ops::stats::Period {
        from: Some(format!("{year}-01-01")),
        to: Some(format!("{year}-12-31")),
    };
    let ops = crate::ops::stats::stats_in(db, &Principal::system(), &period, Some(scope))
        .await?
        .all;
    let n = |x: i64| Some(x as f64);
    out.insert("ops.total".into(), n(ops.total));
    out.insert("ops.resolved".into(), n(ops.resolved));
    out.insert("ops.unresolved".into(), n(ops.total - ops.resolved));
    out.insert("ops.resolution_rate".into(), rate(ops.resolved, ops.total));
    out.insert(
        "ops.escalated_to_developers".into(),
        n(ops.escalated_to_developers),
    );
    out.insert(
        "ops.median_first_response_seconds".into(),
        ops.median_first_response_seconds,
    );
    out.insert(
        "ops.response_sla_met_rate".into(),
        Some(ops.response_sla_met_rate),
    );
    out.insert(
        "ops.resolution_sla_met_rate".into(),
        Some(ops.resolution_sla_met_rate),
    );
    let within = "substr(o.path, 1, length(CAST($1 AS TEXT))) = $1";
    let count = |sql: String| counted(db, sql, vec![scope.to_string(), from.clone(), to.clone()]);
    // Accounts enabled at the year's end (created before it, still active).
    let accounts = count(format!(
        "SELECT COUNT(*) FROM users u JOIN org_units o ON o.id = u.org_unit_id \
         WHERE {within} AND u.active = 1 AND u.created_at < $3 AND $2 <= $3"
    ))
    .await?;
    out.insert("accounts.active".into(), n(accounts));
    let matters = count(format!(
        "SELECT COUNT(*) FROM matters m JOIN org_units o ON o.code = m.department_code \
         WHERE {within} AND m.status = 'published' AND $2 <= $3 AND EXISTS \
         (SELECT 1 FROM matter_versions v WHERE v.matter_id = m.id AND v.published_at < $3)"
    ))
    .await?;
    out.insert("catalog.published_matters".into(), n(matters));
    // The applications of the scope's units: the unit list is made once (an uncorrelated
    // subquery) and each row read in place from the date indexes (migration 0035); the whole
    // district needs no unit test at all. `$1 <> ''` keeps the bind used either way.
    let whole = crate::org::root(db).await?.path == scope;
    let units = if whole {
        "$1 <> ''".to_string()
    } else {
        "unit_id IN (SELECT id FROM org_units WHERE path LIKE $1)".to_string()
    };
    let pattern = crate::storage::subtree_pattern(scope);
    let submitted = counted(
        db,
        format!(
            "SELECT COUNT(*) FROM applications WHERE submitted_at >= $2 AND submitted_at < $3 \
             AND {units}"
        ),
        vec![pattern.clone(), from.clone(), to.clone()],
    )
    .await?;
    out.insert("applications.submitted".into(), n(submitted));
    // Approvals finished in the year at the scope's halls — an application's, or one another
    // system started through the API — read from one covering index.
    let (done, on_time): (i64, Option<i64>) = query_as(format!(
        "SELECT COUNT(*), SUM(CASE WHEN finished_at <= due_at THEN 1 ELSE 0 END) \
         FROM approval_instances WHERE finished_at >= $2 AND finished_at < $3 AND {units}"
    ))
    .bind(&pattern)
    .bind(&from)
    .bind(&to)
    .fetch_one(db)
    .await?;
    out.insert(
        "applications.on_time_rate".into(),
        rate(on_time.unwrap_or(0), done),
    );
    // Ratings of the year: over the whole district from the index alone; for a part of it,
    // through each rated application's hall.
    let rated = if whole {
        "followups f WHERE f.filed_at >= $2 AND f.filed_at < $3 AND $1 <> ''".to_string()
    } else {
        format!(
            "followups f JOIN applications a ON a.id = f.application_id \
             WHERE f.filed_at >= $2 AND f.filed_at < $3 AND a.{units}"
        )
    };
    let (ratings, good, complaints): (Option<i64>, Option<i64>, Option<i64>) = query_as(format!(
        "SELECT SUM(CASE WHEN f.kind = 'rating' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN f.kind = 'rating' AND f.score >= 4 THEN 1 ELSE 0 END), \
         SUM(CASE WHEN f.kind = 'complaint' THEN 1 ELSE 0 END) FROM {rated}"
    ))
    .bind(&pattern)
    .bind(&from)
    .bind(&to)
    .fetch_one(db)
    .await?;
    let (ratings, good) = (ratings.unwrap_or(0), good.unwrap_or(0));
    out.insert("ratings.satisfaction_rate".into(), rate(good, ratings));
    out.insert("ratings.complaints".into(), n(complaints.unwrap_or(0)));
    let runs = |ok: &str| {
        let sql = format!("SELECT COUNT(*) FROM ops_check_runs WHERE at >= $1 AND at < $2 {ok}");
        counted(db, sql, vec![from.clone(), to.clone()])
    };
    let (all, passed) = (runs("").await?, runs("AND ok = 1").await?);
    out.insert("inspections.pass_rate".into(), rate(passed, all));
    out.insert(
        "budget.execution_rate".into(),
        rate(money.paid(), money.adjusted()),
    );
    // A year the platform holds nothing of (no tickets, no applications, no accounts yet) has
    // no figures, not zeros: a declared figure is then not contradicted by an empty store.
    let none_if = |out: &mut BTreeMap<String, Option<f64>>, empty: bool, prefix: &str| {
        if empty {
            for (k, v) in out.iter_mut() {
                if k.starts_with(prefix) {
                    *v = None;
                }
            }
        }
    };
    none_if(&mut out, ops.total == 0, "ops.");
    none_if(&mut out, submitted == 0, "applications.");
    none_if(&mut out, submitted == 0, "ratings.");
    none_if(&mut out, accounts == 0, "accounts.");
    none_if(&mut out, matters == 0, "catalog.");
    Ok(out)
}
