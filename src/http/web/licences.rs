//! The public licence check (电子证照验证): by number, or from the QR code printed on a licence,
//! which leads here. No sign-in; the holder's ID number is shown masked.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
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
}

async fn page(
    s: &AppState,
    ctx: &Ctx,
    session: &MaybeSession,
    number: Option<String>,
) -> Result<Response> {
    let (found, status) = match number.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        None => (None, StatusCode::OK),
        Some(n) => match repo::status(&s.db, n).await {
            Ok(st) => (Some(ser(&st)), StatusCode::OK),
            Err(Error::NotFound) => (None, StatusCode::NOT_FOUND),
            Err(e) => return Err(e),
        },
    };
    let html = s.pages.render(
        "licence_verify.html",
        ctx,
        session.0.as_ref(),
        context! { number, found },
    );
    Ok(with_status(html, status))
}

pub async fn find(
    State(s): State<AppState>,
    ctx: Ctx,
    session: MaybeSession,
    Query(f): Query<Find>,
) -> Result<Response> {
    page(&s, &ctx, &session, f.number).await
}

pub async fn show(
    State(s): State<AppState>,
    ctx: Ctx,
    session: MaybeSession,
    Path(number): Path<String>,
) -> Result<Response> {
    page(&s, &ctx, &session, Some(number)).await
}

/// The QR code printed on a licence: the address of its public check.
pub async fn qr(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    Path(number): Path<String>,
) -> Result<Response> {
    repo::status(&s.db, &number).await?;
    let url = format!("{}/verify/{number}", crate::http::base_url(&headers));
    qr_svg(&url)
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
