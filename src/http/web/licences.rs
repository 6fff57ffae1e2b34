//! The public licence check (电子证照验证): by number and verification code, or from the QR code
//! printed on a licence, which leads here with both. No sign-in; it shows the minimum a verifier
//! needs (kind, number, holder's name masked, issuer, validity, state).

use crate::http::query::Query;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing;
use minijinja::context;
use qrcode::QrCode;
use qrcode::render::svg;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::{Ctx, MaybeSession};
use crate::http::pages::{ser, with_status};
use crate::licence::repo;

#[derive(Debug, Default, Deserialize)]
pub struct Find {
    number: Option<String>,
    #[serde(default)]
    code: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Code {
    #[serde(default)]
    pub code: String,
}

async fn page(
    s: &AppState,
    ctx: &Ctx,
    session: &MaybeSession,
    number: Option<String>,
    code: String,
) -> Result<Response> {
    let (found, status) = match number.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        None => (None, StatusCode::OK),
        Some(n) => match repo::status(&s.db, n, &code).await {
            Ok(st) => (Some(ser(&st)), StatusCode::OK),
            Err(Error::NotFound) => (None, StatusCode::NOT_FOUND),
            Err(e) => return Err(e),
        },
    };
    let html = s.pages.render(
        "licence_verify.html",
        ctx,
        session.0.as_ref(),
        context! { number, code, found },
    );
    Ok(with_status(html, status))
}

pub async fn find(
    State(s): State<AppState>,
    ctx: Ctx,
    session: MaybeSession,
    Query(f): Query<Find>,
) -> Result<Response> {
    page(&s, &ctx, &session, f.number, f.code).await
}

pub async fn show(
    State(s): State<AppState>,
    ctx: Ctx,
    session: MaybeSession,
    Path(number): Path<String>,
    Query(c): Query<Code>,
) -> Result<Response> {
    page(&s, &ctx, &session, Some(number), c.code).await
}

/// The QR code printed on a licence: the address of its public check, with its code.
pub async fn qr(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    Path(number): Path<String>,
    Query(c): Query<Code>,
) -> Result<Response> {
    repo::status(&s.db, &number, &c.code).await?;
    qr_svg(&crate::licence::check_url(
        &crate::http::base_url(&s, &headers),
        &number,
        c.code.trim(),
    ))
}

/// A QR code of `text` as an SVG image.
pub fn qr_svg(text: &str) -> Result<Response> {
    let code =
        QrCode::new(text.as_bytes()).map_err(|e| Error::Internal(anyhow::anyhow!("qr: {e}")))?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(160, 160)
        .build();
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], image).into_response())
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/verify", routing::get(find))
        .route("/verify/{number}", routing::get(show))
        .route("/verify/{number}/qr.svg", routing::get(qr))
}
