//! The desk's routine pages and the ticket page's smaller forms: the duty rota, the service
//! levels, inspections with their latest runs, holiday assurance plans and drills, known errors;
//! marking a duplicate, linking a known error, attaching files, the developers' status.

use axum::Form;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing;
use minijinja::context;
use serde::Deserialize;

use super::ops::ticket_page;
use super::{errors_value, form_errors};
use crate::auth::Perm;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::{Ctx, Session};
use crate::http::pages::{ser, with_status};
use crate::ops::{checks, duty, links};

fn back(id: i64) -> Response {
    Redirect::to(&format!("/ops/tickets/{id}")).into_response()
}

/// Runs a ticket-page form: back to the ticket when it worked, the ticket with the reasons
/// beside the forms when it did not.
async fn on_ticket<T>(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    id: i64,
    r: Result<T>,
) -> Result<Response> {
    match r {
        Ok(_) => Ok(back(id)),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            ticket_page(s, ctx, session, id, errs).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Of {
    #[serde(default)]
    of: String,
}

pub async fn duplicate(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Form(f): Form<Of>,
) -> Result<Response> {
    let r = links::duplicate(&s.db, &session.principal, id, &f.of).await;
    on_ticket(&s, &ctx, &session, id, r).await
}

#[derive(Debug, Deserialize)]
pub struct Ke {
    known_error_id: i64,
}

pub async fn link_known_error(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Form(f): Form<Ke>,
) -> Result<Response> {
    let r = links::link_known_error(&s.db, &session.principal, id, f.known_error_id).await;
    on_ticket(&s, &ctx, &session, id, r).await
}

#[derive(Debug, Deserialize)]
pub struct NewKe {
    #[serde(default)]
    ticket: Option<i64>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    symptom: String,
    #[serde(default)]
    fix: String,
}

/// Writes down a known error; from a ticket, links that ticket to it too.
pub async fn add_known_error(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(f): Form<NewKe>,
) -> Result<Response> {
    let k = links::KnownError {
        id: 0,
        title: f.title,
        symptom: f.symptom,
        fix: f.fix,
    };
    let saved = links::add_known_error(&s.db, &session.principal, &k).await;
    match (f.ticket, saved) {
        (Some(id), Ok(k)) => {
            let r = links::link_known_error(&s.db, &session.principal, id, k.id).await;
            on_ticket(&s, &ctx, &session, id, r).await
        }
        (Some(id), Err(e)) => on_ticket::<()>(&s, &ctx, &session, id, Err(e)).await,
        (None, r) => desk_result(&s, &ctx, &session, r.map(|_| ())).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct Vendor {
    #[serde(default)]
    status: String,
}

pub async fn vendor(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Form(f): Form<Vendor>,
) -> Result<Response> {
    let r = links::vendor_status(&s.db, &session.principal, id, &f.status).await;
    on_ticket(&s, &ctx, &session, id, r).await
}

pub async fn attach(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<Response> {
    let uploads = crate::http::transfer::read_files(form, "file").await?;
    let r = links::attach(&s.db, &session.principal, id, &uploads).await;
    on_ticket(&s, &ctx, &session, id, r).await
}

async fn desk_page(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    notice: Option<String>,
    errors: Vec<(String, String)>,
) -> Result<Response> {
    let p = &session.principal;
    if !(p.has(Perm::HandleTickets) || p.has(Perm::ManageOps)) {
        return Err(Error::Forbidden);
    }
    let (from, to) = crate::ops::duty::rota_days(s.db.clock().today(), None, None)?;
    let checks = checks::list(&s.db).await?;
    let runs = checks::runs(&s.db, 200).await?;
    let latest: Vec<minijinja::Value> = checks
        .iter()
        .map(|c| context! { c => ser(c), run => runs.iter().find(|r| r.check_id == c.id).map(ser) })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = s.pages.render(
        "ops_desk.html",
        ctx,
        Some(session),
        context! {
            rota => ser(&duty::rota(&s.db, &from, &to).await?), from, to,
            sla => ser(&links::policies(&s.db).await?),
            checks => latest,
            assurances => ser(&duty::assurances(&s.db).await?),
            known_errors => ser(&links::known_errors(&s.db, None).await?),
            manager => p.has(Perm::ManageOps), notice, errors => errors_value(&errors),
        },
    );
    Ok(with_status(html, status))
}

async fn desk_result(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    r: Result<()>,
) -> Result<Response> {
    match r {
        Ok(()) => Ok(Redirect::to("/ops/desk").into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            desk_page(s, ctx, session, None, errs).await
        }
    }
}

pub async fn desk(State(s): State<AppState>, ctx: Ctx, session: Session) -> Result<Response> {
    desk_page(&s, &ctx, &session, None, vec![]).await
}

pub async fn add_duty(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(n): Form<duty::NewDuty>,
) -> Result<Response> {
    let r = duty::add(&s.db, &session.principal, &n).await.map(|_| ());
    desk_result(&s, &ctx, &session, r).await
}

pub async fn remove_duty(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response> {
    let r = duty::remove(&s.db, &session.principal, id).await;
    desk_result(&s, &ctx, &session, r).await
}

#[derive(Debug, Deserialize)]
pub struct SlaForm {
    response_minutes: i64,
    resolution_minutes: i64,
    offhours_response_minutes: i64,
}

pub async fn set_sla(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(priority): Path<String>,
    Form(f): Form<SlaForm>,
) -> Result<Response> {
    let p = crate::ops::sla::Policy {
        response_minutes: f.response_minutes,
        resolution_minutes: f.resolution_minutes,
        offhours_response_minutes: f.offhours_response_minutes,
    };
    let r = links::set_policy(&s.db, &session.principal, &priority, &p)
        .await
        .map(|_| ());
    desk_result(&s, &ctx, &session, r).await
}

pub async fn add_check(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(n): Form<checks::NewCheck>,
) -> Result<Response> {
    let r = checks::add_url(&s.db, &session.principal, &n)
        .await
        .map(|_| ());
    desk_result(&s, &ctx, &session, r).await
}

pub async fn run_checks(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    headers: HeaderMap,
) -> Result<Response> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let runs = checks::run_due(&s.db, &s.probe(host), true).await?;
    let failed = runs.iter().filter(|r| !r.ok).count();
    let msg = crate::i18n::tr_args(
        ctx.lang,
        "ops.checks_done",
        &[
            ("done", &runs.len().to_string()),
            ("failed", &failed.to_string()),
        ],
    );
    desk_page(&s, &ctx, &session, Some(msg), vec![]).await
}

pub async fn save_assurance(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(a): Form<duty::Assurance>,
) -> Result<Response> {
    let r = duty::save_assurance(&s.db, &session.principal, &a)
        .await
        .map(|_| ());
    desk_result(&s, &ctx, &session, r).await
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ops/desk", routing::get(desk))
        .route("/ops/desk/duty", routing::post(add_duty))
        .route("/ops/desk/duty/{id}/remove", routing::post(remove_duty))
        .route("/ops/desk/sla/{priority}", routing::post(set_sla))
        .route("/ops/desk/checks", routing::post(add_check))
        .route("/ops/desk/checks/run", routing::post(run_checks))
        .route("/ops/desk/assurance", routing::post(save_assurance))
        .route("/ops/known-errors", routing::post(add_known_error))
        .route("/ops/tickets/{id}/duplicate", routing::post(duplicate))
        .route(
            "/ops/tickets/{id}/known-error",
            routing::post(link_known_error),
        )
        .route("/ops/tickets/{id}/vendor", routing::post(vendor))
        .route(
            "/ops/tickets/{id}/files",
            routing::post(attach)
                .layer(DefaultBodyLimit::max(crate::http::transfer::BODY_LIMIT * 5)),
        )
}
