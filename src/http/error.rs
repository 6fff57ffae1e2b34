//! The one place domain errors become HTTP. A handler's `Err(Error)` turns into a response that
//! carries the error's status, code and messages in both languages; the `localize` middleware,
//! which knows the request's language and whether it came from a page or the API, then writes
//! the body: JSON `{"error": {"code", "message", "fields"}}` for the API, an error page (or a
//! redirect to sign-in) for browsers. Internal errors are logged with context and never shown.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::AppState;
use super::context::Ctx;
use crate::error::Error;
use crate::i18n::{Lang, tr};

/// An error, rendered in both languages, waiting for the middleware to pick one.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: [String; 2],
    pub fields: Vec<(String, [String; 2])>,
}

impl Rendered {
    pub fn message(&self, lang: Lang) -> &str {
        &self.message[lang as usize]
    }
    pub fn fields(&self, lang: Lang) -> Vec<serde_json::Value> {
        self.fields
            .iter()
            .map(|(f, m)| json!({"field": f, "message": m[lang as usize]}))
            .collect()
    }
}

pub fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::NotFound => StatusCode::NOT_FOUND,
        Error::Unauthenticated | Error::InvalidCredentials => StatusCode::UNAUTHORIZED,
        Error::Forbidden | Error::Csrf => StatusCode::FORBIDDEN,
        Error::Locked { .. } | Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::Conflict(_) | Error::Stale { .. } => StatusCode::CONFLICT,
        Error::Db(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

pub fn render(e: &Error) -> Rendered {
    let status = status_of(e);
    if status.is_server_error() {
        tracing::error!(error = %e, "request failed");
    }
    let both = |f: &dyn Fn(Lang) -> String| [f(Lang::Zh), f(Lang::En)];
    let fields = match e {
        Error::Validation(errs) => errs
            .iter()
            .map(|fe| (fe.field.clone(), both(&|l| fe.message(l))))
            .collect(),
        _ => vec![],
    };
    Rendered {
        status,
        code: e.code(),
        message: both(&|l| e.message(l)),
        fields,
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let r = render(&self);
        let mut resp = r.status.into_response();
        if let Error::Locked { seconds } | Error::RateLimited { seconds } = self
            && let Ok(v) = seconds.to_string().parse()
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp.extensions_mut().insert(r);
        resp
    }
}

/// Writes the body of error responses in the request's language.
pub async fn localize(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let ctx = Ctx::of(&req);
    let is_api = req.uri().path().starts_with("/api/");
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let mut resp = next.run(req).await;
    let r = match resp.extensions().get::<Rendered>().cloned() {
        Some(r) => r,
        None if from_framework(&resp) => {
            // axum's own refusals (a body, query or path it could not parse; an unknown route;
            // a body over the limit) come as English text: same format as ours instead.
            let (parts, body) = resp.into_parts();
            let detail = axum::body::to_bytes(body, 4096)
                .await
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            let r = rejection(parts.status, &detail);
            resp = Response::from_parts(parts, axum::body::Body::empty());
            r
        }
        None => return resp,
    };
    let lang = ctx.lang;
    if is_api {
        let body = json!({"error": {
            "code": r.code, "message": r.message(lang), "fields": r.fields(lang)
        }});
        let mut out = (r.status, Json(body)).into_response();
        for (k, v) in resp.headers() {
            if k == header::RETRY_AFTER {
                out.headers_mut().insert(k, v.clone());
            }
        }
        return out;
    }
    if r.status == StatusCode::UNAUTHORIZED {
        let next = url_encode(&path);
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    let session = resp.extensions().get::<super::context::Session>();
    let html = state.pages.error_page(&ctx, session, &r);
    crate::http::pages::with_status(html, r.status)
}

/// A response that axum (not a handler) made for an error: an error status with no body of
/// ours (plain text or empty).
fn from_framework(resp: &Response) -> bool {
    let st = resp.status();
    (st.is_client_error() || st.is_server_error())
        && resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|c| c.starts_with("text/plain"))
}

/// One of axum's refusals as ours: a stable code, a message in both languages, and what axum
/// said as the detail of the `body` field.
fn rejection(status: StatusCode, detail: &str) -> Rendered {
    let (code, key) = match status {
        StatusCode::NOT_FOUND => ("not_found", "err.not_found"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "err.method_not_allowed"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "err.payload_too_large"),
        StatusCode::REQUEST_TIMEOUT => ("timeout", "err.timeout"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "err.media_type"),
        StatusCode::UNPROCESSABLE_ENTITY => ("invalid_body", "err.invalid_body"),
        s if s.is_server_error() => ("internal", "err.internal"),
        _ => ("bad_request", "err.bad_request"),
    };
    let both = |k: &str| [tr(Lang::Zh, k).to_string(), tr(Lang::En, k).to_string()];
    let detail = detail.trim();
    Rendered {
        status,
        code,
        message: both(key),
        fields: if detail.is_empty() || status.is_server_error() {
            vec![]
        } else {
            vec![refused_field(detail)]
        },
    }
}

/// The field an axum refusal is about, with a message in both languages. serde's text (English,
/// Rust types) is kept only as the English detail; the Chinese says what is wrong in words.
/// "Failed to deserialize the JSON body into the target type: guide.fees[0].amount: invalid
/// type: …" names `guide.fees[0].amount`; "Invalid URL: Cannot parse `abc` to a `i64`" is
/// the path.
fn refused_field(detail: &str) -> (String, [String; 2]) {
    let json_prefix = "Failed to deserialize the JSON body into the target type: ";
    let said = |k: &str, en: &str| {
        [
            tr(Lang::Zh, k).to_string(),
            format!("{} ({en})", tr(Lang::En, k)),
        ]
    };
    if let Some(rest) = detail.strip_prefix(json_prefix) {
        // `path: message at line L column C`; the path is absent for the body as a whole.
        let (path, what) = match rest.split_once(": ") {
            Some((p, w)) if !p.contains(' ') => (p.to_string(), w),
            _ => ("body".to_string(), rest),
        };
        let what = what.split(" at line ").next().unwrap_or(what);
        let key = if what.starts_with("missing field") {
            "field.required"
        } else {
            "field.invalid"
        };
        let field = match what
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
        {
            Some(f) if path == "body" => f.to_string(),
            Some(f) => format!("{path}.{f}"),
            None => path,
        };
        return (field, said(key, what));
    }
    if detail.starts_with("Invalid URL") || detail.starts_with("Wrong number of path") {
        return ("path".into(), said("field.invalid", detail));
    }
    ("body".into(), said("err.invalid_body", detail))
}

/// What a panicking handler answers: a 500 in the error format (the panic is logged; the
/// process and every other request go on).
pub fn panicked(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("panic");
    metrics::counter!("zhengwu_panics_total").increment(1);
    Error::Internal(anyhow::anyhow!("handler panicked: {what}")).into_response()
}

pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_answers_500_in_the_error_format() {
        let r = panicked(Box::new("index out of range"));
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let rendered = r
            .extensions()
            .get::<Rendered>()
            .expect("rendered by localize");
        assert_eq!(rendered.code, "internal");
        assert!(!rendered.message(Lang::Zh).contains("index"));
    }

    #[test]
    fn axum_refusals_get_our_codes() {
        assert_eq!(
            rejection(StatusCode::PAYLOAD_TOO_LARGE, "").code,
            "payload_too_large"
        );
        let r = rejection(StatusCode::UNPROCESSABLE_ENTITY, "missing field `name`");
        assert_eq!(r.code, "invalid_body");
        assert_eq!(r.fields[0].0, "body");
        assert!(r.message(Lang::Zh).contains("无法解析"));
        // serde's words name the field; the Chinese message has no Rust in it.
        let r = rejection(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Failed to deserialize the JSON body into the target type: guide.legal_limit_days: \
             invalid value: integer `-1`, expected u64 at line 1 column 1348",
        );
        assert_eq!(r.fields[0].0, "guide.legal_limit_days");
        assert_eq!(r.fields[0].1[0], tr(Lang::Zh, "field.invalid"));
        assert!(r.fields[0].1[1].contains("integer `-1`"));
        let r = rejection(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Failed to deserialize the JSON body into the target type: missing field `name` at line 1 column 2",
        );
        assert_eq!(
            (r.fields[0].0.as_str(), r.fields[0].1[0].as_str()),
            ("name", tr(Lang::Zh, "field.required"))
        );
        let r = rejection(
            StatusCode::BAD_REQUEST,
            "Invalid URL: Cannot parse `abc` to a `i64`",
        );
        assert_eq!(r.fields[0].0, "path");
        assert!(!r.fields[0].1[0].contains("i64"));
    }
}
