//! Account pages: the searchable, sortable, paged list (with Excel export), the new-account form,
//! an account's page with its grants, and bulk import with its row-by-row report.

use crate::http::query::Query;
use axum::Form;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing;
use minijinja::context;
use serde::Deserialize;

use super::{errors_value, form_errors};
use crate::accounts::{self, GrantSpec, ListQuery, NewUser, UserPatch};
use crate::auth::{Perm, Principal, Role};
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::{Ctx, Session};
use crate::i18n::{Lang, tr};
use crate::org;

/// Units the principal holds `perm` over, labelled with their name path, for a `<select>`.
pub(super) async fn unit_options(
    s: &AppState,
    p: &Principal,
    perm: Perm,
) -> Result<Vec<minijinja::Value>> {
    let units = org::list(&s.db).await?;
    let labels = org::name_paths(&units);
    Ok(org::tree_order(&units)
        .into_iter()
        .filter(|u| !u.is_retired() && p.can(perm, &u.path))
        .map(|u| context! { id => u.id, label => labels[&u.id].clone() })
        .collect())
}

fn role_options(p: &Principal) -> Vec<minijinja::Value> {
    Role::ALL
        .iter()
        .filter(|r| p.system || p.grants.iter().any(|g| g.role.may_grant(**r)))
        .map(|r| context! { code => r.as_str() })
        .collect()
}

pub async fn list(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let p = &session.principal;
    let page = accounts::list(&s.db, p, &q).await?;
    let pages = page.pages();
    let html = s.pages.render(
        "accounts.html",
        &ctx,
        Some(&session),
        context! {
            items => crate::http::pages::ser(&page.items), total => page.total, page => page.page, pages,
            q => q.q, unit_id => q.unit_id, role => q.role, sort => q.sort.unwrap_or_else(|| "username".into()),
            units => unit_options(&s, p, Perm::ViewAccounts).await?,
            roles => Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            can_manage => p.has(Perm::ManageAccounts),
        },
    );
    Ok(html.into_response())
}

/// The filtered list as XLSX (all pages).
pub async fn export(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let all = crate::http::transfer::every_page("q", |page, per_page| {
        let q = ListQuery {
            page: Some(page),
            per_page: Some(per_page),
            ..q.clone()
        };
        let (db, who) = (s.db.clone(), session.principal.clone());
        async move { accounts::list(&db, &who, &q).await }
    })
    .await?;
    let lang = ctx.lang;
    let bytes = crate::blocking::run(move || accounts_xlsx(&all, lang)).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"accounts.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

fn accounts_xlsx(users: &[accounts::User], lang: Lang) -> anyhow::Result<Vec<u8>> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let head = ["username", "name", "org_unit", "email", "phone", "active"];
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, tr(lang, &format!("col.{h}")), &bold)?;
    }
    for (r, u) in users.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, &u.username)?;
        ws.write_string(r, 1, &u.name)?;
        ws.write_string(r, 2, &u.unit_name)?;
        ws.write_string(r, 3, u.email.as_deref().unwrap_or(""))?;
        ws.write_string(r, 4, u.phone.as_deref().unwrap_or(""))?;
        ws.write_string(r, 5, tr(lang, if u.active { "ui.yes" } else { "ui.no" }))?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofit();
    Ok(wb.save_to_buffer()?)
}

async fn render_new(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    errors: Vec<(String, String)>,
    values: minijinja::Value,
) -> Result<Response> {
    let p = &session.principal;
    if !p.has(Perm::ManageAccounts) {
        return Err(Error::Forbidden);
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = s.pages.render(
        "account_new.html",
        ctx,
        Some(session),
        context! {
            units => unit_options(s, p, Perm::ManageAccounts).await?,
            roles => role_options(p), errors => errors_value(&errors), v => values,
        },
    );
    Ok(crate::http::pages::with_status(html, status))
}

pub async fn new_page(State(s): State<AppState>, ctx: Ctx, session: Session) -> Result<Response> {
    render_new(&s, &ctx, &session, vec![], context! {}).await
}

/// The new-account form; `roles` may repeat, so it is read as pairs.
pub async fn create(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let roles: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "roles")
        .map(|(_, v)| v.clone())
        .collect();
    let new = NewUser {
        username: get("username"),
        name: get("name"),
        org_unit_id: get("org_unit_id").parse().unwrap_or(0),
        email: Some(get("email")),
        phone: Some(get("phone")),
        password: get("password"),
        roles: roles
            .iter()
            .map(|r| GrantSpec {
                role: r.clone(),
                org_unit_id: None,
            })
            .collect(),
    };
    match accounts::create(&s.db, &session.principal, new).await {
        Ok(u) => Ok(Redirect::to(&format!("/accounts/{}", u.user.id)).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            let values = context! {
                username => get("username"), name => get("name"), email => get("email"),
                phone => get("phone"), org_unit_id => get("org_unit_id").parse::<i64>().ok(), roles,
            };
            render_new(&s, &ctx, &session, errs, values).await
        }
    }
}

async fn render_show(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    id: i64,
    errors: Vec<(String, String)>,
    notice: Option<&str>,
) -> Result<Response> {
    let p = &session.principal;
    let detail = accounts::get(&s.db, p, id).await?;
    let manage = p.can(Perm::ManageAccounts, &detail.user.unit_path);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = s.pages.render(
        "account.html",
        ctx,
        Some(session),
        context! {
            u => crate::http::pages::ser(&detail.user), grants => crate::http::pages::ser(&detail.grants), manage,
            units => if manage { unit_options(s, p, Perm::ManageAccounts).await? } else { vec![] },
            roles => role_options(p), errors => errors_value(&errors), notice,
            see_audit => p.can(Perm::ViewAudit, &detail.user.unit_path),
        },
    );
    Ok(crate::http::pages::with_status(html, status))
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    /// What the last change did, after its redirect: `saved` or `password_reset`.
    done: Option<String>,
}

pub async fn show(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response> {
    let notice = match q.done.as_deref() {
        Some("saved") => Some("ui.saved"),
        Some("password_reset") => Some("ui.password_reset"),
        _ => None,
    };
    render_show(&s, &ctx, &session, id, vec![], notice).await
}

async fn after(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    id: i64,
    r: Result<()>,
    done: &str,
) -> Result<Response> {
    match r {
        // Post/redirect/get: a refresh shows the account, it does not repeat the change.
        Ok(()) => Ok(Redirect::to(&format!("/accounts/{id}?done={done}")).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            render_show(s, ctx, session, id, errs, None).await
        }
    }
}

#[derive(Deserialize)]
pub struct UpdateForm {
    name: String,
    email: String,
    phone: String,
    org_unit_id: i64,
    active: Option<String>,
}

pub async fn update(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Form(f): Form<UpdateForm>,
) -> Result<Response> {
    let patch = UserPatch {
        name: Some(f.name),
        email: Some(f.email),
        phone: Some(f.phone),
        org_unit_id: Some(f.org_unit_id),
        active: Some(f.active.is_some()),
    };
    let r = accounts::update(&s.db, &session.principal, id, patch)
        .await
        .map(|_| ());
    after(&s, &ctx, &session, id, r, "saved").await
}

#[derive(Deserialize)]
pub struct GrantForm {
    role: String,
    org_unit_id: i64,
}

pub async fn add_grant(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Form(f): Form<GrantForm>,
) -> Result<Response> {
    let spec = GrantSpec {
        role: f.role,
        org_unit_id: Some(f.org_unit_id),
    };
    let r = accounts::add_grant(&s.db, &session.principal, id, &spec)
        .await
        .map(|_| ());
    after(&s, &ctx, &session, id, r, "saved").await
}

pub async fn remove_grant(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path((id, gid)): Path<(i64, i64)>,
) -> Result<Response> {
    let r = accounts::remove_grant(&s.db, &session.principal, id, gid)
        .await
        .map(|_| ());
    after(&s, &ctx, &session, id, r, "saved").await
}

#[derive(Deserialize)]
pub struct ResetForm {
    password: String,
}

pub async fn reset_password(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Form(f): Form<ResetForm>,
) -> Result<Response> {
    let r = accounts::reset_password(&s.db, &session.principal, id, &f.password).await;
    after(&s, &ctx, &session, id, r, "password_reset").await
}

pub async fn import_page(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
) -> Result<Response> {
    if !session.principal.has(Perm::ManageAccounts) {
        return Err(Error::Forbidden);
    }
    Ok(s.pages
        .render("import.html", &ctx, Some(&session), context! {})
        .into_response())
}

pub async fn import(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    form: Multipart,
) -> Result<Response> {
    if !session.principal.has(Perm::ManageAccounts) {
        return Err(Error::Forbidden);
    }
    let super::Upload {
        bytes,
        filename,
        dry_run,
    } = super::read_upload(form).await?;
    let report = accounts::import(&s.db, &session.principal, &bytes, dry_run).await?;
    let status = if report.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = s.pages.render(
        "import.html",
        &ctx,
        Some(&session),
        context! { report => crate::http::pages::ser(&report), filename },
    );
    Ok(crate::http::pages::with_status(html, status))
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accounts", routing::get(list).post(create))
        .route("/accounts/new", routing::get(new_page))
        .route("/accounts/import", routing::get(import_page).post(import))
        .route("/accounts/export", routing::get(export))
        .route("/accounts/{id}", routing::get(show).post(update))
        .route("/accounts/{id}/grants", routing::post(add_grant))
        .route(
            "/accounts/{id}/grants/{gid}/delete",
            routing::post(remove_grant),
        )
        .route("/accounts/{id}/password", routing::post(reset_password))
}
