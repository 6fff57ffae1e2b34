//! Catalog pages for matter editors and reviewers: the list, one matter with its life-cycle
//! actions, versions and differences, the guide editor, and the form designer (D类事项表单设计):
//! add, reorder, remove and preview fields, with show-if conditions, without code.

use crate::http::query::Query;
use axum::Form;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing;
use minijinja::context;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{errors_value, form_errors};
use crate::auth::{Perm, Principal};
use crate::catalog::diff::diff;
use crate::catalog::exchange;
use crate::catalog::form::{FieldKind, design};
use crate::catalog::repo::{self, ListQuery};
use crate::catalog::{Audience, Level, Matter, MatterType};
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::{Ctx, Session};
use crate::http::pages::ser;
use crate::org;

fn can_see(p: &Principal) -> Result<()> {
    if p.has(Perm::EditMatters) || p.has(Perm::ReviewMatters) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

pub async fn list(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    can_see(&session.principal)?;
    let items = repo::list(&s.db, &session.principal, &q).await?;
    let units = org::list(&s.db).await?;
    let depts: Vec<_> = units
        .iter()
        .filter(|u| {
            u.kind == org::Kind::Department && session.principal.can(Perm::EditMatters, &u.path)
        })
        .map(|u| context! { code => u.code.clone(), name => u.name.clone() })
        .collect();
    let names: std::collections::HashMap<String, String> = units
        .iter()
        .map(|u| (u.code.clone(), u.name.clone()))
        .collect();
    Ok(s.pages
        .render(
            "catalog_list.html",
            &ctx,
            Some(&session),
            context! { items => ser(&items), q => q.q, status => q.status, department => q.department, depts, names,
                       can_import => session.principal.has(Perm::ReviewMatters),
                       kinds => MatterType::ALL.iter().map(|k| k.code()).collect::<Vec<_>>() },
        )
        .into_response())
}

#[derive(Deserialize)]
pub struct NewForm {
    code: String,
    name: String,
    kind: String,
    department: String,
}

/// Starts a matter with a skeleton guide that the editor then completes.
pub async fn create(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(f): Form<NewForm>,
) -> Result<Response> {
    let m = Matter {
        code: f.code.trim().into(),
        name: f.name.trim().into(),
        kind: MatterType::parse(&f.kind).unwrap_or(MatterType::PublicService),
        class: "D".into(),
        legal_basis: vec![],
        department: f.department,
        levels: vec![Level::District],
        audience: vec![Audience::Personal],
        themes: vec![],
        guide: Default::default(),
        form: Default::default(),
        licence_fields: vec![],
    };
    match repo::create(&s.db, &session.principal, m).await {
        Ok(m) => Ok(Redirect::to(&format!("/catalog/{}/edit", m.code)).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            let html = s.pages.render(
                "error.html",
                &ctx,
                Some(&session),
                context! {
                status => 422, message => errs.first().map(|e| e.1.clone()).unwrap_or_default() },
            );
            Ok(crate::http::pages::with_status(
                html,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
    }
}

/// The draft being worked on: the draft if any, else a copy of the published version.
async fn working(s: &AppState, p: &Principal, code: &str) -> Result<(repo::Detail, Matter)> {
    let d = repo::detail(&s.db, p, code).await?;
    let m = d
        .draft
        .clone()
        .or_else(|| d.published.clone())
        .ok_or(Error::NotFound)?;
    Ok((d, m))
}

async fn render_show(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    code: &str,
    errors: Vec<(String, String)>,
) -> Result<Response> {
    let p = &session.principal;
    let (d, m) = working(s, p, code).await?;
    let units = org::list(&s.db).await?;
    let path = units
        .iter()
        .find(|u| u.code == d.summary.department_code)
        .map_or("/".to_string(), |u| u.path.clone());
    let versions = repo::versions(&s.db, code).await?;
    let changes: Vec<_> = match (&d.published, &d.draft) {
        (Some(a), Some(b)) => diff(&json!(a), &json!(b)),
        _ => vec![],
    }
    .into_iter()
    .map(|c| {
        use crate::catalog::diff::{readable, readable_value};
        context! {
            label => readable(&c.path, ctx.lang), path => c.path,
            before => readable_value(c.before.as_ref(), ctx.lang),
            after => readable_value(c.after.as_ref(), ctx.lang),
        }
    })
    .collect();
    let switches = if p.has(Perm::ConfigureMatters) {
        switches(s, &d.summary.code, &m, p).await?
    } else {
        vec![]
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = s.pages.render(
        "catalog_matter.html",
        ctx,
        Some(session),
        context! {
            s => ser(&d.summary), m => ser(&m), versions => ser(&versions), changes,
            can_edit => p.can(Perm::EditMatters, &path), can_review => p.can(Perm::ReviewMatters, &path),
            errors => errors_value(&errors), switches,
            workflow_version => crate::approval::workflow_repo::current(&s.db, code).await.ok().map(|(v, _)| v),
        },
    );
    Ok(crate::http::pages::with_status(html, status))
}

/// The district, streets and communities the principal configures, with whether each serves the
/// matter (by its levels, unless switched explicitly).
async fn switches(
    s: &AppState,
    code: &str,
    m: &Matter,
    p: &Principal,
) -> Result<Vec<minijinja::Value>> {
    let explicit = crate::catalog::lookup::unit_switches(&s.db, code).await?;
    let units = org::list(&s.db).await?;
    Ok(org::tree_order(&units)
        .into_iter()
        .filter(|u| Level::of(u.kind).is_some() && !u.is_retired() && p.can(Perm::ConfigureMatters, &u.path))
        .map(|u| {
            let sw = explicit.iter().find(|(id, _)| *id == u.id);
            let on = sw.map_or_else(|| Level::of(u.kind).is_some_and(|l| m.levels.contains(&l)), |(_, e)| *e);
            context! { id => u.id, name => u.name.clone(), depth => u.depth, on, explicit => sw.is_some() }
        })
        .collect())
}

#[derive(Deserialize)]
pub struct SwitchForm {
    enabled: String,
}

pub async fn switch_unit(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path((code, unit)): Path<(String, i64)>,
    Form(f): Form<SwitchForm>,
) -> Result<Response> {
    match repo::set_unit(&s.db, &session.principal, &code, unit, f.enabled == "true").await {
        Ok(()) => Ok(Redirect::to(&format!("/catalog/{code}#switches")).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            render_show(&s, &ctx, &session, &code, errs).await
        }
    }
}

pub async fn show(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(code): Path<String>,
) -> Result<Response> {
    render_show(&s, &ctx, &session, &code, vec![]).await
}

#[derive(Deserialize)]
pub struct ActForm {
    #[serde(default)]
    reason: String,
}

pub async fn act(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path((code, action)): Path<(String, String)>,
    Form(f): Form<ActForm>,
) -> Result<Response> {
    let p = &session.principal;
    let r = match action.as_str() {
        "submit" => repo::submit(&s.db, p, &code).await,
        "publish" => repo::publish(&s.db, p, &code).await,
        "reject" => repo::reject(&s.db, p, &code, &f.reason).await,
        "suspend" | "resume" | "retire" => repo::set_status(&s.db, p, &code, &action).await,
        _ => return Err(Error::NotFound),
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/catalog/{code}")).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            render_show(&s, &ctx, &session, &code, errs).await
        }
    }
}

async fn save(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    m: Matter,
    back: &str,
    base: Option<&str>,
) -> Result<Response> {
    let code = m.code.clone();
    match repo::save_draft(&s.db, &session.principal, &code, m, base).await {
        Ok(_) => Ok(Redirect::to(back).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            render_designer(s, ctx, session, &code, errs).await
        }
    }
}

async fn render_designer(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    code: &str,
    errors: Vec<(String, String)>,
) -> Result<Response> {
    let (d, m) = working(s, &session.principal, code).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = s.pages.render(
        "catalog_form.html",
        ctx,
        Some(session),
        context! {
            s => ser(&d.summary), m => ser(&m), errors => errors_value(&errors),
            communities => super::hall::communities(s).await?,
            kinds => FieldKind::ALL.iter().filter_map(|k| serde_json::to_value(k).ok()?.as_str().map(String::from)).collect::<Vec<_>>(),
        },
    );
    Ok(crate::http::pages::with_status(html, status))
}

pub async fn designer(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(code): Path<String>,
) -> Result<Response> {
    render_designer(&s, &ctx, &session, &code, vec![]).await
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// Adds a field at the end of the draft's form; the whole schema is checked before it is kept.
pub async fn add_field(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(code): Path<String>,
    Form(f): Form<design::NewField>,
) -> Result<Response> {
    let (_, mut m) = working(&s, &session.principal, &code).await?;
    if let Err(e) = design::add_field(&mut m, &f) {
        let errs = form_errors(e, ctx.lang)?;
        return render_designer(&s, &ctx, &session, &code, errs).await;
    }
    save(
        &s,
        &ctx,
        &session,
        m,
        &format!("/catalog/{code}/form"),
        None,
    )
    .await
}

/// Moves a field up or down, or removes it.
pub async fn field_action(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path((code, key, action)): Path<(String, String, String)>,
) -> Result<Response> {
    let (_, mut m) = working(&s, &session.principal, &code).await?;
    let mv = design::Move::parse(&action).ok_or(Error::NotFound)?;
    if let Err(e) = design::move_field(&mut m, &key, mv) {
        let errs = form_errors(e, ctx.lang)?;
        return render_designer(&s, &ctx, &session, &code, errs).await;
    }
    save(
        &s,
        &ctx,
        &session,
        m,
        &format!("/catalog/{code}/form"),
        None,
    )
    .await
}

pub async fn edit_page(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(code): Path<String>,
) -> Result<Response> {
    let (d, m) = working(&s, &session.principal, &code).await?;
    Ok(render_edit(
        &s,
        &ctx,
        &session,
        &d.summary,
        &m,
        &d.summary.updated_at,
        vec![],
    ))
}

/// The guide page over `m` (as stored, or as posted back with `errors`), saving over `base`.
fn render_edit(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    summary: &repo::Summary,
    m: &Matter,
    base: &str,
    errors: Vec<(String, String)>,
) -> Response {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let spare = super::guide_form::SPARE_ROWS;
    let html = s.pages.render(
        "catalog_edit.html",
        ctx,
        Some(session),
        context! { s => ser(summary), m => ser(m), base, errors => errors_value(&errors),
        spare => (0..spare).collect::<Vec<_>>(),
        forms => ["original", "copy", "original_and_copy", "electronic"],
        kinds => MatterType::ALL.iter().map(|k| k.code()).collect::<Vec<_>>() },
    );
    crate::http::pages::with_status(html, status)
}

#[derive(Deserialize)]
pub struct EditForm {
    name: String,
    kind: String,
    class: String,
    #[serde(default)]
    levels: Vec<String>,
    #[serde(default)]
    audience: Vec<String>,
    #[serde(default)]
    themes: String,
    #[serde(default)]
    basis_title: String,
    #[serde(default)]
    basis_article: String,
}

/// Saves the guide: basic facts as fields, the guide itself as a structured JSON document
/// (checked by the same schema the API uses).
pub async fn edit(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(code): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response> {
    let pairs: Vec<(String, String)> = crate::http::context::form_urlencoded_pairs(&body);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |k: &str| {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    let f = EditForm {
        name: get("name"),
        kind: get("kind"),
        class: get("class"),
        levels: all("levels"),
        audience: all("audience"),
        themes: get("themes"),
        basis_title: get("basis_title"),
        basis_article: get("basis_article"),
    };
    let (d, mut m) = working(&s, &session.principal, &code).await?;
    let guide_errs = super::guide_form::read(&pairs, &mut m.guide);
    m.name = f.name.trim().into();
    m.kind = MatterType::parse(&f.kind).unwrap_or(m.kind);
    m.class = f.class.trim().into();
    m.levels = f
        .levels
        .iter()
        .filter_map(|l| serde_json::from_value(Value::String(l.clone())).ok())
        .collect();
    m.audience = f
        .audience
        .iter()
        .filter_map(|a| serde_json::from_value(Value::String(a.clone())).ok())
        .collect();
    m.themes = f
        .themes
        .split([',', '，', '、'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    if let Some(title) = opt(&f.basis_title) {
        m.legal_basis = vec![crate::catalog::matter::LegalBasis {
            title,
            article: f.basis_article.trim().into(),
        }];
    }
    // The guide form holds the whole guide: saved over the version the editor loaded only.
    let base = get("base");
    if !guide_errs.is_empty() {
        let errs = form_errors(crate::error::Error::Validation(guide_errs), ctx.lang)?;
        return Ok(render_edit(&s, &ctx, &session, &d.summary, &m, &base, errs));
    }
    let code = m.code.clone();
    let base_opt = Some(base.as_str()).filter(|b| !b.is_empty());
    match repo::save_draft(&s.db, &session.principal, &code, m.clone(), base_opt).await {
        Ok(_) => Ok(Redirect::to(&format!("/catalog/{code}")).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            Ok(render_edit(&s, &ctx, &session, &d.summary, &m, &base, errs))
        }
    }
}

pub async fn import_page(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
) -> Result<Response> {
    if !session.principal.has(Perm::ReviewMatters) {
        return Err(Error::Forbidden);
    }
    Ok(s.pages
        .render("catalog_import.html", &ctx, Some(&session), context! {})
        .into_response())
}

/// Upload of a catalog file: the differences, then all or nothing.
pub async fn import(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    form: axum::extract::Multipart,
) -> Result<Response> {
    if !session.principal.has(Perm::ReviewMatters) {
        return Err(Error::Forbidden);
    }
    let super::Upload { bytes, dry_run, .. } = super::read_upload(form).await?;
    let report = if bytes.starts_with(b"PK") {
        exchange::import_xlsx(&s.db, &session.principal, &bytes, dry_run).await?
    } else {
        let file: exchange::CatalogFile = serde_json::from_slice(&bytes).map_err(|e| {
            Error::Validation(vec![crate::error::FieldError::with(
                "file",
                "field.file_format",
                e.to_string(),
            )])
        })?;
        exchange::import(&s.db, &session.principal, file, dry_run).await?
    };
    let status = if report.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = s.pages.render(
        "catalog_import.html",
        &ctx,
        Some(&session),
        context! { report => ser(&report) },
    );
    Ok(crate::http::pages::with_status(html, status))
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/catalog", routing::get(list).post(create))
        .route(
            "/catalog/import",
            routing::get(import_page)
                .post(import)
                .layer(DefaultBodyLimit::max(50 << 20)),
        )
        .route("/catalog/{code}", routing::get(show))
        .route("/catalog/{code}/act/{action}", routing::post(act))
        .route("/catalog/{code}/units/{unit}", routing::post(switch_unit))
        .route("/catalog/{code}/edit", routing::get(edit_page).post(edit))
        .route(
            "/catalog/{code}/form",
            routing::get(designer).post(add_field),
        )
        .route(
            "/catalog/{code}/form/{key}/{action}",
            routing::post(field_action),
        )
}
