//! Uploads over the API: `POST /files` (multipart, one part named `file`) stores a file for the
//! caller to attach afterwards (an approver's action lists its id); `GET /files/{id}` gives it
//! back to the one who uploaded it; approval attachments are served under the application.
//! [`send`] is the one way any page or API answers with a stored file.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::approval::engine;
use crate::error::{Error, FieldError, Result};
use crate::files::{self, FileMeta};
use crate::http::AppState;
use crate::http::context::Session;

/// The request body limit for an upload route: the largest file and room for the form around it;
/// anything larger is cut off and refused with the file-size message.
pub const BODY_LIMIT: usize = files::MAX_FILE_BYTES + (1 << 20);

/// A stored file as a response: its type as found at upload, shown inline when browsers preview
/// it (PDF, images), otherwise downloaded; never sniffed again by the browser.
pub fn send(meta: &FileMeta, bytes: Vec<u8>) -> Response {
    let disposition = if meta.previews() {
        "inline"
    } else {
        "attachment"
    };
    let encoded: String = url_escape(&meta.name);
    (
        [
            (header::CONTENT_TYPE, meta.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// RFC 5987 percent-encoding of a file name.
fn url_escape(name: &str) -> String {
    let mut out = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A multipart upload that could not be read, as the `field`'s error: too large, or malformed.
pub fn upload_error(field: &str, e: axum::extract::multipart::MultipartError) -> Error {
    Error::Validation(vec![if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        FieldError::with(
            field,
            "field.file_too_large",
            (files::MAX_FILE_BYTES / 1024 / 1024).to_string(),
        )
    } else {
        FieldError::with(field, "field.file_format", e.body_text())
    }])
}

/// Every non-empty part named `name` of a multipart upload: file names and bytes.
pub async fn read_files(mut form: Multipart, name: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|e| upload_error(name, e))? {
        if field.name() == Some(name) {
            let file = field.file_name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(|e| upload_error(name, e))?;
            // A file input left empty still sends a part without a name or content.
            if !(file.is_empty() && bytes.is_empty()) {
                out.push((file, bytes.to_vec()));
            }
        }
    }
    Ok(out)
}

/// The one part named `file` of a multipart upload: its name and bytes.
async fn read_file(mut form: Multipart) -> Result<(String, Vec<u8>)> {
    let bad = |e| upload_error("file", e);
    while let Some(field) = form.next_field().await.map_err(bad)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(bad)?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(Error::field("file", "field.required"))
}

/// Stores an upload; answers its id, cleaned name, type found from the content, size and digest.
#[utoipa::path(post, path = "/api/v1/files", tag = "files",
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
#[utoipa::path(get, path = "/api/v1/files/{id}", tag = "files", responses((status = 200), (status = 404)))]
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
#[utoipa::path(get, path = "/api/v1/approvals/{id}/files/{file}", tag = "approval",
    responses((status = 200), (status = 404)))]
pub async fn attachment(
    State(s): State<AppState>,
    session: Session,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response> {
    let (meta, bytes) = engine::attachments::download(&s.db, &session.principal, id, file).await?;
    Ok(send(&meta, bytes))
}
