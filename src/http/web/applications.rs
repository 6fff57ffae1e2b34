//! Application pages: the hall clerks' acceptance queue and an applicant's own list, and one
//! application with its form, its materials and — for the clerks — the decision forms.

use axum::Router;
use axum::routing;
use std::collections::HashMap;

use crate::http::query::Query;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};

use super::{errors_value, form_errors};
use crate::applications::{self, Decision};
use crate::approval::engine;
use crate::auth::Perm;
use crate::catalog::repo as catalog;
use crate::error::Result;
use crate::http::AppState;
use crate::http::context::{Ctx, Session};
use crate::http::pages::{ser, with_status};

async fn names(s: &AppState) -> Result<HashMap<String, String>> {
    crate::catalog::lookup::names(&s.db).await
}

async fn list(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    items: Vec<applications::Application>,
    title_key: &str,
    active_nav: &str,
) -> Result<Response> {
    Ok(s.pages.render(
        "applications.html",
        ctx,
        Some(session),
        context! { items => ser(&items), names => names(s).await?, title_key, active_nav },
    ))
}

pub async fn queue(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Query(q): Query<applications::QueueQuery>,
) -> Result<Response> {
    let p = applications::queue(&s.db, &session.principal, &q).await?;
    let pages = p.pages();
    Ok(s.pages.render(
        "applications.html",
        &ctx,
        Some(&session),
        context! { items => ser(&p.items), names => names(&s).await?, title_key => "nav.acceptance",
        active_nav => "/applications/queue", queue => true, total => p.total, page => p.page, pages,
        q => q.q.unwrap_or_default() },
    ))
}

/// The acceptance queue as an Excel sheet (every page of it, the same filter).
pub async fn queue_xlsx(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Query(q): Query<applications::QueueQuery>,
) -> Result<Response> {
    let all = crate::http::transfer::every_page("q", |page, per_page| {
        let q = applications::QueueQuery {
            page: Some(page),
            per_page: Some(per_page),
            ..q.clone()
        };
        let (db, who) = (s.db.clone(), session.principal.clone());
        async move { applications::queue(&db, &who, &q).await }
    })
    .await?;
    let names = names(&s).await?;
    let lang = ctx.lang;
    let bytes = crate::blocking::run(move || queue_sheet(&all, &names, lang)).await?;
    Ok(crate::http::transfer::download(
        crate::http::transfer::XLSX,
        "acceptance-queue.xlsx",
        bytes,
    ))
}

fn queue_sheet(
    items: &[applications::Application],
    names: &HashMap<String, String>,
    lang: crate::i18n::Lang,
) -> anyhow::Result<Vec<u8>> {
    use crate::i18n::tr;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let head = [
        "app.number",
        "cat.name",
        "app.applicant",
        "reg.id_number",
        "app.channel",
        "app.submitted",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, tr(lang, h), &bold)?;
    }
    for (r, a) in items.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, &a.number)?;
        ws.write_string(r, 1, names.get(&a.matter_code).unwrap_or(&a.matter_code))?;
        ws.write_string(r, 2, &a.applicant_name)?;
        ws.write_string(r, 3, &a.applicant_id_masked)?;
        ws.write_string(r, 4, tr(lang, &format!("app.ch.{}", a.channel)))?;
        ws.write_string(
            r,
            5,
            crate::clock::display(a.submitted_at.as_deref().unwrap_or("")),
        )?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofit();
    Ok(wb.save_to_buffer()?)
}

pub async fn mine(State(s): State<AppState>, ctx: Ctx, session: Session) -> Result<Response> {
    let items = applications::mine(&s.db, &session.principal).await?;
    list(
        &s,
        &ctx,
        &session,
        items,
        "nav.my_applications",
        "/my/applications",
    )
    .await
}

/// One application: its facts, form and materials; for the clerks the material checks and the
/// decision; for the applicant the progress of its approval, changing it while it is theirs,
/// rating and complaining; the notices it has, to print.
pub(super) async fn page(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    id: i64,
    errors: Vec<(String, String)>,
) -> Result<Response> {
    page_with(s, ctx, session, id, errors, false, None).await
}

/// [`page`], with the ID numbers whole when `reveal` (an audited reveal by staff).
async fn page_with(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    id: i64,
    errors: Vec<(String, String)>,
    reveal: bool,
    notice: Option<&'static str>,
) -> Result<Response> {
    let (a, full_id) = if reveal {
        let (a, full) = applications::reveal(&s.db, &session.principal, id).await?;
        (a, Some(full))
    } else {
        (
            applications::get(&s.db, &session.principal, id).await?,
            None,
        )
    };
    let matter = catalog::version(&s.db, &a.matter_code, a.matter_version).await?;
    let (fields, materials) = super::app_content::content(s, ctx.lang, &a, &matter, reveal).await?;
    let clerk =
        a.applicant != session.principal.username && session.principal.has(Perm::StartApprovals);
    let mine = a.applicant == session.principal.username;
    // The approval's steps so far and what is open, with deadlines.
    let (steps, due_at) = match a.instance_id {
        Some(i) => {
            let inst = engine::instance(&s.db, i).await?;
            let tasks = engine::tasks(&s.db, i).await?;
            let steps: Vec<Value> = tasks
                .iter()
                .filter(|t| t.status != crate::approval::machine::TaskStatus::Cancelled)
                .map(|t| context! { name => t.step_name.clone(), status => t.status.as_str(), due_at => t.due_at.clone(),
                    done_at => t.done_at.clone(), action => t.action.clone(), opinion => t.opinion.clone() })
                .collect();
            (
                steps,
                Some(inst.due_at).filter(|_| inst.finished_at.is_none()),
            )
        }
        None => (Vec::new(), None),
    };
    // Ratings are the applicant's and the department's; a hall clerk sees none.
    let followups = match applications::rating::of_application(&s.db, &session.principal, id).await
    {
        Err(crate::error::Error::NotFound) => Vec::new(),
        other => other?,
    };
    let (licence, licence_code, revoked) = match a.instance_id {
        Some(i) => crate::licence::repo::number_of_instance(&s.db, i)
            .await?
            .map_or((None, None, None), |(n, c, r)| (Some(n), Some(c), r)),
        None => (None, None, None),
    };
    use crate::applications::Status as S;
    let notices: Vec<&str> = match a.status {
        S::InApproval | S::Approved => vec!["receipt"],
        S::Refused => vec!["receipt", "refusal"],
        S::Rejected => vec!["rejection"],
        S::Supplement => vec!["supplement"],
        S::Draft | S::Submitted => vec![],
    };
    let (back, back_key, active_nav) = if clerk {
        (
            "/applications/queue",
            "nav.acceptance",
            "/applications/queue",
        )
    } else if mine {
        (
            "/my/applications",
            "nav.my_applications",
            "/my/applications",
        )
    } else {
        // An approver (or an auditor) came from their inbox.
        ("/inbox", "nav.inbox", "/inbox")
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let rated = followups.iter().any(|f| f.kind == "rating");
    let due_warning = match &due_at {
        Some(d) => crate::approval::calendar_repo::deadline_warning(&s.db, ctx.lang, d).await?,
        None => String::new(),
    };
    let html = s.pages.render(
        "application.html",
        ctx,
        Some(session),
        context! { a => ser(&a), matter_name => matter.name.clone(), fields, materials, clerk, mine, back, back_key, active_nav, full_id,
                   staff => !mine,
                   steps, due_at, due_warning, notice, followups => ser(&followups), rated, licence, licence_code, revoked, notices,
                   errors => errors_value(&errors) },
    );
    Ok(with_status(html, status))
}

#[derive(serde::Deserialize, Default)]
pub struct ShowQuery {
    /// After the applicant's own save (its redirect): `submitted=1` or `saved=1`.
    submitted: Option<u8>,
    saved: Option<u8>,
}

pub async fn show(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response> {
    let notice = if q.submitted.is_some() {
        Some("app.submitted_notice")
    } else if q.saved.is_some() {
        Some("app.saved_notice")
    } else {
        None
    };
    page_with(&s, &ctx, &session, id, vec![], false, notice).await
}

/// A staff member shows the ID numbers whole, on purpose: audited, then the page with them.
pub async fn reveal(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response> {
    page_with(&s, &ctx, &session, id, vec![], true, None).await
}

/// The clerk's decision with the material checks made at the same time: `check.<material>`
/// is `ok` or `bad`, `note.<material>` says why.
pub async fn decide(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let checks = super::filing::checks_in(&f);
    let d = match get("decision").as_str() {
        "accept" => Decision::Accept,
        "reject" => Decision::Reject {
            reason: get("reason"),
        },
        _ => Decision::Supplement {
            missing: get("missing"),
        },
    };
    let mut r = Ok(());
    if !checks.is_empty() {
        r = applications::counter::record_checks(&s.db, &session.principal, id, &checks).await;
    }
    if r.is_ok() {
        r = applications::decide(&s.db, &session.principal, id, &d)
            .await
            .map(|_| ());
    }
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            page(&s, &ctx, &session, id, errs).await
        }
    }
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/applications/queue", routing::get(queue))
        .route("/applications/queue.xlsx", routing::get(queue_xlsx))
        .route("/applications/{id}", routing::get(show))
        .route("/applications/{id}/decision", routing::post(decide))
        .route("/applications/{id}/reveal", routing::post(reveal))
        .route("/my/applications", routing::get(mine))
}
