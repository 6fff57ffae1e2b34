//! Sign-in and sign-out, the language switch, the home page and changing one's own password.

use crate::http::query::Query;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing;
use minijinja::context;
use serde::Deserialize;

use super::{cookie_header, errors_value, form_errors, redirect_with_cookie, safe_next};
use crate::auth::{self, Perm, Role, SESSION_HOURS};
use crate::error::Error;
use crate::http::AppState;
use crate::http::context::{Ctx, LOGIN_CSRF_COOKIE, MaybeSession, SESSION_COOKIE, Session};

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_page(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    session: MaybeSession,
    Query(q): Query<NextQuery>,
) -> Response {
    let token = super::form_token(&headers, &session);
    let html = s.pages.render(
        "login.html",
        &ctx,
        None,
        context! { login_csrf => token.clone(), next => safe_next(q.next.as_deref()) },
    );
    let mut r = html.into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(LOGIN_CSRF_COOKIE, &token, 3600, s.secure_cookies),
    );
    r
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

pub async fn login(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    session: MaybeSession,
    Form(f): Form<LoginForm>,
) -> Result<Response, Error> {
    if !super::form_token_ok(&headers, &session, &f.csrf) {
        return Err(Error::Csrf);
    }
    match auth::login(&s.db, &f.username, &f.password, ctx.ip.clone()).await {
        Ok((token, _)) => Ok(redirect_with_cookie(
            &safe_next(f.next.as_deref()),
            cookie_header(
                SESSION_COOKIE,
                &token,
                SESSION_HOURS * 3600,
                s.secure_cookies,
            ),
        )),
        Err(e @ (Error::InvalidCredentials | Error::Locked { .. })) => {
            let html = s.pages.render(
                "login.html",
                &ctx,
                None,
                context! { login_csrf => f.csrf, next => safe_next(f.next.as_deref()),
                username => f.username, error => e.message(ctx.lang) },
            );
            Ok(crate::http::pages::with_status(
                html,
                crate::http::error::status_of(&e),
            ))
        }
        Err(e) => Err(e),
    }
}

pub async fn logout(State(s): State<AppState>, session: Session) -> Result<Response, Error> {
    auth::logout(&s.db, &session.principal, &session.token).await?;
    Ok(redirect_with_cookie(
        "/login",
        cookie_header(SESSION_COOKIE, "", 0, s.secure_cookies),
    ))
}

pub async fn set_lang(
    State(s): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let lang = if code.starts_with("en") {
        "en"
    } else {
        "zh-CN"
    };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
        .and_then(|r| r.find('/').map(|i| r[i..].to_string()));
    redirect_with_cookie(
        &safe_next(back.as_deref()),
        cookie_header("lang", lang, 365 * 24 * 3600, s.secure_cookies),
    )
}

/// What each role can do here, as cards on the home page.
fn cards(p: &auth::Principal) -> Vec<minijinja::Value> {
    let mut v = Vec::new();
    let mut add = |href: &str, key: &str| {
        v.push(context! { href, title => format!("{key}.title"), body => format!("{key}.body") })
    };
    if p.grants
        .iter()
        .any(|g| matches!(g.role, Role::WindowClerk | Role::Approver))
    {
        add("/inbox", "card.approval");
    }
    if p.has(Perm::ViewOrg) {
        add("/org", "card.org");
    }
    if p.has(Perm::ManageAccounts) {
        add("/accounts/new", "card.account_new");
        add("/accounts/import", "card.import");
    } else if p.has(Perm::ViewAccounts) {
        add("/accounts", "card.accounts");
    }
    if p.has(Perm::EditMatters) || p.has(Perm::ReviewMatters) {
        add("/catalog", "card.catalog_admin");
    }
    if p.has(Perm::ViewAudit) {
        add("/audit", "card.audit");
    }
    let desks = [
        (Role::WindowClerk, "/counter", "card.window"),
        (Role::OmEngineer, "/ops", "card.ops"),
        (Role::OmManager, "/ops", "card.ops"),
        (Role::Citizen, "/my/applications", "card.citizen"),
    ];
    let mut seen = Vec::new();
    for (role, href, key) in desks {
        if p.has_role(role) && !seen.contains(&key) {
            seen.push(key);
            add(href, key);
        }
    }
    v.push(context! { href => "/password", title => "card.password.title", body => "card.password.body" });
    v
}

pub async fn home(
    State(s): State<AppState>,
    ctx: Ctx,
    MaybeSession(session): MaybeSession,
) -> Response {
    let Some(session) = session else {
        return Redirect::to("/login").into_response();
    };
    let cards = cards(&session.principal);
    s.pages
        .render("home.html", &ctx, Some(&session), context! { cards })
        .into_response()
}

pub async fn password_page(State(s): State<AppState>, ctx: Ctx, session: Session) -> Response {
    s.pages
        .render("password.html", &ctx, Some(&session), context! {})
        .into_response()
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

pub async fn change_password(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(f): Form<PasswordForm>,
) -> Result<Response, Error> {
    let result = if f.new_password != f.confirm_password {
        Err(Error::field("confirm_password", "field.mismatch"))
    } else {
        auth::change_password(
            &s.db,
            &session.principal,
            &f.current_password,
            &f.new_password,
            &session.token,
        )
        .await
    };
    let (errors, done) = match result {
        Ok(()) => (vec![], true),
        Err(e) => (form_errors(e, ctx.lang)?, false),
    };
    let status = if done { 200 } else { 422 };
    let html = s.pages.render(
        "password.html",
        &ctx,
        Some(&session),
        context! { errors => errors_value(&errors), done },
    );
    Ok((
        axum::http::StatusCode::from_u16(status).expect("valid"),
        html,
    )
        .into_response())
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", routing::get(home))
        .route("/login", routing::get(login_page).post(login))
        .route("/logout", routing::post(logout))
        .route("/lang/{code}", routing::get(set_lang))
        .route(
            "/password",
            routing::get(password_page).post(change_password),
        )
}
