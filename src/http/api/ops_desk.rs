//! The desk's own routine over the API: the duty rota, holiday assurance plans and security
//! drills, and the inspections with their runs.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::Session;
use crate::ops::checks::{self, Check, NewCheck, Probe, Run};
use crate::ops::duty::{self, Assurance, Duty, NewDuty};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct Days {
    /// First day (`YYYY-MM-DD`); today when not given.
    pub from: Option<String>,
    /// Last day, inclusive; two weeks after `from` when not given.
    pub to: Option<String>,
}

/// The days a rota view covers.
pub fn days(d: &Days) -> (String, String) {
    let today = chrono::Utc::now()
        .with_timezone(&crate::clock::cst())
        .date_naive();
    let from = d
        .from
        .as_deref()
        .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .unwrap_or(today);
    let to =
        d.to.as_deref()
            .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .unwrap_or(from + chrono::Duration::days(13));
    (from.to_string(), to.to_string())
}

fn desk_staff(s: &Session) -> Result<()> {
    let p = &s.principal;
    if p.has(crate::auth::Perm::HandleTickets) || p.has(crate::auth::Perm::ManageOps) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

#[utoipa::path(get, path = "/api/v1/ops/duty", tag = "ops", params(Days), responses((status = 200, body = Vec<Duty>)))]
pub async fn rota(
    State(s): State<AppState>,
    session: Session,
    Query(d): Query<Days>,
) -> Result<Json<Vec<Duty>>> {
    desk_staff(&session)?;
    let (from, to) = days(&d);
    Ok(Json(duty::rota(&s.db, &from, &to).await?))
}

#[utoipa::path(post, path = "/api/v1/ops/duty", tag = "ops", request_body = NewDuty,
    responses((status = 201, body = Duty), (status = 403), (status = 409), (status = 422)))]
pub async fn add_duty(
    State(s): State<AppState>,
    session: Session,
    Json(n): Json<NewDuty>,
) -> Result<(StatusCode, Json<Duty>)> {
    Ok((
        StatusCode::CREATED,
        Json(duty::add(&s.db, &session.principal, &n).await?),
    ))
}

#[utoipa::path(delete, path = "/api/v1/ops/duty/{id}", tag = "ops", responses((status = 204), (status = 403)))]
pub async fn remove_duty(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    duty::remove(&s.db, &session.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/ops/assurance", tag = "ops", responses((status = 200, body = Vec<Assurance>)))]
pub async fn assurances(
    State(s): State<AppState>,
    session: Session,
) -> Result<Json<Vec<Assurance>>> {
    desk_staff(&session)?;
    Ok(Json(duty::assurances(&s.db).await?))
}

/// Records a holiday assurance plan or a security drill (`id` 0), or updates one with findings.
#[utoipa::path(post, path = "/api/v1/ops/assurance", tag = "ops", request_body = Assurance,
    responses((status = 200, body = Assurance), (status = 403), (status = 422)))]
pub async fn save_assurance(
    State(s): State<AppState>,
    session: Session,
    Json(a): Json<Assurance>,
) -> Result<Json<Assurance>> {
    Ok(Json(
        duty::save_assurance(&s.db, &session.principal, &a).await?,
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Inspections {
    pub checks: Vec<Check>,
    /// The latest runs, newest first.
    pub runs: Vec<Run>,
}

#[utoipa::path(get, path = "/api/v1/ops/checks", tag = "ops", responses((status = 200, body = Inspections)))]
pub async fn inspections(State(s): State<AppState>, session: Session) -> Result<Json<Inspections>> {
    desk_staff(&session)?;
    Ok(Json(Inspections {
        checks: checks::list(&s.db).await?,
        runs: checks::runs(&s.db, 50).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/ops/checks", tag = "ops", request_body = NewCheck,
    responses((status = 201, body = Check), (status = 403), (status = 422)))]
pub async fn add_check(
    State(s): State<AppState>,
    session: Session,
    Json(n): Json<NewCheck>,
) -> Result<(StatusCode, Json<Check>)> {
    Ok((
        StatusCode::CREATED,
        Json(checks::add_url(&s.db, &session.principal, &n).await?),
    ))
}

/// The probe of this server: its own address (from the request) and data dir.
pub fn probe(s: &AppState, host: Option<&str>) -> Probe {
    Probe {
        self_url: format!("http://{}", host.unwrap_or("127.0.0.1:8080")),
        data_dir: s.data_dir.clone(),
    }
}

/// Runs every check now; answers the runs.
#[utoipa::path(post, path = "/api/v1/ops/checks/run", tag = "ops", responses((status = 200, body = Vec<Run>), (status = 403)))]
pub async fn run_checks(
    State(s): State<AppState>,
    session: Session,
    headers: axum::http::HeaderMap,
) -> Result<Json<Vec<Run>>> {
    desk_staff(&session)?;
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok());
    Ok(Json(checks::run_due(&s.db, &probe(&s, host), true).await?))
}
