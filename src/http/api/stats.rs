//! Statistics over JSON: the assessment indicators of a unit's subtree for a period, the
//! ranking of its streets and departments, and the warnings before a deduction.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::Result;
use crate::http::AppState;
use crate::http::context::Session;
use crate::http::query::Query;
use crate::stats::targets::{Rule, Targets};
use crate::stats::warnings::{self, Warning};
use crate::stats::{self, Assessment, Basis, Ranked, StatsQuery};

#[derive(Serialize, utoipa::ToSchema)]
pub struct AssessmentAnswer {
    /// The unit counted, by code, and the period (China-time days, inclusive).
    pub unit: String,
    pub from: String,
    pub to: String,
    #[serde(flatten)]
    pub assessment: Assessment,
}

/// The assessment indicators (rates as fractions, `null` where nothing to divide) of the unit's
/// subtree for the period (staff who read statistics, within their scope).
#[utoipa::path(get, path = "/stats/assessment", tag = "stats", params(StatsQuery),
    responses((status = 200, body = AssessmentAnswer), (status = 403), (status = 404), (status = 422)))]
pub async fn assessment(
    State(s): State<AppState>,
    session: Session,
    Query(q): Query<StatsQuery>,
) -> Result<Json<AssessmentAnswer>> {
    let unit = stats::scope(&s.db, &session.principal, q.unit.as_deref()).await?;
    let (from, to) = stats::period(&s.db, &q)?;
    let b = Basis::read(&s.db, from, to).await?;
    Ok(Json(AssessmentAnswer {
        unit: unit.code.clone(),
        from: from.to_string(),
        to: to.to_string(),
        assessment: b.assess(&b.tree(), &unit),
    }))
}

/// The streets and departments inside the unit, each with its indicators for the period.
#[utoipa::path(get, path = "/stats/ranking", tag = "stats", params(StatsQuery),
    responses((status = 200, body = Vec<Ranked>), (status = 403), (status = 404), (status = 422)))]
pub async fn ranking(
    State(s): State<AppState>,
    session: Session,
    Query(q): Query<StatsQuery>,
) -> Result<Json<Vec<Ranked>>> {
    let unit = stats::scope(&s.db, &session.principal, q.unit.as_deref()).await?;
    let (from, to) = stats::period(&s.db, &q)?;
    let b = Basis::read(&s.db, from, to).await?;
    Ok(Json(stats::ranking(&b, &b.tree(), &unit)))
}

/// What will cost points unless someone acts: approvals about to go (or gone) overdue, poor
/// follow-ups not answered, indicators below target at the rate so far.
#[utoipa::path(get, path = "/stats/warnings", tag = "stats", params(StatsQuery),
    responses((status = 200, body = Vec<Warning>), (status = 403), (status = 404), (status = 422)))]
pub async fn warnings(
    State(s): State<AppState>,
    session: Session,
    Query(q): Query<StatsQuery>,
) -> Result<Json<Vec<Warning>>> {
    let unit = stats::scope(&s.db, &session.principal, q.unit.as_deref()).await?;
    let (from, to) = stats::period(&s.db, &q)?;
    let b = Basis::read(&s.db, from, to).await?;
    let tree = b.tree();
    let targets = crate::stats::targets::current(&s.db).await?;
    let mut out = warnings::indicators(&b.assess(&tree, &unit), &targets);
    out.extend(warnings::pending(&s.db, &tree, &unit).await?);
    Ok(Json(out))
}

/// The targets and deductions in force and every earlier version (newest first, the built-in
/// set last).
#[utoipa::path(get, path = "/stats/targets", tag = "stats",
    responses((status = 200, body = Vec<Targets>), (status = 403)))]
pub async fn targets(State(s): State<AppState>, session: Session) -> Result<Json<Vec<Targets>>> {
    if !session.principal.has(crate::auth::Perm::ViewStats) {
        return Err(crate::error::Error::Forbidden);
    }
    Ok(Json(crate::stats::targets::versions(&s.db).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct TargetsSave {
    /// The version the rules were written on (0: the built-in set).
    pub base_version: i64,
    pub rules: Vec<Rule>,
}

/// Save the targets and deductions as the next version (bureau admins of the district; audited;
/// a save on an older version is refused).
#[utoipa::path(put, path = "/stats/targets", tag = "stats", request_body = TargetsSave,
    responses((status = 200, body = Targets), (status = 403), (status = 409), (status = 422)))]
pub async fn save_targets(
    State(s): State<AppState>,
    session: Session,
    Json(v): Json<serde_json::Value>,
) -> Result<Json<Targets>> {
    if !session
        .principal
        .has_at_root(crate::auth::Perm::ManageStats)
    {
        return Err(crate::error::Error::Forbidden);
    }
    let b: TargetsSave = super::performance_report::body(v)?;
    Ok(Json(
        crate::stats::targets::save(&s.db, &session.principal, b.base_version, &b.rules).await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(targets, save_targets))
        .routes(routes!(assessment))
        .routes(routes!(ranking))
        .routes(routes!(warnings))
}
