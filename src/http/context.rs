//! Per-request context: the language and client address ([`Ctx`]), and the signed-in session
//! ([`Session`]), resolved once by the [`authenticate`] middleware from a bearer token or the
//! session cookie. The same middleware enforces CSRF on every state-changing request that a
//! browser authenticates with its cookie: the token must come back in the `X-CSRF-Token` header,
//! a `csrf` query parameter, or a `csrf` form field.

use std::net::SocketAddr;

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::auth::{Principal, principal_for_token};
use crate::error::Error;
use crate::i18n::Lang;

pub const SESSION_COOKIE: &str = "zw_session";
pub const LOGIN_CSRF_COOKIE: &str = "zw_login_csrf";
const FORM_LIMIT: usize = 1 << 20;

#[derive(Debug, Clone, Default)]
pub struct Ctx {
    pub lang: Lang,
    pub ip: Option<String>,
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

impl Ctx {
    fn from_headers(headers: &HeaderMap, ext: &axum::http::Extensions) -> Ctx {
        let lang = Lang::negotiate(
            cookie(headers, "lang"),
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        );
        let ip = ext
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        Ctx { lang, ip }
    }
    pub fn of(req: &Request) -> Ctx {
        Ctx::from_headers(req.headers(), req.extensions())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Ctx, Self::Rejection> {
        Ok(Ctx::from_headers(&parts.headers, &parts.extensions))
    }
}

/// A signed-in principal and the token that proved it.
#[derive(Debug, Clone)]
pub struct Session {
    pub principal: Principal,
    pub token: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Session, Error> {
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or(Error::Unauthenticated)
    }
}

/// The session if there is one (pages readable signed out, such as the log-in page).
pub struct MaybeSession(pub Option<Session>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeSession {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeSession(parts.extensions.get::<Session>().cloned()))
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded_pairs(body)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Decodes `application/x-www-form-urlencoded` pairs.
pub fn form_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

pub async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let ctx = Ctx::of(&req);
    let (by_cookie, token) = match bearer(req.headers()) {
        Some(t) => (false, Some(t.to_string())),
        None => (
            true,
            cookie(req.headers(), SESSION_COOKIE).map(str::to_string),
        ),
    };
    let session = match token {
        Some(t) => match principal_for_token(&state.db, &t, ctx.ip.clone()).await {
            Ok(p) => p.map(|principal| Session {
                principal,
                token: t,
            }),
            Err(e) => return e.into_response(),
        },
        None => None,
    };
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let mut req = req;
    if let (true, true, Some(s)) = (unsafe_method, by_cookie, &session) {
        let expected = s.principal.csrf.as_str();
        let header_tok = req
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok());
        let query_tok = req
            .uri()
            .query()
            .and_then(|q| form_field(q.as_bytes(), "csrf"));
        let same = |given: Option<&str>| {
            use subtle::ConstantTimeEq;
            given.is_some_and(|g| bool::from(g.as_bytes().ct_eq(expected.as_bytes())))
        };
        let mut ok = same(header_tok) || same(query_tok.as_deref());
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !ok && is_form {
            let (parts, body) = req.into_parts();
            let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
                return Error::Csrf.into_response();
            };
            ok = same(form_field(&bytes, "csrf").as_deref());
            req = Request::from_parts(parts, Body::from(bytes));
        }
        if !ok {
            return Error::Csrf.into_response();
        }
    }
    if let Some(s) = &session {
        req.extensions_mut().insert(s.clone());
    }
    let mut resp = next.run(req).await;
    // Lets the error pages show the signed-in header and navigation.
    if let Some(s) = session {
        resp.extensions_mut().insert(s);
    }
    resp
}
