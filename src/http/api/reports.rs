//! Saved reports over JSON: list those the caller may read, build and change their own, run one
//! (over its own period or the days asked for) as JSON rows or XLSX.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::{Ctx, Session};
use crate::http::query::Query;
use crate::stats::reports::{self, Definition, Report, Run, RunQuery, days};

/// Reads a definition from JSON, its faults named (after the caller's right is checked).
fn definition(session: &Session, v: serde_json::Value) -> Result<Definition> {
    if !session.principal.has(crate::auth::Perm::ViewStats) {
        return Err(Error::Forbidden);
    }
    super::performance_report::body(v)
}

/// The reports the caller may read: their own and those shared with their scope.
#[utoipa::path(get, path = "/reports", tag = "stats",
    responses((status = 200, body = Vec<Report>), (status = 403)))]
pub async fn list(State(s): State<AppState>, session: Session) -> Result<Json<Vec<Report>>> {
    Ok(Json(reports::list(&s.db, &session.principal).await?))
}

/// Save a new report (staff who read statistics; audited).
#[utoipa::path(post, path = "/reports", tag = "stats", request_body = Definition,
    responses((status = 201, body = Report), (status = 403), (status = 422)))]
pub async fn create(
    State(s): State<AppState>,
    session: Session,
    Json(v): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<Report>)> {
    let d = definition(&session, v)?;
    let r = reports::save(&s.db, &session.principal, None, &d).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

#[utoipa::path(get, path = "/reports/{id}", tag = "stats",
    responses((status = 200, body = Report), (status = 404)))]
pub async fn get(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Json<Report>> {
    Ok(Json(reports::get(&s.db, &session.principal, id).await?))
}

/// Change one's own report (audited with what it was).
#[utoipa::path(put, path = "/reports/{id}", tag = "stats", request_body = Definition,
    responses((status = 200, body = Report), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(v): Json<serde_json::Value>,
) -> Result<Json<Report>> {
    let d = definition(&session, v)?;
    Ok(Json(
        reports::save(&s.db, &session.principal, Some(id), &d).await?,
    ))
}

/// Delete one's own report (audited with what it was).
#[utoipa::path(delete, path = "/reports/{id}", tag = "stats",
    responses((status = 204), (status = 403), (status = 404)))]
pub async fn delete(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    reports::delete(&s.db, &session.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Run the report: its rows with the measures, and the totals.
#[utoipa::path(get, path = "/reports/{id}/run", tag = "stats", params(RunQuery),
    responses((status = 200, body = Run), (status = 404), (status = 422)))]
pub async fn run(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Query(q): Query<RunQuery>,
) -> Result<Json<Run>> {
    reports::get(&s.db, &session.principal, id).await?;
    let days = days(&s.db, &q)?;
    Ok(Json(
        reports::run(&s.db, &session.principal, id, days, ctx.lang).await?,
    ))
}

/// The run as a workbook.
#[utoipa::path(get, path = "/reports/{id}/run.xlsx", tag = "stats", params(RunQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404)))]
pub async fn run_xlsx(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Query(q): Query<RunQuery>,
) -> Result<Response> {
    reports::get(&s.db, &session.principal, id).await?;
    let days = days(&s.db, &q)?;
    let r = reports::run(&s.db, &session.principal, id, days, ctx.lang).await?;
    let title = format!("{}（{} {} — {}）", r.name, r.unit, r.from, r.to);
    let bytes = crate::stats::table::xlsx(&title, &r.table, ctx.lang)?;
    Ok(crate::http::transfer::download(
        crate::http::transfer::XLSX,
        &format!("report-{id}.xlsx"),
        bytes,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
        .routes(routes!(run))
        .routes(routes!(run_xlsx))
}
