//! The domain layer's one error type. Every variant has a stable code (`code()`) that API
//! clients can match on, and a message in the user's language (`message(lang)`); the HTTP layer
//! maps it to a status in one place (`http::error`). Internal causes are logged, never shown.

use crate::i18n::{Lang, tr, tr_args, tr_one};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One field's problem: which field (or import row and column), and a message key with an
/// optional argument filling the message's one named argument.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub key: &'static str,
    pub arg: Option<String>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, key: &'static str) -> Self {
        Self {
            field: field.into(),
            key,
            arg: None,
        }
    }
    pub fn with(field: impl Into<String>, key: &'static str, arg: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            key,
            arg: Some(arg.into()),
        }
    }
    pub fn message(&self, lang: Lang) -> String {
        match &self.arg {
            Some(a) => tr_one(lang, self.key, a),
            None => tr(lang, self.key).to_string(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("bad CSRF token")]
    Csrf,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("account locked for {seconds}s")]
    Locked { seconds: i64 },
    /// Too many requests from one client address; try again after `seconds`.
    #[error("rate limited for {seconds}s")]
    RateLimited { seconds: i64 },
    #[error("validation failed: {0:?}")]
    Validation(Vec<FieldError>),
    /// A state conflict; the string is an i18n key such as `err.username_taken`.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// Someone else changed the thing being saved since the editor loaded it: `by` (a name)
    /// at `at` (as shown); reload to see their change.
    #[error("changed by {by} at {at}")]
    Stale { by: String, at: String },
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("internal: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl Error {
    pub fn field(field: &str, key: &'static str) -> Self {
        Error::Validation(vec![FieldError::new(field, key)])
    }

    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound => "not_found",
            Error::Unauthenticated => "unauthenticated",
            Error::Forbidden => "forbidden",
            Error::Csrf => "csrf",
            Error::InvalidCredentials => "invalid_credentials",
            Error::Locked { .. } => "locked",
            Error::RateLimited { .. } => "rate_limited",
            Error::Validation(_) => "validation",
            Error::Conflict(k) => k.strip_prefix("err.").unwrap_or(k),
            Error::Stale { .. } => "changed",
            Error::Db(_) | Error::Internal(_) => "internal",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            Error::NotFound => tr(lang, "err.not_found").into(),
            Error::Unauthenticated => tr(lang, "err.unauthenticated").into(),
            Error::Forbidden => tr(lang, "err.forbidden").into(),
            Error::Csrf => tr(lang, "err.csrf").into(),
            Error::InvalidCredentials => tr(lang, "err.invalid_credentials").into(),
            Error::Locked { seconds } => {
                tr_args(lang, "err.locked", &[("n", &(*seconds).max(1).to_string())])
            }
            Error::RateLimited { seconds } => tr_args(
                lang,
                "err.rate_limited",
                &[("n", &(*seconds).max(1).to_string())],
            ),
            Error::Validation(errs) => {
                let first = errs.first().map(|e| e.message(lang)).unwrap_or_default();
                format!("{}{}", tr(lang, "err.validation"), first)
            }
            Error::Conflict(k) => tr(lang, k).into(),
            Error::Stale { by, at } => tr_args(lang, "err.changed_by", &[("by", by), ("at", at)]),
            Error::Db(_) | Error::Internal(_) => tr(lang, "err.internal").into(),
        }
    }

    /// A unique-constraint violation on insert/update becomes a conflict with the given key.
    pub fn on_unique(e: sqlx::Error, key: &'static str) -> Self {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => Error::Conflict(key),
            _ => Error::Db(e),
        }
    }
}
