//! Print templates over the API: read one with its history, save a new version, preview a text
//! on sample data without saving.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::Session;
use crate::print::{self, Kind, repo::Template};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Body {
    pub body: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Preview {
    /// The notice as print HTML (every text escaped).
    pub html: String,
}

fn kind(k: &str) -> Result<Kind> {
    Kind::parse(k).ok_or(Error::NotFound)
}

#[utoipa::path(get, path = "/print/templates/{kind}", tag = "print", responses((status = 200, body = Template), (status = 403)))]
pub async fn get(
    State(s): State<AppState>,
    session: Session,
    Path(k): Path<String>,
) -> Result<Json<Template>> {
    if !print::repo::may_edit(&s.db, &session.principal).await? {
        return Err(Error::Forbidden);
    }
    Ok(Json(print::repo::template(&s.db, kind(&k)?).await?))
}

/// Saves a new version (it must render on the sample data).
#[utoipa::path(put, path = "/print/templates/{kind}", tag = "print", request_body = Body,
    responses((status = 200, body = Template), (status = 403), (status = 422)))]
pub async fn save(
    State(s): State<AppState>,
    session: Session,
    Path(k): Path<String>,
    Json(b): Json<Body>,
) -> Result<Json<Template>> {
    let k = kind(&k)?;
    print::repo::save(&s.db, &session.principal, k, &b.body).await?;
    Ok(Json(print::repo::template(&s.db, k).await?))
}

/// Renders a template text on sample data, without saving.
#[utoipa::path(post, path = "/print/templates/{kind}/preview", tag = "print", request_body = Body,
    responses((status = 200, body = Preview), (status = 403), (status = 422)))]
pub async fn preview(
    State(s): State<AppState>,
    session: Session,
    Path(k): Path<String>,
    Json(b): Json<Body>,
) -> Result<Json<Preview>> {
    if !print::repo::may_edit(&s.db, &session.principal).await? {
        return Err(Error::Forbidden);
    }
    let k = kind(&k)?;
    let n = print::notice(k, &b.body, &print::data::sample(k), None)?;
    Ok(Json(Preview {
        html: n.html(Some("")),
    }))
}

/// This area's endpoints, each documented where it is written.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get, save))
        .routes(routes!(preview))
}
