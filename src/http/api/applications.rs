//! Applications over the API: registering an applicant account, drafts and submissions, the
//! applicant's list, the clerks' acceptance queue and their decisions.

use crate::http::query::Query;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::applications::rating::{self, Complaint, Followup, Rate};
use crate::applications::{self, Application, Decision, QueueQuery, Registration, Save};
use crate::error::Result;
use crate::http::AppState;
use crate::http::context::Session;
use crate::storage::Page;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Registered {
    pub username: String,
}

/// Registers an applicant (a person by resident ID, a company by credit code). No sign-in.
#[utoipa::path(post, path = "/register", tag = "applications", request_body = Registration,
    responses((status = 201, body = Registered), (status = 409), (status = 422)))]
pub async fn register(
    State(s): State<AppState>,
    ctx: crate::http::context::Ctx,
    Json(r): Json<Registration>,
) -> Result<(StatusCode, Json<Registered>)> {
    let username = applications::register(&s.db, &r, ctx.ip).await?;
    Ok((StatusCode::CREATED, Json(Registered { username })))
}

#[utoipa::path(post, path = "/applications", tag = "applications", request_body = Save,
    responses((status = 201, body = Application), (status = 409), (status = 422)))]
pub async fn create(
    State(s): State<AppState>,
    session: Session,
    Json(b): Json<Save>,
) -> Result<(StatusCode, Json<Application>)> {
    Ok((
        StatusCode::CREATED,
        Json(applications::save(&s.db, &session.principal, None, &b).await?),
    ))
}

/// Changes a draft, or one sent back for a supplement; `submit` sends it (again). A body
/// without `form` (or without `materials`) keeps what the application has: a PUT that only
/// submits never wipes what was filled in.
#[utoipa::path(put, path = "/applications/{id}", tag = "applications", request_body = Save,
    responses((status = 200, body = Application), (status = 409), (status = 422)))]
pub async fn update(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<axum::response::Response> {
    use axum::response::IntoResponse;
    let mut b = match Json::<Save>::from_bytes(&body) {
        Ok(Json(b)) => b,
        Err(refused) => return Ok(refused.into_response()),
    };
    let given: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    if given.get("form").is_none() || given.get("materials").is_none() {
        let now = applications::get(&s.db, &session.principal, id).await?;
        if given.get("form").is_none() {
            b.form = now.form.as_object().cloned().unwrap_or_default();
        }
        if given.get("materials").is_none() {
            b.materials = now.materials;
        }
    }
    Ok(Json(applications::save(&s.db, &session.principal, Some(id), &b).await?).into_response())
}

#[utoipa::path(get, path = "/applications/{id}", tag = "applications",
    responses((status = 200, body = Application), (status = 404)))]
pub async fn get(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Json<Application>> {
    Ok(Json(
        applications::get(&s.db, &session.principal, id).await?,
    ))
}

/// My applications, newest first, each with its status.
#[utoipa::path(get, path = "/applications/mine", tag = "applications", responses((status = 200, body = Vec<Application>)))]
pub async fn mine(State(s): State<AppState>, session: Session) -> Result<Json<Vec<Application>>> {
    Ok(Json(applications::mine(&s.db, &session.principal).await?))
}

/// Applications waiting for acceptance at the caller's halls (window clerks).
#[utoipa::path(get, path = "/applications/queue", tag = "applications", params(QueueQuery),
    responses((status = 200, body = Page<Application>), (status = 403)))]
pub async fn queue(
    State(s): State<AppState>,
    session: Session,
    Query(q): Query<QueueQuery>,
) -> Result<Json<Page<Application>>> {
    Ok(Json(
        applications::queue(&s.db, &session.principal, &q).await?,
    ))
}

/// Accept (the approval workflow starts), reject with a reason, or ask for a supplement.
#[utoipa::path(post, path = "/applications/{id}/decision", tag = "applications", request_body = Decision,
    responses((status = 200, body = Application), (status = 409), (status = 422)))]
pub async fn decide(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(d): Json<Decision>,
) -> Result<Json<Application>> {
    Ok(Json(
        applications::decide(&s.db, &session.principal, id, &d).await?,
    ))
}

/// The applicant rates a completed application (1–5, once); 1 or 2 opens a follow-up.
#[utoipa::path(post, path = "/applications/{id}/rating", tag = "applications", request_body = Rate,
    responses((status = 201, body = Followup), (status = 409), (status = 422)))]
pub async fn rate(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(r): Json<Rate>,
) -> Result<(StatusCode, Json<Followup>)> {
    Ok((
        StatusCode::CREATED,
        Json(rating::rate(&s.db, &session.principal, id, &r).await?),
    ))
}

#[utoipa::path(post, path = "/applications/{id}/complaints", tag = "applications", request_body = Complaint,
    responses((status = 201, body = Followup), (status = 422)))]
pub async fn complain(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(c): Json<Complaint>,
) -> Result<(StatusCode, Json<Followup>)> {
    Ok((
        StatusCode::CREATED,
        Json(rating::complain(&s.db, &session.principal, id, &c).await?),
    ))
}

/// An application's ratings and complaints with the department's answers.
#[utoipa::path(get, path = "/applications/{id}/followups", tag = "applications",
    responses((status = 200, body = Vec<Followup>)))]
pub async fn followups(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Followup>>> {
    Ok(Json(
        rating::of_application(&s.db, &session.principal, id).await?,
    ))
}

/// Follow-ups the caller's departments must answer, due first.
#[utoipa::path(get, path = "/followups", tag = "applications", responses((status = 200, body = Vec<Followup>), (status = 403)))]
pub async fn open_followups(
    State(s): State<AppState>,
    session: Session,
) -> Result<Json<Vec<Followup>>> {
    Ok(Json(rating::open(&s.db, &session.principal).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct Answer {
    pub answer: String,
}

#[utoipa::path(post, path = "/followups/{id}/answer", tag = "applications", request_body = Answer,
    responses((status = 200, body = Followup), (status = 409), (status = 422)))]
pub async fn answer(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(a): Json<Answer>,
) -> Result<Json<Followup>> {
    Ok(Json(
        rating::answer(&s.db, &session.principal, id, &a.answer).await?,
    ))
}

/// My in-app messages, newest first.
#[utoipa::path(get, path = "/messages", tag = "applications",
    responses((status = 200, body = Vec<crate::mail::messages::Message>)))]
pub async fn messages(
    State(s): State<AppState>,
    session: Session,
) -> Result<Json<Vec<crate::mail::messages::Message>>> {
    Ok(Json(
        crate::mail::messages::mine(&s.db, &session.principal).await?,
    ))
}

#[utoipa::path(post, path = "/messages/{id}/read", tag = "applications", responses((status = 204), (status = 404)))]
pub async fn read_message(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    crate::mail::messages::read(&s.db, &session.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The licences held by the signed-in applicant: by their ID number once a window has verified
/// it, else those issued on their own applications.
#[utoipa::path(get, path = "/licences/mine", tag = "licences",
    responses((status = 200, body = Vec<crate::licence::repo::Status>)))]
pub async fn my_licences(
    State(s): State<AppState>,
    session: Session,
) -> Result<Json<Vec<crate::licence::repo::Status>>> {
    match crate::accounts::lookup::verified_id(&s.db, &session.principal.username).await? {
        Some(id) => Ok(Json(
            crate::licence::repo::of_holder(&s.db, &id, None).await?,
        )),
        None => Ok(Json(
            crate::licence::repo::of_applicant(&s.db, &session.principal.username).await?,
        )),
    }
}

/// A file filed with an application, for its applicant and the hall's clerks.
#[utoipa::path(get, path = "/applications/{id}/files/{file}", tag = "applications",
    responses((status = 200), (status = 404)))]
pub async fn material_file(
    State(s): State<AppState>,
    session: Session,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<axum::response::Response> {
    let (meta, bytes) =
        applications::repo::material_file(&s.db, &session.principal, id, file).await?;
    Ok(crate::http::transfer::send(&meta, bytes))
}

/// This area's endpoints, each documented where it is written.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(create))
        .routes(routes!(mine))
        .routes(routes!(queue))
        .routes(routes!(get, update))
        .routes(routes!(decide))
        .routes(routes!(material_file))
        .routes(routes!(rate))
        .routes(routes!(complain))
        .routes(routes!(followups))
        .routes(routes!(open_followups))
        .routes(routes!(messages))
        .routes(routes!(read_message))
        .routes(routes!(my_licences))
        .routes(routes!(answer))
}
