//! Uploads over the API: `POST /files` (multipart, one part named `file`) stores a file for the
//! caller to attach afterwards (an approver's action lists its id); `GET /files/{id}` gives it
//! back to the one who uploaded it; approval attachments are served under the application.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

use crate::approval::engine;
use crate::error::{Error, Result};
use crate::files::{self, FileMeta};
use crate::http::AppState;
use crate::http::context::Session;
use crate::http::transfer::{BODY_LIMIT, read_file, send};

/// Stores an upload; answers its id, cleaned name, type found from the content, size and digest.
#[utoipa::path(post, path = "/files", tag = "files",
    responses((status = 201, body = FileMeta), (status = 422)))]
pub async fn upload(
    State(s): State<AppState>,
    session: Session,
    form: Multipart,
) -> Result<(StatusCode, Json<FileMeta>)> {
    let (name, bytes) = read_file(form).await?;
    let meta = files::store(&s.db, &session.principal, &name, &bytes).await?;
    Ok((StatusCode::CREATED, Json(meta)))
}

/// One's own upload.
#[utoipa::path(get, path = "/files/{id}", tag = "files", responses((status = 200), (status = 404)))]
pub async fn get(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response> {
    let meta = files::meta(&s.db, id).await?;
    if meta.uploaded_by != session.principal.username {
        return Err(Error::NotFound);
    }
    let bytes = files::content(&s.db, &meta).await?;
    Ok(send(&meta, bytes))
}

/// A file attached on an application, for those who may see the application.
#[utoipa::path(get, path = "/approvals/{id}/files/{file}", tag = "approval",
    responses((status = 200), (status = 404)))]
pub async fn attachment(
    State(s): State<AppState>,
    session: Session,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response> {
    let (meta, bytes) = engine::attachments::download(&s.db, &session.principal, id, file).await?;
    Ok(send(&meta, bytes))
}

/// This area's endpoints, each documented where it is written.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(attachment))
        .routes(routes!(upload).layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT)))
        .routes(routes!(get))
}
