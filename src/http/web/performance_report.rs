//! The evaluation report's page: the report as it prints (print CSS; PDF and DOCX beside it),
//! and for the project's finance officers, until it is issued, an editor for each narrative
//! section with its versions (a restore is a save of an old text), and the finalise form that
//! asks for an explanation of every open finding. An issued report shows who issued it, when,
//! why its findings stand and its content hash.

use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing;
use minijinja::context;
use serde::Deserialize;

use super::{errors_value, form_errors};
use crate::error::Result;
use crate::http::AppState;
use crate::http::context::{Ctx, Session};
use crate::http::pages::ser;
use crate::http::query::Query;
use crate::performance::narrative;

/// A section's text as the writer last sent it, kept when the save was refused.
struct Kept {
    key: String,
    text: String,
}

async fn render(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    code: &str,
    errors: Vec<(String, String)>,
    kept: Option<Kept>,
    saved: Option<String>,
) -> Result<Response> {
    let who = &session.principal;
    let r = narrative::report(&s.db, who, code).await?;
    let may_write = r.issue.is_none() && narrative::may_write(&s.db, who, code).await?;
    let mut sections = Vec::new();
    for sec in &r.sections {
        let versions = narrative::versions(&s.db, who, code, &sec.key).await?;
        // A refused text is kept; saving it again is written on the version now there.
        let text = match &kept {
            Some(k) if k.key == sec.key => k.text.clone(),
            _ => sec.text.clone(),
        };
        let base = sec.version;
        sections.push(context! { s => ser(&sec), text, base, versions => ser(&versions) });
    }
    let body = crate::print::markup::html(&r.blocks, None);
    let refused = !errors.is_empty();
    let page = s.pages.render(
        "performance_report.html",
        ctx,
        Some(session),
        context! {
            code, title => r.title, body, issue => ser(&r.issue),
            e => ser(&r.evaluation), sections, may_write,
            errors => errors_value(&errors),
            saved,
        },
    );
    Ok(if refused {
        crate::http::pages::with_status(page, axum::http::StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        page
    })
}

#[derive(Deserialize)]
pub struct PageQuery {
    /// The section just saved.
    saved: Option<String>,
}

pub async fn page(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(code): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response> {
    let saved = q
        .saved
        .filter(|k| crate::performance::report::is_section(k));
    render(&s, &ctx, &session, &code, Vec::new(), None, saved).await
}

#[derive(Deserialize)]
pub struct SectionForm {
    text: String,
    base_version: i64,
}

/// Saves a section; back to it on the page, or the page again with the text kept and why not.
pub async fn save(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path((code, key)): Path<(String, String)>,
    Form(f): Form<SectionForm>,
) -> Result<Response> {
    match narrative::save(
        &s.db,
        &session.principal,
        &code,
        &key,
        &f.text,
        f.base_version,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/performance/{}/report?saved={key}#sec-{key}",
            super::performance::segment(&code)
        ))
        .into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            let kept = Kept { key, text: f.text };
            render(&s, &ctx, &session, &code, errs, Some(kept), None).await
        }
    }
}

#[derive(Deserialize)]
pub struct FinaliseForm {
    #[serde(default)]
    explanation: String,
}

/// Issues the report; back to it, frozen, or the page with why not.
pub async fn finalise(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(code): Path<String>,
    Form(f): Form<FinaliseForm>,
) -> Result<Response> {
    match narrative::finalise(&s.db, &session.principal, &code, Some(&f.explanation)).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/performance/{}/report",
            super::performance::segment(&code)
        ))
        .into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            render(&s, &ctx, &session, &code, errs, None, None).await
        }
    }
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/performance/{code}/report", routing::get(page))
        .route(
            "/performance/{code}/report/sections/{key}",
            routing::post(save),
        )
        .route(
            "/performance/{code}/report/finalise",
            routing::post(finalise),
        )
}
