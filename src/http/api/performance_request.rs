//! Payment requests over JSON: open one on a project-year (its approval starts at once), list a
//! year's requests with where each approval stands, read one, record an approved one as paid,
//! and fetch its supporting files.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Perm;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::Session;
use crate::performance::requests::{self, NewRequest, Paid, Request};

/// Open a payment request on the project-year and start its approval (finance officers and
/// bureau admins of the competent department; audited). Files are uploaded first
/// (`POST /api/v1/files`) and named by id and kind.
#[utoipa::path(post, path = "/performance/projects/{code}/payment-requests", tag = "performance",
    request_body = NewRequest,
    responses((status = 201, body = Request), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn create(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    Json(v): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<Request>)> {
    if !session.principal.has(Perm::ManagePerformance) {
        return Err(Error::Forbidden);
    }
    let b: NewRequest = super::performance_report::body(v)?;
    let files = requests::uploaded(&b.files);
    let r = requests::create(&s.db, &session.principal, &code, &b, files).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// The project-year's payment requests, oldest first, each with its approval's status.
#[utoipa::path(get, path = "/performance/projects/{code}/payment-requests", tag = "performance",
    responses((status = 200, body = Vec<Request>), (status = 404)))]
pub async fn list(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Json<Vec<Request>>> {
    Ok(Json(
        requests::list(&s.db, &session.principal, &code).await?,
    ))
}

/// One payment request, for readers of its project and those who act on its approval.
#[utoipa::path(get, path = "/performance/payment-requests/{number}", tag = "performance",
    responses((status = 200, body = Request), (status = 404)))]
pub async fn get(
    State(s): State<AppState>,
    session: Session,
    Path(number): Path<String>,
) -> Result<Json<Request>> {
    Ok(Json(
        requests::get(&s.db, &session.principal, &number).await?,
    ))
}

/// Record an approved request as paid with its voucher: the payment joins the project-year with
/// the request's files (finance officers and bureau admins; audited).
#[utoipa::path(post, path = "/performance/payment-requests/{number}/paid", tag = "performance",
    request_body = Paid,
    responses((status = 200, body = Request), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn pay(
    State(s): State<AppState>,
    session: Session,
    Path(number): Path<String>,
    Json(v): Json<serde_json::Value>,
) -> Result<Json<Request>> {
    if !session.principal.has(Perm::ManagePerformance) {
        return Err(Error::Forbidden);
    }
    let b: Paid = super::performance_report::body(v)?;
    Ok(Json(
        requests::pay(&s.db, &session.principal, &number, &b).await?,
    ))
}

/// One of a request's supporting files.
#[utoipa::path(get, path = "/performance/payment-requests/{number}/files/{id}", tag = "performance",
    responses((status = 200), (status = 404)))]
pub async fn file(
    State(s): State<AppState>,
    session: Session,
    Path((number, id)): Path<(String, i64)>,
) -> Result<axum::response::Response> {
    let (meta, bytes) = requests::file(&s.db, &session.principal, &number, id).await?;
    Ok(crate::http::transfer::send(&meta, bytes))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(get))
        .routes(routes!(pay))
        .routes(routes!(file))
}
