//! The approver's pages: the inbox (tasks of their roles and units, deadline state in colour) and
//! one application's page with its workflow diagram, tasks, history and the form to act.

use crate::http::query::Query;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing;
use minijinja::context;

use super::{errors_value, form_errors};
use crate::approval::definition::Action;
use crate::approval::{engine, workflow_repo};
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::{Ctx, Session};
use crate::http::pages::ser;

pub async fn inbox(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Query(q): Query<engine::InboxQuery>,
) -> Result<Response> {
    let page = engine::inbox(&s.db, &session.principal, &q).await?;
    Ok(s.pages
        .render(
            "inbox.html",
            &ctx,
            Some(&session),
            context! { items => ser(&page.items), total => page.total, page => page.page, pages => page.pages(),
                       q => q.q, timing => q.timing, per_page => q.per_page, sort => q.sort.unwrap_or_else(|| "due".into()) },
        )
        .into_response())
}

async fn render(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    id: i64,
    errors: Vec<(String, String)>,
) -> Result<Response> {
    let p = &session.principal;
    let engine::Case {
        instance: i,
        tasks,
        history,
        attachments,
        can_resume,
    } = engine::case(&s.db, p, id).await?;
    let mine: Vec<_> = tasks
        .iter()
        .filter(|t| {
            t.status == crate::approval::machine::TaskStatus::Open
                && t.may_act(p)
                && t.claimed_by.as_deref().is_none_or(|c| c == p.username)
        })
        .cloned()
        .collect();
    let def = workflow_repo::published(&s.db, &i.matter_code, i.workflow_version).await?;
    let actions: Vec<String> = mine
        .first()
        .map(|t| def.steps[t.step as usize].actions.clone())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|a| serde_json::to_value(a).ok()?.as_str().map(String::from))
        .collect();
    let matter_name = crate::catalog::lookup::name_of(&s.db, &i.matter_code)
        .await?
        .unwrap_or_default();
    // The approver decides on the application itself: its applicant, form and materials.
    let (app, fields, materials, hall) =
        match crate::applications::of_approval(&s.db, p, i.id).await? {
            Some(a) => {
                let matter =
                    crate::catalog::repo::version(&s.db, &a.matter_code, a.matter_version).await?;
                let (fields, materials) =
                    super::app_content::content(s, ctx.lang, &a, &matter, false).await?;
                let hall = crate::org::get(&s.db, a.unit_id).await?.name;
                (Some(ser(&a)), fields, materials, Some(hall))
            }
            None => (None, Vec::new(), Vec::new(), None),
        };
    // A payment request's approvers decide on the request: its amount, payee and files.
    let payment = crate::performance::requests::of_instance(&s.db, i.id).await?;
    let payment_project = match &payment {
        Some(r) => crate::performance::repo::name_of(&s.db, &r.code).await?,
        None => None,
    };
    let due_warning = if i.finished_at.is_none() {
        crate::approval::calendar_repo::deadline_warning(&s.db, ctx.lang, &i.due_at).await?
    } else {
        String::new()
    };
    // People by name and unit, not by username.
    let mut usernames: Vec<String> = tasks
        .iter()
        .flat_map(|t| [t.acted_by.clone(), t.claimed_by.clone()])
        .flatten()
        .chain(history.iter().map(|e| e.actor.clone()))
        .chain(attachments.iter().map(|a| a.actor.clone()))
        .chain(payment.iter().map(|r| r.requested_by.clone()))
        .collect();
    usernames.sort();
    usernames.dedup();
    let people = crate::accounts::lookup::display_names(&s.db, &usernames).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = s.pages.render(
        "approval.html",
        ctx,
        Some(session),
        context! { i => ser(&i), tasks => ser(&tasks), mine => ser(&mine), actions, history => ser(&history), attachments => ser(&attachments),
                   matter_name, can_resume, errors => errors_value(&errors), app, fields, materials, hall, people, due_warning,
                   payment => payment.as_ref().map(ser), payment_project },
    );
    Ok(crate::http::pages::with_status(html, status))
}

pub async fn show(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response> {
    render(&s, &ctx, &session, id, vec![]).await
}

/// The act form: a multipart form, since it may carry files.
#[derive(Default)]
struct ActForm {
    instance: i64,
    action: String,
    opinion: String,
    to: String,
    procedure: String,
    files: Vec<(String, Vec<u8>)>,
}

async fn read_act_form(mut form: Multipart) -> Result<ActForm> {
    let bad = |e| crate::http::transfer::upload_error("attachments", e);
    let mut f = ActForm::default();
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "attachments" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(bad)?;
            // A file input left empty still sends a part without a name or content.
            if !(file_name.is_empty() && bytes.is_empty()) {
                f.files.push((file_name, bytes.to_vec()));
            }
            continue;
        }
        let text = field.text().await.map_err(bad)?;
        match name.as_str() {
            "instance" => f.instance = text.trim().parse().unwrap_or(0),
            "action" => f.action = text,
            "opinion" => f.opinion = text,
            "to" => f.to = text,
            "procedure" => f.procedure = text,
            _ => {}
        }
    }
    Ok(f)
}

pub async fn act(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(task): Path<i64>,
    form: Multipart,
) -> Result<Response> {
    let f = read_act_form(form).await?;
    let action: Action = serde_json::from_value(serde_json::Value::String(f.action.clone()))
        .map_err(|_| Error::field("action", "field.type"))?;
    let a = engine::Act {
        action,
        opinion: f.opinion,
        to: Some(f.to).filter(|t| !t.trim().is_empty()),
        procedure: serde_json::from_value(serde_json::Value::String(f.procedure)).ok(),
        attachments: Vec::new(),
    };
    match engine::act_with(&s.db, &session.principal, task, &a, &f.files).await {
        Ok(_) => Ok(Redirect::to(&format!("/approvals/{}", f.instance)).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            render(&s, &ctx, &session, f.instance, errs).await
        }
    }
}

pub async fn resume(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response> {
    match engine::resume(&s.db, &session.principal, id).await {
        Ok(_) => Ok(Redirect::to(&format!("/approvals/{id}")).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            render(&s, &ctx, &session, id, errs).await
        }
    }
}

pub async fn supervise(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Query(q): Query<engine::Supervise>,
) -> Result<Response> {
    let page = engine::supervise(&s.db, &session.principal, &q).await?;
    Ok(s.pages
        .render(
            "supervise.html",
            &ctx,
            Some(&session),
            context! { items => ser(&page.items), total => page.total, page => page.page, pages => page.pages(),
                       status => q.status, q => q.q, timing => q.timing, per_page => q.per_page, sort => q.sort.unwrap_or_else(|| "due".into()) },
        )
        .into_response())
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inbox", routing::get(inbox))
        .route("/approvals", routing::get(supervise))
        .route("/approvals/{id}", routing::get(show))
        .route("/approvals/{id}/resume", routing::post(resume))
        .route(
            "/approvals/tasks/{task}/act",
            routing::post(act).layer(DefaultBodyLimit::max(
                crate::http::transfer::BODY_LIMIT
                    * crate::approval::engine::attachments::MAX_PER_ACTION,
            )),
        )
}
