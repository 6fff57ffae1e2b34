//! Uploaded files: approvers' attachments now, applicants' materials later. Owns the checks every
//! upload passes (size, a clean file name, a type found from the content rather than the name)
//! and the content-addressed store: content is kept once per SHA-256 in `blobs`, in the database
//! itself, so an upload commits or not with everything else and a deployment on PostgreSQL needs
//! no shared disk. Reading verifies the digest, so a changed byte is an error, never served.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::Principal;
use crate::clock;
use crate::error::{Error, FieldError, Result};
use crate::storage::{Db, Tx, query, query_as};

/// The largest file accepted.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The media type of an Excel workbook (exports, reports, mail attachments).
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Longest file name kept, in characters.
const MAX_NAME_CHARS: usize = 120;

/// Types accepted, found from the content: documents, scans and photos.
const ACCEPTED: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/tiff",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];

/// The file names a file picker offers, for the types [`ACCEPTED`] takes (OFD is a ZIP
/// container): pages use this one list, so what the picker offers is what the server takes.
pub const ACCEPT_ATTR: &str = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.tif,.tiff,.zip,.ofd,.docx,.xlsx";

/// An upload as stored.
#[derive(Debug, Clone, Serialize, crate::storage::FromRow, utoipa::ToSchema)]
pub struct FileMeta {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    #[serde(skip)]
    pub uploaded_by: String,
    pub created_at: String,
}

impl FileMeta {
    /// Shown inline by browsers (PDF and images preview); the rest download.
    pub fn previews(&self) -> bool {
        self.content_type == "application/pdf" || self.content_type.starts_with("image/")
    }
}

const COLS: &str = "id, name, content_type, size, sha256, uploaded_by, created_at";

/// The file name as kept: no folders, no `..`, no control characters, not empty.
pub fn clean_name(name: &str) -> Result<String> {
    let n = name.trim();
    let bad = n.is_empty()
        || n.contains(['/', '\\'])
        || n.contains("..")
        || n.chars()
            .any(|c| c.is_control() || crate::text::is_hostile(c))
        || n.chars().count() > MAX_NAME_CHARS;
    if bad {
        return Err(Error::Validation(vec![FieldError::with(
            "file",
            "field.file_name",
            n.chars().take(MAX_NAME_CHARS).collect::<String>(),
        )]));
    }
    Ok(n.to_string())
}

/// The type of `bytes`, from their content, if it is one accepted.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let found = infer::get(bytes)?.mime_type();
    ACCEPTED.iter().copied().find(|t| *t == found)
}

/// An upload that passed the checks, ready to store.
#[derive(Debug)]
pub struct Checked<'a> {
    name: String,
    content_type: &'static str,
    sha256: String,
    bytes: &'a [u8],
}

/// Checks an upload: a clean name, not empty, not too large, an accepted type by content.
pub fn check<'a>(name: &str, bytes: &'a [u8]) -> Result<Checked<'a>> {
    let name = clean_name(name)?;
    if bytes.is_empty() {
        return Err(Error::Validation(vec![FieldError::with(
            "file",
            "field.file_empty",
            name,
        )]));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Error::Validation(vec![FieldError::with(
            "file",
            "field.file_too_large",
            (MAX_FILE_BYTES / 1024 / 1024).to_string(),
        )]));
    }
    let content_type = sniff(bytes).ok_or_else(|| {
        Error::Validation(vec![FieldError::with("file", "field.file_type", &name)])
    })?;
    Ok(Checked {
        sha256: hex::encode(Sha256::digest(bytes)),
        name,
        content_type,
        bytes,
    })
}

/// Stores a checked upload in `tx`: its content once, a row for the upload.
pub async fn put(tx: &mut Tx, who: &Principal, c: &Checked<'_>) -> Result<FileMeta> {
    let now = tx.now();
    query(
        "INSERT INTO blobs (sha256, size, content, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(&c.sha256)
    .bind(c.bytes.len() as i64)
    .bind(c.bytes)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    let meta = query_as::<FileMeta>(format!(
        "INSERT INTO files (sha256, name, content_type, size, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLS}"
    ))
    .bind(&c.sha256)
    .bind(&c.name)
    .bind(c.content_type)
    .bind(c.bytes.len() as i64)
    .bind(&who.username)
    .bind(&now)
    .fetch_one(&mut *tx)
    .await?;
    Ok(meta)
}

/// Checks and stores one upload on its own.
pub async fn store(db: &Db, who: &Principal, name: &str, bytes: &[u8]) -> Result<FileMeta> {
    let checked = check(name, bytes)?;
    let mut tx = db.begin().await?;
    let meta = put(&mut tx, who, &checked).await?;
    tx.commit().await?;
    Ok(meta)
}

/// Uploads nobody attached (an abandoned form, a refused submission) are removed once they are
/// `days` old, and content no upload names any more with them; answers (files, blobs) removed.
/// Attached files are never touched: attachments, ticket files and application materials name
/// them (and their foreign keys would refuse it).
pub async fn sweep(db: &Db, days: i64) -> Result<(u64, u64)> {
    let before = clock::to_db(db.clock().now_utc() - chrono::Duration::days(days));
    let mut tx = db.begin().await?;
    let files = query(
        "DELETE FROM files WHERE created_at < $1 \
         AND NOT EXISTS (SELECT 1 FROM application_materials m WHERE m.file_id = files.id) \
         AND NOT EXISTS (SELECT 1 FROM approval_attachments a WHERE a.file_id = files.id) \
         AND NOT EXISTS (SELECT 1 FROM ops_ticket_files t WHERE t.file_id = files.id)",
    )
    .bind(&before)
    .execute(&mut tx)
    .await?
    .rows_affected();
    let blobs = query(
        "DELETE FROM blobs WHERE created_at < $1 \
         AND NOT EXISTS (SELECT 1 FROM files f WHERE f.sha256 = blobs.sha256)",
    )
    .bind(&before)
    .execute(&mut tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok((files, blobs))
}

pub async fn meta(db: &Db, id: i64) -> Result<FileMeta> {
    query_as::<FileMeta>(format!("SELECT {COLS} FROM files WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(Error::NotFound)
}

/// Files `who` uploaded, among `ids`, in the order asked; any other id is a field error (an
/// upload is attached only by the one who made it).
pub async fn own(db: &Db, who: &Principal, ids: &[i64]) -> Result<Vec<FileMeta>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        match meta(db, *id).await {
            Ok(m) if m.uploaded_by == who.username => out.push(m),
            Ok(_) | Err(Error::NotFound) => {
                return Err(Error::Validation(vec![FieldError::with(
                    "attachments",
                    "field.file_unknown",
                    id.to_string(),
                )]));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The content of a file, checked against its digest.
pub async fn content(db: &Db, meta: &FileMeta) -> Result<Vec<u8>> {
    let bytes: Vec<u8> =
        crate::storage::query_scalar("SELECT content FROM blobs WHERE sha256 = $1")
            .bind(&meta.sha256)
            .fetch_optional(db)
            .await?
            .ok_or(Error::NotFound)?;
    if hex::encode(Sha256::digest(&bytes)) != meta.sha256 {
        return Err(Error::Internal(anyhow::anyhow!(
            "file {}: stored content does not match its digest",
            meta.id
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_folders_or_dots_are_refused() {
        assert_eq!(clean_name(" 营业执照.pdf ").unwrap(), "营业执照.pdf");
        for bad in [
            "../etc/passwd",
            "a/b.pdf",
            "a\\b.pdf",
            "..",
            "",
            "a\u{0}.pdf",
        ] {
            assert!(clean_name(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn the_type_comes_from_the_content_not_the_name() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(
            sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]),
            Some("image/png")
        );
        assert_eq!(sniff(b"#!/bin/sh\nrm -rf /"), None);
        assert_eq!(
            sniff(b"MZ\x90\x00\x03\x00\x00\x00"),
            None,
            "executables refused"
        );
    }
}
