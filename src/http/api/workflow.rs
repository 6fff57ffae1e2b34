//! Approval workflow definitions over JSON (and as an SVG diagram).

use crate::http::query::Query;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::approval::definition::WorkflowDef;
use crate::approval::{
    diagram,
    workflow_repo::{self, VersionRow},
};
use crate::error::Result;
use crate::http::AppState;
use crate::http::context::{Ctx, MaybeSession, Session};

#[derive(Serialize, utoipa::ToSchema)]
pub struct Versioned {
    pub version: i64,
    pub definition: WorkflowDef,
    /// The draft's: when it was last saved (`new` before the first save); send it back as
    /// `base` to save over exactly this draft.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saved_at: Option<String>,
}

/// The matter's current published workflow. Public.
#[utoipa::path(get, path = "/matters/{code}/workflow", tag = "approval",
    responses((status = 200, body = Versioned), (status = 404)))]
pub async fn current(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(code): Path<String>,
) -> Result<Json<Versioned>> {
    crate::catalog::lookup::readable(&s.db, &code, session.as_ref().map(|x| &x.principal)).await?;
    let (version, definition) = workflow_repo::current(&s.db, &code).await?;
    Ok(Json(Versioned {
        version,
        definition: definition.public(),
        saved_at: None,
    }))
}

/// The draft (or what a new draft would start from), for editors.
#[utoipa::path(get, path = "/matters/{code}/workflow/draft", tag = "approval",
    responses((status = 200, body = Versioned)))]
pub async fn draft(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Json<Versioned>> {
    let (version, definition) = workflow_repo::draft(&s.db, &session.principal, &code).await?;
    Ok(Json(Versioned {
        version,
        definition,
        saved_at: Some(
            workflow_repo::draft_saved_at(&s.db, &code)
                .await?
                .unwrap_or_else(|| "new".into()),
        ),
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct VersionNumber {
    pub version: i64,
}

/// Save the draft; every problem is answered by field. With `base` (the draft's `saved_at` as
/// loaded), someone else's save since is not overwritten (409).
#[utoipa::path(put, path = "/matters/{code}/workflow/draft", tag = "approval", request_body = WorkflowDef,
    params(crate::http::api::catalog::Base),
    responses((status = 200, body = VersionNumber), (status = 409), (status = 422)))]
pub async fn save_draft(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    crate::http::query::Query(b): crate::http::query::Query<crate::http::api::catalog::Base>,
    Json(def): Json<WorkflowDef>,
) -> Result<Json<VersionNumber>> {
    Ok(Json(VersionNumber {
        version: workflow_repo::save_draft_over(
            &s.db,
            &session.principal,
            &code,
            &def,
            b.base.as_deref(),
        )
        .await?,
    }))
}

/// Publish the draft as an immutable version.
#[utoipa::path(post, path = "/matters/{code}/workflow/publish", tag = "approval",
    responses((status = 200, body = VersionNumber), (status = 409)))]
pub async fn publish(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Json<VersionNumber>> {
    Ok(Json(VersionNumber {
        version: workflow_repo::publish(&s.db, &session.principal, &code).await?,
    }))
}

#[utoipa::path(get, path = "/matters/{code}/workflow/versions", tag = "approval",
    responses((status = 200, body = Vec<VersionRow>)))]
pub async fn versions(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(code): Path<String>,
) -> Result<Json<Vec<VersionRow>>> {
    crate::catalog::lookup::readable(&s.db, &code, session.as_ref().map(|x| &x.principal)).await?;
    Ok(Json(workflow_repo::versions(&s.db, &code).await?))
}

/// One published version. Public.
#[utoipa::path(get, path = "/matters/{code}/workflow/versions/{n}", tag = "approval",
    responses((status = 200, body = WorkflowDef), (status = 404)))]
pub async fn version(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path((code, n)): Path<(String, i64)>,
) -> Result<Json<WorkflowDef>> {
    crate::catalog::lookup::readable(&s.db, &code, session.as_ref().map(|x| &x.principal)).await?;
    Ok(Json(
        workflow_repo::published(&s.db, &code, n).await?.public(),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SvgQuery {
    pub version: Option<i64>,
}

/// A published version (the current one by default) as an SVG diagram. Public.
#[utoipa::path(get, path = "/matters/{code}/workflow.svg", tag = "approval", params(SvgQuery),
    responses((status = 200, content_type = "image/svg+xml")))]
pub async fn svg(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<SvgQuery>,
) -> Result<Response> {
    crate::catalog::lookup::readable(&s.db, &code, session.as_ref().map(|x| &x.principal)).await?;
    let def = match q.version {
        Some(v) => workflow_repo::published(&s.db, &code, v).await?,
        None => workflow_repo::current(&s.db, &code).await?.1,
    };
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        diagram::svg(&def.public(), ctx.lang, &crate::org::list(&s.db).await?),
    )
        .into_response())
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct FourEyes {
    /// Whether a matter's guide or workflow is published by someone other than its drafter.
    pub publish: bool,
}

/// Separation of duties for publishing (on unless the bureau turned it off).
#[utoipa::path(get, path = "/settings/four-eyes", tag = "approval",
    responses((status = 200, body = FourEyes)))]
pub async fn four_eyes(State(s): State<AppState>, _session: Session) -> Result<Json<FourEyes>> {
    Ok(Json(FourEyes {
        publish: crate::approval::four_eyes::publishing(&s.db).await?,
    }))
}

/// Turns separation of duties for publishing on or off (the district's bureau admins; audited).
#[utoipa::path(put, path = "/settings/four-eyes", tag = "approval", request_body = FourEyes,
    responses((status = 200, body = FourEyes), (status = 403)))]
pub async fn set_four_eyes(
    State(s): State<AppState>,
    session: Session,
    Json(f): Json<FourEyes>,
) -> Result<Json<FourEyes>> {
    crate::approval::four_eyes::set_publishing(&s.db, &session.principal, f.publish).await?;
    Ok(Json(f))
}

/// This area's endpoints, each documented where it is written.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(current))
        .routes(routes!(svg))
        .routes(routes!(draft, save_draft))
        .routes(routes!(four_eyes, set_four_eyes))
        .routes(routes!(publish))
        .routes(routes!(versions))
        .routes(routes!(version))
}
