//! The org tree page: the whole tree, with rename, add-below, move and retire on the units the
//! signed-in user manages.

use crate::http::query::Query;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing;
use minijinja::context;
use serde::Deserialize;

use super::{errors_value, form_errors};
use crate::auth::Perm;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::{Ctx, Session};
use crate::org::{self, Kind, NewUnit};

async fn render(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    errors: Vec<(String, String)>,
    parent: Option<i64>,
) -> Result<Response> {
    let p = &session.principal;
    if !p.has(Perm::ViewOrg) {
        return Err(Error::Forbidden);
    }
    let units = org::list(&s.db).await?;
    let counts = crate::accounts::lookup::active_per_unit(&s.db).await?;
    let labels = org::name_paths(&units);
    let rows: Vec<_> = org::tree_order(&units)
        .into_iter()
        .map(|u| {
            let users = counts.iter().find(|(id, _)| *id == u.id).map_or(0, |c| c.1);
            context! {
                id => u.id, code => u.code.clone(), name => u.name.clone(), kind => u.kind.as_str(),
                depth => u.depth, retired => u.is_retired(), users,
                // A link to the unit's accounts only for those who may list them.
                see_users => p.can(Perm::ViewAccounts, &u.path),
                manage => p.can(Perm::ManageOrg, &u.path) && !u.is_retired(),
            }
        })
        .collect();
    let parents: Vec<_> = units
        .iter()
        .filter(|u| !u.is_retired() && p.can(Perm::ManageOrg, &u.path))
        .map(|u| context! { id => u.id, depth => u.depth, label => labels[&u.id].clone() })
        .collect();
    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = s.pages.render(
        "org.html",
        ctx,
        Some(session),
        context! { units => rows, parents, kinds, errors => errors_value(&errors), parent,
        can_manage => p.has(Perm::ManageOrg) },
    );
    Ok(crate::http::pages::with_status(html, status))
}

#[derive(Deserialize)]
pub struct PageQuery {
    parent: Option<i64>,
}

pub async fn page(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Query(q): Query<PageQuery>,
) -> Result<Response> {
    render(&s, &ctx, &session, vec![], q.parent).await
}

async fn done(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    r: Result<org::Unit>,
) -> Result<Response> {
    match r {
        Ok(u) => Ok(Redirect::to(&format!("/org#unit-{}", u.id)).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            render(s, ctx, session, errs, None).await
        }
    }
}

#[derive(Deserialize)]
pub struct CreateForm {
    code: String,
    name: String,
    kind: String,
    parent_id: i64,
}

pub async fn create(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(f): Form<CreateForm>,
) -> Result<Response> {
    let new = NewUnit {
        code: f.code,
        name: f.name,
        kind: f.kind,
        parent_id: Some(f.parent_id),
    };
    let r = org::create(&s.db, &session.principal, new).await;
    done(&s, &ctx, &session, r).await
}

#[derive(Deserialize)]
pub struct RenameForm {
    name: String,
}

pub async fn rename(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Form(f): Form<RenameForm>,
) -> Result<Response> {
    let r = org::rename(&s.db, &session.principal, id, &f.name).await;
    done(&s, &ctx, &session, r).await
}

#[derive(Deserialize)]
pub struct MoveForm {
    unit_id: i64,
    parent_id: i64,
}

pub async fn move_unit(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(f): Form<MoveForm>,
) -> Result<Response> {
    let r = org::move_to(&s.db, &session.principal, f.unit_id, f.parent_id).await;
    done(&s, &ctx, &session, r).await
}

pub async fn retire(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response> {
    let r = org::retire(&s.db, &session.principal, id).await;
    done(&s, &ctx, &session, r).await
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/org", routing::get(page).post(create))
        .route("/org/{id}/rename", routing::post(rename))
        .route("/org/move", routing::post(move_unit))
        .route("/org/{id}/retire", routing::post(retire))
}
