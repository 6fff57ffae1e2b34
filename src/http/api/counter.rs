//! The counter over the API: a hall's windows and their clerks, queue tickets (take — no
//! sign-in, it is the hall's kiosk — call next, recall, close), the hall display, finding an
//! applicant by ID number, filing at the counter, material checks, and notices as PDF.

use std::collections::BTreeMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::applications::Application;
use crate::applications::counter::{self, Applicant, Check, CounterFiling};
use crate::counter::{Called, Display, Ticket, Window, WindowSave, queue, windows};
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::Session;
use crate::print::{self, Kind};

/// The windows of a hall with their matters (and, to the hall's own staff, their clerks).
#[utoipa::path(get, path = "/halls/{code}/windows", tag = "counter", responses((status = 200, body = Vec<Window>)))]
pub async fn hall_windows(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Json<Vec<Window>>> {
    let hall = queue::hall(&s.db, &code).await?;
    Ok(Json(
        windows::of_hall_for(&s.db, &session.principal, &hall).await?,
    ))
}

/// The windows the caller is assigned to.
#[utoipa::path(get, path = "/windows/mine", tag = "counter", responses((status = 200, body = Vec<Window>)))]
pub async fn my_windows(State(s): State<AppState>, session: Session) -> Result<Json<Vec<Window>>> {
    Ok(Json(
        windows::of_clerk(&s.db, &session.principal.username).await?,
    ))
}

#[utoipa::path(post, path = "/windows", tag = "counter", request_body = WindowSave,
    responses((status = 201, body = Window), (status = 403), (status = 409), (status = 422)))]
pub async fn create_window(
    State(s): State<AppState>,
    session: Session,
    Json(w): Json<WindowSave>,
) -> Result<(StatusCode, Json<Window>)> {
    Ok((
        StatusCode::CREATED,
        Json(windows::save(&s.db, &session.principal, None, &w).await?),
    ))
}

#[utoipa::path(put, path = "/windows/{id}", tag = "counter", request_body = WindowSave,
    responses((status = 200, body = Window), (status = 403), (status = 409), (status = 422)))]
pub async fn update_window(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(w): Json<WindowSave>,
) -> Result<Json<Window>> {
    Ok(Json(
        windows::save(&s.db, &session.principal, Some(id), &w).await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct Take {
    #[serde(default)]
    pub matter_code: Option<String>,
}

/// Takes a queue ticket at the hall's kiosk (取号). No sign-in.
#[utoipa::path(post, path = "/halls/{code}/tickets", tag = "counter", request_body = Take,
    responses((status = 201, body = Ticket), (status = 404), (status = 422)))]
pub async fn take(
    State(s): State<AppState>,
    Path(code): Path<String>,
    Json(t): Json<Take>,
) -> Result<(StatusCode, Json<Ticket>)> {
    Ok((
        StatusCode::CREATED,
        Json(queue::take(&s.db, &code, t.matter_code.as_deref()).await?),
    ))
}

/// What the hall display shows: the latest calls and how many wait. No sign-in.
#[utoipa::path(get, path = "/halls/{code}/display", tag = "counter", responses((status = 200, body = Display)))]
pub async fn display(State(s): State<AppState>, Path(code): Path<String>) -> Result<Json<Display>> {
    Ok(Json(queue::display(&s.db, &code).await?))
}

/// Calls the next ticket this window takes (叫号); `null` when nobody waits.
#[utoipa::path(post, path = "/windows/{id}/call", tag = "counter", responses((status = 200, body = Option<Called>), (status = 403)))]
pub async fn call(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Json<Option<Called>>> {
    Ok(Json(queue::call_next(&s.db, &session.principal, id).await?))
}

#[utoipa::path(post, path = "/windows/{id}/recall", tag = "counter", responses((status = 200, body = Option<Called>), (status = 403)))]
pub async fn recall(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Json<Option<Called>>> {
    Ok(Json(queue::recall(&s.db, &session.principal, id).await?))
}

/// A window's state for its clerk's page: the ticket it has called and how many wait for it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct WindowState {
    pub current: Option<Called>,
    pub waiting: i64,
}

#[utoipa::path(get, path = "/windows/{id}/state", tag = "counter", responses((status = 200, body = WindowState), (status = 403)))]
pub async fn state(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Json<WindowState>> {
    let w = queue::window_for(&s.db, &session.principal, id).await?;
    Ok(Json(WindowState {
        current: queue::current(&s.db, w.id).await?,
        waiting: queue::waiting_for(&s.db, &w).await?,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Close {
    /// `done` or `no_show` (过号).
    pub status: String,
}

#[utoipa::path(post, path = "/windows/{id}/close", tag = "counter", request_body = Close,
    responses((status = 204), (status = 403), (status = 422)))]
pub async fn close(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(c): Json<Close>,
) -> Result<StatusCode> {
    queue::close(&s.db, &session.principal, id, &c.status).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = FindApplicant)]
pub struct Find {
    pub id_number: String,
}

/// Finds an applicant by ID number (in the body, so it never appears in an address or a log).
#[utoipa::path(post, path = "/applicants/find", tag = "counter", request_body = Find,
    responses((status = 200, body = Applicant), (status = 403), (status = 422)))]
pub async fn find(
    State(s): State<AppState>,
    session: Session,
    Json(f): Json<Find>,
) -> Result<Json<Applicant>> {
    Ok(Json(
        counter::find(&s.db, &session.principal, &f.id_number).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Claim {
    pub id_number: String,
    /// The account that claims the number (registered with it online).
    pub username: String,
}

/// Binds an account to the ID number whose document the clerk has seen: one number, one
/// applicant (409 when another account is bound to it already).
#[utoipa::path(post, path = "/applicants/verify", tag = "counter", request_body = Claim,
    responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn verify(
    State(s): State<AppState>,
    session: Session,
    Json(c): Json<Claim>,
) -> Result<StatusCode> {
    counter::verify_claim(&s.db, &session.principal, &c.id_number, &c.username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Files an application at the counter on the applicant's behalf; it waits for the decision.
#[utoipa::path(post, path = "/applications/counter", tag = "counter", request_body = CounterFiling,
    responses((status = 201, body = Application), (status = 403), (status = 409), (status = 422)))]
pub async fn file(
    State(s): State<AppState>,
    session: Session,
    Json(c): Json<CounterFiling>,
) -> Result<(StatusCode, Json<Application>)> {
    Ok((
        StatusCode::CREATED,
        Json(counter::file(&s.db, &session.principal, &c).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Resubmit {
    /// Material id → file ids added (the clerk's uploads or the applicant's earlier files).
    #[serde(default)]
    pub materials: BTreeMap<String, Vec<i64>>,
    #[serde(default)]
    pub checks: BTreeMap<String, Check>,
}

/// At the counter: adds what a supplement asked for and submits the application again.
#[utoipa::path(post, path = "/applications/{id}/counter-resubmit", tag = "counter", request_body = Resubmit,
    responses((status = 200, body = Application), (status = 409), (status = 422)))]
pub async fn resubmit(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(b): Json<Resubmit>,
) -> Result<Json<Application>> {
    Ok(Json(
        counter::resubmit(&s.db, &session.principal, id, &b.materials, &b.checks).await?,
    ))
}

/// Records the clerk's check of materials; answers all checks of the application.
#[utoipa::path(post, path = "/applications/{id}/checks", tag = "counter",
    responses((status = 200), (status = 422)))]
pub async fn checks(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(c): Json<BTreeMap<String, Check>>,
) -> Result<Json<BTreeMap<String, Check>>> {
    counter::record_checks(&s.db, &session.principal, id, &c).await?;
    Ok(Json(counter::checks_of(&s.db, id).await?))
}

/// An application's notice (receipt, rejection, supplement) as PDF.
#[utoipa::path(get, path = "/applications/{id}/notices/{kind}", tag = "counter",
    responses((status = 200, content_type = "application/pdf"), (status = 409)))]
pub async fn notice_pdf(
    State(s): State<AppState>,
    session: Session,
    headers: axum::http::HeaderMap,
    Path((id, kind)): Path<(i64, String)>,
) -> Result<Response> {
    let kind = kind.strip_suffix(".pdf").unwrap_or(&kind);
    let kind = Kind::parse(kind).ok_or(Error::NotFound)?;
    let base = crate::http::base_url(&s, &headers);
    let (n, number) = print::for_application(&s.db, &session.principal, id, kind, &base).await?;
    Ok(crate::http::transfer::download(
        "application/pdf",
        &format!("{number}-{}.pdf", kind.key()),
        crate::blocking::run(move || n.pdf()).await?,
    ))
}

/// This area's endpoints, each documented where it is written.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(hall_windows))
        .routes(routes!(take))
        .routes(routes!(display))
        .routes(routes!(create_window))
        .routes(routes!(my_windows))
        .routes(routes!(update_window))
        .routes(routes!(state))
        .routes(routes!(call))
        .routes(routes!(recall))
        .routes(routes!(close))
        .routes(routes!(find))
        .routes(routes!(verify))
        .routes(routes!(file))
        .routes(routes!(checks))
        .routes(routes!(resubmit))
        .routes(routes!(notice_pdf))
}
