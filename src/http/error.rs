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
use crate::i18n::Lang;

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
        Error::Conflict(_) => StatusCode::CONFLICT,
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
    let resp = next.run(req).await;
    let Some(r) = resp.extensions().get::<Rendered>().cloned() else {
        return resp;
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
