//! Accounts and role grants over JSON, and bulk import (the request body is the CSV or XLSX file).

use crate::http::query::Query;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

use crate::accounts::{
    self, GrantSpec, ImportReport, ListQuery, NewUser, Page, User, UserDetail, UserPatch,
};
use crate::error::Result;
use crate::http::AppState;
use crate::http::context::Session;

/// Accounts within the caller's view, filtered, sorted, paged.
#[utoipa::path(get, path = "/accounts", tag = "accounts", params(ListQuery),
    responses((status = 200, body = Page<User>), (status = 403)))]
pub async fn list(
    State(s): State<AppState>,
    session: Session,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<User>>> {
    Ok(Json(accounts::list(&s.db, &session.principal, &q).await?))
}

#[utoipa::path(post, path = "/accounts", tag = "accounts", request_body = NewUser,
    responses((status = 201, body = UserDetail), (status = 403), (status = 409), (status = 422)))]
pub async fn create(
    State(s): State<AppState>,
    session: Session,
    Json(new): Json<NewUser>,
) -> Result<(StatusCode, Json<UserDetail>)> {
    Ok((
        StatusCode::CREATED,
        Json(accounts::create(&s.db, &session.principal, new).await?),
    ))
}

#[utoipa::path(get, path = "/accounts/{id}", tag = "accounts",
    responses((status = 200, body = UserDetail), (status = 404)))]
pub async fn get(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Json<UserDetail>> {
    Ok(Json(accounts::get(&s.db, &session.principal, id).await?))
}

#[utoipa::path(patch, path = "/accounts/{id}", tag = "accounts", request_body = UserPatch,
    responses((status = 200, body = UserDetail), (status = 403), (status = 404), (status = 422)))]
pub async fn patch(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(p): Json<UserPatch>,
) -> Result<Json<UserDetail>> {
    Ok(Json(
        accounts::update(&s.db, &session.principal, id, p).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasswordReset {
    pub password: String,
}

/// An admin sets a new password; the account's sessions end.
#[utoipa::path(post, path = "/accounts/{id}/password", tag = "accounts",
    request_body = PasswordReset, responses((status = 204), (status = 403), (status = 404)))]
pub async fn reset_password(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(r): Json<PasswordReset>,
) -> Result<StatusCode> {
    accounts::reset_password(&s.db, &session.principal, id, &r.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/accounts/{id}/grants", tag = "accounts", request_body = GrantSpec,
    responses((status = 200, body = UserDetail), (status = 403), (status = 409)))]
pub async fn add_grant(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(g): Json<GrantSpec>,
) -> Result<Json<UserDetail>> {
    Ok(Json(
        accounts::add_grant(&s.db, &session.principal, id, &g).await?,
    ))
}

#[utoipa::path(delete, path = "/accounts/{id}/grants/{gid}", tag = "accounts",
    responses((status = 200, body = UserDetail), (status = 403), (status = 404)))]
pub async fn remove_grant(
    State(s): State<AppState>,
    session: Session,
    Path((id, gid)): Path<(i64, i64)>,
) -> Result<Json<UserDetail>> {
    Ok(Json(
        accounts::remove_grant(&s.db, &session.principal, id, gid).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check every row and report, writing nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Import accounts from the CSV or XLSX file in the body. All or nothing: 422 with every bad row.
#[utoipa::path(post, path = "/accounts/import", tag = "accounts", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportReport), (status = 422, body = ImportReport)))]
pub async fn import(
    State(s): State<AppState>,
    session: Session,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportReport>)> {
    let report = accounts::import(&s.db, &session.principal, &body, q.dry_run).await?;
    let status = if report.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(report)))
}

/// This area's endpoints, each documented where it is written.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(import).layer(axum::extract::DefaultBodyLimit::max(20 << 20)))
        .routes(routes!(get, patch))
        .routes(routes!(reset_password))
        .routes(routes!(add_grant))
        .routes(routes!(remove_grant))
}
