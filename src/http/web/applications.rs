//! Application pages: the hall clerks' acceptance queue and an applicant's own list, and one
//! application with its form, its materials and — for the clerks — the decision forms.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;

use super::{errors_value, form_errors};
use crate::applications::{self, Decision};
use crate::auth::Perm;
use crate::catalog::repo as catalog;
use crate::error::Result;
use crate::http::AppState;
use crate::http::context::{Ctx, Session};
use crate::http::pages::{ser, with_status};

async fn names(s: &AppState) -> Result<HashMap<String, String>> {
    let rows: Vec<(String, String)> = crate::storage::query_as("SELECT code, name FROM matters")
        .fetch_all(&s.db)
        .await?;
    Ok(rows.into_iter().collect())
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

pub async fn queue(State(s): State<AppState>, ctx: Ctx, session: Session) -> Result<Response> {
    let items = applications::queue(&s.db, &session.principal).await?;
    list(
        &s,
        &ctx,
        &session,
        items,
        "nav.acceptance",
        "/applications/queue",
    )
    .await
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

async fn page(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    id: i64,
    errors: Vec<(String, String)>,
) -> Result<Response> {
    let a = applications::get(&s.db, &session.principal, id).await?;
    let matter = catalog::version(&s.db, &a.matter_code, a.matter_version).await?;
    let show = |v: Option<&serde_json::Value>| match v {
        Some(serde_json::Value::String(t)) => t.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let fields: Vec<Value> = matter
        .form
        .fields
        .iter()
        .map(|f| {
            // A file field holds an upload's id; the file itself is listed with the materials.
            let value = if f.kind == crate::catalog::form::FieldKind::File {
                crate::i18n::tr(ctx.lang, "app.see_materials").to_string()
            } else {
                show(a.form.get(&f.key))
            };
            context! { label => f.label.clone(), value }
        })
        .collect();
    let materials: Vec<Value> = matter
        .guide
        .materials
        .iter()
        .map(|m| context! { name => m.name.clone(), required => m.required, files => a.materials.get(&m.id).cloned().unwrap_or_default() })
        .collect();
    let clerk =
        a.applicant != session.principal.username && session.principal.has(Perm::StartApprovals);
    let (back, back_key, active_nav) = if clerk {
        (
            "/applications/queue",
            "nav.acceptance",
            "/applications/queue",
        )
    } else {
        (
            "/my/applications",
            "nav.my_applications",
            "/my/applications",
        )
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = s.pages.render(
        "application.html",
        ctx,
        Some(session),
        context! { a => ser(&a), matter_name => matter.name.clone(), fields, materials, clerk, back, back_key, active_nav,
                   errors => errors_value(&errors) },
    );
    Ok(with_status(html, status))
}

pub async fn show(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response> {
    page(&s, &ctx, &session, id, vec![]).await
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    missing: String,
}

pub async fn decide(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Result<Response> {
    let d = match f.decision.as_str() {
        "accept" => Decision::Accept,
        "reject" => Decision::Reject { reason: f.reason },
        _ => Decision::Supplement { missing: f.missing },
    };
    match applications::decide(&s.db, &session.principal, id, &d).await {
        Ok(_) => Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            page(&s, &ctx, &session, id, errs).await
        }
    }
}
