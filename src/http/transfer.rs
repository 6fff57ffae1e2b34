//! Files in and out of a request, the same for pages and the API: reading multipart uploads
//! (bounded, with the file-size message), answering with a stored file ([`send`], the one way
//! any page or API does it) and with an export to download ([`download`]).

use axum::extract::Multipart;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::{Error, FieldError, Result};
use crate::files::{self, FileMeta};

pub use crate::files::XLSX;

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

/// RFC 5987 percent-encoding of a file name: all but unreserved characters.
fn url_escape(name: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const RFC5987: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    utf8_percent_encode(name, RFC5987).to_string()
}

/// A file to download (an export), named `name`.
pub fn download(mime: &str, name: &str, body: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let headers = [
        (axum::http::header::CONTENT_TYPE, mime.to_string()),
        (
            axum::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ),
    ];
    (headers, body).into_response()
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
pub async fn read_file(mut form: Multipart) -> Result<(String, Vec<u8>)> {
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

/// An uploaded file from an import form: its bytes, its name, and whether "dry run" was ticked.
pub struct Upload {
    pub bytes: Vec<u8>,
    pub filename: String,
    pub dry_run: bool,
}

pub async fn read_upload(mut form: axum::extract::Multipart) -> Result<Upload, Error> {
    let mut up = Upload {
        bytes: Vec::new(),
        filename: String::new(),
        dry_run: false,
    };
    let bad = |e: axum::extract::multipart::MultipartError| {
        Error::Validation(vec![FieldError::with(
            "file",
            "field.file_format",
            e.body_text(),
        )])
    };
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name() {
            Some("file") => {
                up.filename = field.file_name().unwrap_or_default().to_string();
                up.bytes = field.bytes().await.map_err(bad)?.to_vec();
            }
            Some("dry_run") => up.dry_run = true,
            _ => {}
        }
    }
    Ok(up)
}

/// Every page of a listing, for an export: `fetch(page, per_page)` until the last, refused
/// before the second page when the listing's total is past [`crate::sheets::MAX_EXPORT_ROWS`].
pub async fn every_page<T, Fut>(
    field: &str,
    mut fetch: impl FnMut(i64, i64) -> Fut,
) -> Result<Vec<T>>
where
    Fut: std::future::Future<Output = Result<crate::storage::Page<T>>>,
{
    const PER_PAGE: i64 = 500;
    let first = fetch(1, PER_PAGE).await?;
    if first.total > crate::sheets::MAX_EXPORT_ROWS {
        return Err(crate::sheets::export_too_large(field));
    }
    let mut all = first.items;
    let mut n = 1;
    while all.len() as i64 == n * PER_PAGE && (all.len() as i64) < crate::sheets::MAX_EXPORT_ROWS {
        n += 1;
        let page = fetch(n, PER_PAGE).await?;
        if page.items.is_empty() {
            break;
        }
        all.extend(page.items);
    }
    Ok(all)
}
