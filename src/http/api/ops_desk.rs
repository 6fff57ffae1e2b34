//! The desk's own routine over the API: the duty rota, holiday assurance plans and security
//! drills, and the inspections with their runs.

use crate::http::query::Query;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::Session;
use crate::ops::checks::{self, Check, NewCheck, Run};
use crate::ops::duty::{self, Assurance, Duty, NewDuty};
use crate::ops::links::{self, KnownError, PolicyRow};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Days {
    /// First day (`YYYY-MM-DD`); today when not given.
    pub from: Option<String>,
    /// Last day, inclusive; two weeks after `from` when not given.
    pub to: Option<String>,
}

fn desk_staff(s: &Session) -> Result<()> {
    let p = &s.principal;
    if p.has(crate::auth::Perm::HandleTickets) || p.has(crate::auth::Perm::ManageOps) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

#[utoipa::path(get, path = "/ops/duty", tag = "ops", params(Days), responses((status = 200, body = Vec<Duty>)))]
pub async fn rota(
    State(s): State<AppState>,
    session: Session,
    Query(d): Query<Days>,
) -> Result<Json<Vec<Duty>>> {
    desk_staff(&session)?;
    let (from, to) =
        crate::ops::duty::rota_days(s.db.clock().today(), d.from.as_deref(), d.to.as_deref())?;
    Ok(Json(duty::rota(&s.db, &from, &to).await?))
}

#[utoipa::path(post, path = "/ops/duty", tag = "ops", request_body = NewDuty,
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

#[utoipa::path(delete, path = "/ops/duty/{id}", tag = "ops", responses((status = 204), (status = 403)))]
pub async fn remove_duty(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    duty::remove(&s.db, &session.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/ops/assurance", tag = "ops", responses((status = 200, body = Vec<Assurance>)))]
pub async fn assurances(
    State(s): State<AppState>,
    session: Session,
) -> Result<Json<Vec<Assurance>>> {
    desk_staff(&session)?;
    Ok(Json(duty::assurances(&s.db).await?))
}

/// Records a holiday assurance plan or a security drill (`id` 0), or updates one with findings.
#[utoipa::path(post, path = "/ops/assurance", tag = "ops", request_body = Assurance,
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

#[utoipa::path(get, path = "/ops/checks", tag = "ops", responses((status = 200, body = Inspections)))]
pub async fn inspections(State(s): State<AppState>, session: Session) -> Result<Json<Inspections>> {
    desk_staff(&session)?;
    Ok(Json(Inspections {
        checks: checks::list(&s.db).await?,
        runs: checks::runs(&s.db, 50).await?,
    }))
}

#[utoipa::path(post, path = "/ops/checks", tag = "ops", request_body = NewCheck,
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

/// Runs every check now; answers the runs.
#[utoipa::path(post, path = "/ops/checks/run", tag = "ops", responses((status = 200, body = Vec<Run>), (status = 403)))]
pub async fn run_checks(
    State(s): State<AppState>,
    session: Session,
    headers: axum::http::HeaderMap,
) -> Result<Json<Vec<Run>>> {
    desk_staff(&session)?;
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok());
    Ok(Json(checks::run_due(&s.db, &s.probe(host), true).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DuplicateOf {
    /// The number of the ticket this one repeats.
    pub of: String,
}

#[utoipa::path(post, path = "/ops/tickets/{id}/duplicate", tag = "ops", request_body = DuplicateOf,
    responses((status = 200, body = crate::ops::Ticket), (status = 409), (status = 422)))]
pub async fn duplicate(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(d): Json<DuplicateOf>,
) -> Result<Json<crate::ops::Ticket>> {
    Ok(Json(
        links::duplicate(&s.db, &session.principal, id, &d.of).await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Search {
    pub q: Option<String>,
}

#[utoipa::path(get, path = "/ops/known-errors", tag = "ops", params(Search), responses((status = 200, body = Vec<KnownError>)))]
pub async fn known_errors(
    State(s): State<AppState>,
    session: Session,
    Query(q): Query<Search>,
) -> Result<Json<Vec<KnownError>>> {
    desk_staff(&session)?;
    Ok(Json(links::known_errors(&s.db, q.q.as_deref()).await?))
}

#[utoipa::path(post, path = "/ops/known-errors", tag = "ops", request_body = KnownError,
    responses((status = 201, body = KnownError), (status = 403), (status = 422)))]
pub async fn add_known_error(
    State(s): State<AppState>,
    session: Session,
    Json(k): Json<KnownError>,
) -> Result<(StatusCode, Json<KnownError>)> {
    Ok((
        StatusCode::CREATED,
        Json(links::add_known_error(&s.db, &session.principal, &k).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LinkKnownError {
    pub known_error_id: i64,
}

#[utoipa::path(post, path = "/ops/tickets/{id}/known-error", tag = "ops", request_body = LinkKnownError,
    responses((status = 200, body = crate::ops::Ticket), (status = 422)))]
pub async fn link_known_error(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(l): Json<LinkKnownError>,
) -> Result<Json<crate::ops::Ticket>> {
    Ok(Json(
        links::link_known_error(&s.db, &session.principal, id, l.known_error_id).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VendorStatus {
    pub status: String,
}

#[utoipa::path(post, path = "/ops/tickets/{id}/vendor", tag = "ops", request_body = VendorStatus,
    responses((status = 200, body = crate::ops::Ticket), (status = 409)))]
pub async fn vendor(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(v): Json<VendorStatus>,
) -> Result<Json<crate::ops::Ticket>> {
    Ok(Json(
        links::vendor_status(&s.db, &session.principal, id, &v.status).await?,
    ))
}

/// Attaches files (multipart, parts named `file`) to a ticket.
#[utoipa::path(post, path = "/ops/tickets/{id}/files", tag = "ops",
    responses((status = 201, body = Vec<crate::files::FileMeta>), (status = 422)))]
pub async fn attach(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    form: axum::extract::Multipart,
) -> Result<(StatusCode, Json<Vec<crate::files::FileMeta>>)> {
    let uploads = crate::http::transfer::read_files(form, "file").await?;
    Ok((
        StatusCode::CREATED,
        Json(links::attach(&s.db, &session.principal, id, &uploads).await?),
    ))
}

#[utoipa::path(get, path = "/ops/tickets/{id}/files/{file}", tag = "ops", responses((status = 200), (status = 404)))]
pub async fn ticket_file(
    State(s): State<AppState>,
    session: Session,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<axum::response::Response> {
    let (meta, bytes) = links::ticket_file(&s.db, &session.principal, id, file).await?;
    Ok(crate::http::transfer::send(&meta, bytes))
}

#[utoipa::path(get, path = "/ops/sla", tag = "ops", responses((status = 200, body = Vec<PolicyRow>)))]
pub async fn sla(State(s): State<AppState>, session: Session) -> Result<Json<Vec<PolicyRow>>> {
    desk_staff(&session)?;
    Ok(Json(links::policies(&s.db).await?))
}

#[utoipa::path(put, path = "/ops/sla/{priority}", tag = "ops", request_body = crate::ops::sla::Policy,
    responses((status = 200, body = PolicyRow), (status = 403), (status = 422)))]
pub async fn set_sla(
    State(s): State<AppState>,
    session: Session,
    Path(priority): Path<String>,
    Json(p): Json<crate::ops::sla::Policy>,
) -> Result<Json<PolicyRow>> {
    Ok(Json(
        links::set_policy(&s.db, &session.principal, &priority, &p).await?,
    ))
}

/// This area's endpoints, each documented where it is written.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rota, add_duty))
        .routes(routes!(remove_duty))
        .routes(routes!(assurances, save_assurance))
        .routes(routes!(inspections, add_check))
        .routes(routes!(run_checks))
        .routes(routes!(duplicate))
        .routes(routes!(known_errors, add_known_error))
        .routes(routes!(link_known_error))
        .routes(routes!(vendor))
        .routes(routes!(attach).layer(axum::extract::DefaultBodyLimit::max(
            crate::http::transfer::BODY_LIMIT * 5,
        )))
        .routes(routes!(ticket_file))
        .routes(routes!(sla))
        .routes(routes!(set_sla))
}
