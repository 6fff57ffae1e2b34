//! Scoring schemes over JSON: every scheme's latest version, one scheme's versions, and saving a
//! new version on the one it was written on (the district's finance officers and bureau admins).

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Perm;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::Session;
use crate::performance::schemes::{self, Stored};
use crate::performance::score::Scheme;

/// Every scoring scheme's latest version (the built-in central 2020 rules among them).
#[utoipa::path(get, path = "/performance/schemes", tag = "performance",
    responses((status = 200, body = Vec<Stored>), (status = 403)))]
pub async fn list(State(s): State<AppState>, session: Session) -> Result<Json<Vec<Stored>>> {
    Ok(Json(schemes::list(&s.db, &session.principal).await?))
}

/// Every version of a scheme, newest first.
#[utoipa::path(get, path = "/performance/schemes/{code}/versions", tag = "performance",
    responses((status = 200, body = Vec<Stored>), (status = 404)))]
pub async fn versions(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Json<Vec<Stored>>> {
    Ok(Json(
        schemes::versions(&s.db, &session.principal, &code).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = PerformanceSchemeSave)]
pub struct SchemeSave {
    pub scheme: Scheme,
    /// The version it was written on (0: new, or the built-in).
    pub base_version: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = PerformanceSchemeSaved)]
pub struct Saved {
    pub version: i64,
}

/// Saves a scheme as its next version (refused as stale when someone saved since). Audited.
#[utoipa::path(put, path = "/performance/schemes/{code}", tag = "performance",
    request_body = SchemeSave,
    responses((status = 200, body = Saved), (status = 403), (status = 409), (status = 422)))]
pub async fn save(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    Json(v): Json<serde_json::Value>,
) -> Result<Json<Saved>> {
    if !session.principal.has(Perm::ManagePerformance) {
        return Err(Error::Forbidden);
    }
    let b: SchemeSave = super::performance_report::body(v)?;
    let version =
        schemes::save(&s.db, &session.principal, &code, &b.scheme, b.base_version).await?;
    Ok(Json(Saved { version }))
}

/// This area's endpoints, each documented where it is written.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(versions))
        .routes(routes!(save))
}
