//! Running applications through their workflow: start (until the applications system does it),
//! the approver's inbox, claim and release, act, resume after a supplement, one instance's
//! tasks and history.

use crate::http::query::Query;
use axum::Json;
use axum::extract::{Path, State};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::approval::engine::{
    self, Act, Case, InboxItem, InboxQuery, Progress, Start, Supervise, Supervised, Task,
};
use crate::error::Result;
use crate::http::AppState;
use crate::http::context::Session;
use crate::storage::Page;

#[utoipa::path(post, path = "/approvals", tag = "approval", request_body = Start,
    responses((status = 200, body = Progress), (status = 403), (status = 404)))]
pub async fn start(
    State(s): State<AppState>,
    session: Session,
    Json(b): Json<Start>,
) -> Result<Json<Progress>> {
    Ok(Json(engine::start(&s.db, &session.principal, &b).await?))
}

/// Open tasks the caller may act on, filtered, sorted and paged.
#[utoipa::path(get, path = "/approvals/inbox", tag = "approval", params(InboxQuery),
    responses((status = 200, body = Page<InboxItem>)))]
pub async fn inbox(
    State(s): State<AppState>,
    session: Session,
    Query(q): Query<InboxQuery>,
) -> Result<Json<Page<InboxItem>>> {
    Ok(Json(engine::inbox(&s.db, &session.principal, &q).await?))
}

/// One instance with its tasks and history, for those who act on it or supervise its unit.
#[utoipa::path(get, path = "/approvals/{id}", tag = "approval", responses((status = 200, body = Case), (status = 404)))]
pub async fn get(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Json<Case>> {
    Ok(Json(engine::case(&s.db, &session.principal, id).await?))
}

#[utoipa::path(post, path = "/approvals/tasks/{id}/claim", tag = "approval", responses((status = 200, body = Task), (status = 409)))]
pub async fn claim(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Json<Task>> {
    Ok(Json(
        engine::claim(&s.db, &session.principal, id, true).await?,
    ))
}

#[utoipa::path(post, path = "/approvals/tasks/{id}/release", tag = "approval", responses((status = 200, body = Task), (status = 409)))]
pub async fn release(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Json<Task>> {
    Ok(Json(
        engine::claim(&s.db, &session.principal, id, false).await?,
    ))
}

#[utoipa::path(post, path = "/approvals/tasks/{id}/act", tag = "approval", request_body = Act,
    responses((status = 200, body = Progress), (status = 409), (status = 422)))]
pub async fn act(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(a): Json<Act>,
) -> Result<Json<Progress>> {
    Ok(Json(engine::act(&s.db, &session.principal, id, &a).await?))
}

#[utoipa::path(post, path = "/approvals/{id}/resume", tag = "approval", responses((status = 200, body = Progress), (status = 409)))]
pub async fn resume(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Json<Progress>> {
    Ok(Json(engine::resume(&s.db, &session.principal, id).await?))
}

/// Applications of the caller's units with their deadline state, for supervisors.
#[utoipa::path(get, path = "/approvals", tag = "approval", params(Supervise),
    responses((status = 200, body = Page<Supervised>), (status = 403)))]
pub async fn supervise(
    State(s): State<AppState>,
    session: Session,
    Query(q): Query<Supervise>,
) -> Result<Json<Page<Supervised>>> {
    Ok(Json(
        engine::supervise(&s.db, &session.principal, &q).await?,
    ))
}

/// This area's endpoints, each documented where it is written.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(supervise, start))
        .routes(routes!(inbox))
        .routes(routes!(get))
        .routes(routes!(resume))
        .routes(routes!(claim))
        .routes(routes!(release))
        .routes(routes!(act))
}
