//! Running applications through their workflow: start (until the applications system does it),
//! the approver's inbox, claim and release, act, resume after a supplement, one instance's
//! tasks and history.

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;

use axum::extract::Query;

use crate::approval::engine::{self, Act, InboxItem, Instance, Start, Supervise, Supervised, Task};
use crate::audit;
use crate::auth::Perm;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::Session;

#[utoipa::path(post, path = "/api/v1/approvals", tag = "approval", request_body = Start,
    responses((status = 200, body = Instance), (status = 403), (status = 404)))]
pub async fn start(
    State(s): State<AppState>,
    session: Session,
    Json(b): Json<Start>,
) -> Result<Json<Instance>> {
    Ok(Json(engine::start(&s.db, &session.principal, &b).await?))
}

#[utoipa::path(get, path = "/api/v1/approvals/inbox", tag = "approval", responses((status = 200, body = Vec<InboxItem>)))]
pub async fn inbox(State(s): State<AppState>, session: Session) -> Result<Json<Vec<InboxItem>>> {
    Ok(Json(engine::inbox(&s.db, &session.principal).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct InstanceDetail {
    pub instance: Instance,
    pub tasks: Vec<Task>,
    /// Every transition, oldest first.
    pub history: Vec<audit::Entry>,
}

/// One instance with its tasks and history, for those who act on it or supervise its unit.
#[utoipa::path(get, path = "/api/v1/approvals/{id}", tag = "approval", responses((status = 200, body = InstanceDetail), (status = 404)))]
pub async fn get(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Json<InstanceDetail>> {
    let p = &session.principal;
    let instance = engine::instance(&s.db, id).await?;
    let tasks = engine::tasks(&s.db, id).await?;
    let unit = crate::org::get(&s.db, instance.unit_id).await?;
    let involved = tasks
        .iter()
        .any(|t| t.may_act(p) || t.acted_by.as_deref() == Some(p.username.as_str()));
    if !involved && !p.can(Perm::StartApprovals, &unit.path) && !p.can(Perm::ViewAudit, &unit.path)
    {
        return Err(Error::NotFound);
    }
    let f = audit::Filter {
        entity: Some("approval".into()),
        per_page: Some(0),
        ..Default::default()
    };
    let (mut history, _) = audit::search(&s.db, &f, &["/".to_string()]).await?;
    history.retain(|e| e.entity_id.as_deref() == Some(id.to_string().as_str()));
    history.reverse();
    Ok(Json(InstanceDetail {
        instance,
        tasks,
        history,
    }))
}

#[utoipa::path(post, path = "/api/v1/approvals/tasks/{id}/claim", tag = "approval", responses((status = 200, body = Task), (status = 409)))]
pub async fn claim(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Json<Task>> {
    Ok(Json(
        engine::claim(&s.db, &session.principal, id, true).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/approvals/tasks/{id}/release", tag = "approval", responses((status = 200, body = Task), (status = 409)))]
pub async fn release(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Json<Task>> {
    Ok(Json(
        engine::claim(&s.db, &session.principal, id, false).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/approvals/tasks/{id}/act", tag = "approval", request_body = Act,
    responses((status = 200, body = Instance), (status = 409), (status = 422)))]
pub async fn act(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(a): Json<Act>,
) -> Result<Json<Instance>> {
    Ok(Json(engine::act(&s.db, &session.principal, id, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/approvals/{id}/resume", tag = "approval", responses((status = 200, body = Instance), (status = 409)))]
pub async fn resume(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Json<Instance>> {
    Ok(Json(engine::resume(&s.db, &session.principal, id).await?))
}

/// Applications of the caller's units with their deadline state, for supervisors.
#[utoipa::path(get, path = "/api/v1/approvals", tag = "approval", params(Supervise),
    responses((status = 200, body = Vec<Supervised>), (status = 403)))]
pub async fn supervise(
    State(s): State<AppState>,
    session: Session,
    Query(q): Query<Supervise>,
) -> Result<Json<Vec<Supervised>>> {
    Ok(Json(
        engine::supervise(&s.db, &session.principal, &q).await?,
    ))
}
