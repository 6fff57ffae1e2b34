//! The org tree over JSON.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Perm;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::Session;
use crate::org::{self, NewUnit, Unit};

/// All units (any staff role may read the tree).
#[utoipa::path(get, path = "/org/units", tag = "org", responses((status = 200, body = Vec<Unit>)))]
pub async fn list(State(s): State<AppState>, session: Session) -> Result<Json<Vec<Unit>>> {
    if !session.principal.has(Perm::ViewOrg) {
        return Err(Error::Forbidden);
    }
    Ok(Json(org::list(&s.db).await?.as_ref().clone()))
}

#[utoipa::path(get, path = "/org/units/{id}", tag = "org", responses((status = 200, body = Unit), (status = 404)))]
pub async fn get(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Json<Unit>> {
    let u = org::get(&s.db, id).await?;
    if !session.principal.has(Perm::ViewOrg) {
        return Err(Error::NotFound);
    }
    Ok(Json(u))
}

/// Create a unit under a parent the caller manages.
#[utoipa::path(post, path = "/org/units", tag = "org", request_body = NewUnit,
    responses((status = 201, body = Unit), (status = 403), (status = 409), (status = 422)))]
pub async fn create(
    State(s): State<AppState>,
    session: Session,
    Json(new): Json<NewUnit>,
) -> Result<(StatusCode, Json<Unit>)> {
    Ok((
        StatusCode::CREATED,
        Json(org::create(&s.db, &session.principal, new).await?),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UnitPatch {
    pub name: Option<String>,
    /// Move under this unit.
    pub parent_id: Option<i64>,
}

/// Rename and/or move a unit.
#[utoipa::path(patch, path = "/org/units/{id}", tag = "org", request_body = UnitPatch,
    responses((status = 200, body = Unit), (status = 403), (status = 404), (status = 409)))]
pub async fn patch(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(p): Json<UnitPatch>,
) -> Result<Json<Unit>> {
    let mut unit = org::get(&s.db, id).await?;
    // Even an empty change answers only to those who may change the unit.
    let who = &session.principal;
    if !who.can(Perm::ManageOrg, &unit.path) {
        return Err(if who.can(Perm::ViewOrg, &unit.path) {
            Error::Forbidden
        } else {
            Error::NotFound
        });
    }
    if let Some(name) = &p.name {
        unit = org::rename(&s.db, &session.principal, id, name).await?;
    }
    if let Some(parent) = p.parent_id.filter(|p| Some(*p) != unit.parent_id) {
        unit = org::move_to(&s.db, &session.principal, id, parent).await?;
    }
    Ok(Json(unit))
}

/// Retire a unit without active sub-units or accounts.
#[utoipa::path(post, path = "/org/units/{id}/retire", tag = "org",
    responses((status = 200, body = Unit), (status = 409)))]
pub async fn retire(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Json<Unit>> {
    Ok(Json(org::retire(&s.db, &session.principal, id).await?))
}

/// This area's endpoints, each documented where it is written.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, patch))
        .routes(routes!(retire))
}
