//! The public rating page of a counter application (扫码评价): its notices print a QR code that
//! leads here; the applicant rates the window's service from their phone, no account needed, once.

use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing;
use minijinja::context;
use serde::Deserialize;

use super::{cookie_header, errors_value, form_errors, form_token, form_token_ok};
use crate::applications::rating::{self, Rate};
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::MaybeSession;
use crate::http::context::{Ctx, LOGIN_CSRF_COOKIE};
use crate::http::pages::{ser, with_status};

async fn page(
    s: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    session: &MaybeSession,
    token: &str,
    errors: Vec<(String, String)>,
) -> Result<Response> {
    let a = rating::rateable(&s.db, token).await?;
    let form_token = form_token(headers, session);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = s.pages.render("rate.html", ctx, None,
        context! { a => ser(&a), token, form_csrf => form_token.clone(), errors => errors_value(&errors) });
    let mut r = with_status(html, status);
    r.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(LOGIN_CSRF_COOKIE, &form_token, 3600, s.secure_cookies),
    );
    Ok(r)
}

pub async fn show(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    session: MaybeSession,
    Path(token): Path<String>,
) -> Result<Response> {
    page(&s, &ctx, &headers, &session, &token, vec![]).await
}

#[derive(Debug, Deserialize)]
pub struct RateForm {
    csrf: String,
    score: i64,
    #[serde(default)]
    comment: String,
}

pub async fn rate(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    session: MaybeSession,
    Path(token): Path<String>,
    Form(f): Form<RateForm>,
) -> Result<Response> {
    if !form_token_ok(&headers, &session, &f.csrf) {
        return Err(Error::Csrf);
    }
    match rating::rate_by_token(
        &s.db,
        &token,
        &Rate {
            score: f.score,
            comment: f.comment,
        },
    )
    .await
    {
        Ok(_) => page(&s, &ctx, &headers, &session, &token, vec![]).await,
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            page(&s, &ctx, &headers, &session, &token, errs).await
        }
    }
}

/// The QR code printed on the notices: this page's address.
pub async fn qr(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response> {
    rating::rateable(&s.db, &token).await?;
    super::licences::qr_svg(&format!(
        "{}/rate/{token}",
        crate::http::base_url(&s, &headers)
    ))
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rate/{token}", routing::get(show).post(rate))
        .route("/rate/{token}/qr.svg", routing::get(qr))
}
