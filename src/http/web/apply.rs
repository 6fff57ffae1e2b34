//! The applicant's pages: register, fill a matter's form with its materials (save a draft and
//! come back, or submit), change and resubmit after a supplement, rate a finished application
//! or complain; and the department's page answering follow-ups. The form itself is in
//! [`super::filing`], shared with the counter.

use crate::http::query::Query;
use axum::Form;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing;
use minijinja::context;
use serde::Deserialize;

use super::filing::{FormPage, Posted, form_page, to_save};
use super::{cookie_header, errors_value, form_errors, redirect_with_cookie, safe_next};
use crate::applications::rating::{self, Complaint, Rate};
use crate::applications::{self, Registration, Save};
use crate::auth::{self, SESSION_HOURS};
use crate::error::{Error, FieldError, Result};
use crate::http::AppState;
use crate::http::context::MaybeSession;
use crate::http::context::{Ctx, LOGIN_CSRF_COOKIE, SESSION_COOKIE, Session};
use crate::http::pages::{ser, with_status};

/// The form page again after a refused save, with what was posted and the problems.
async fn refused(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    code: &str,
    action: String,
    save: &Save,
    errs: Vec<(String, String)>,
) -> Result<Response> {
    form_page(
        s,
        ctx,
        session,
        code,
        FormPage {
            action,
            values: serde_json::Value::Object(save.form.clone()),
            unit_code: save.unit_code.clone(),
            materials: save.materials.clone(),
            counter: None,
            errors: errs,
            note: None,
        },
    )
    .await
}

pub async fn apply_page(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(code): Path<String>,
) -> Result<Response> {
    let action = format!("/apply/{code}?csrf={}", session.principal.csrf);
    let values = prefill(&s, &session.principal, &code).await?;
    form_page(
        &s,
        &ctx,
        &session,
        &code,
        FormPage {
            action,
            values,
            ..Default::default()
        },
    )
    .await
}

/// A new form filled in with what the platform knows of the applicant: their name in the first
/// name field, their verified ID number in the first ID field, their phone and e-mail.
async fn prefill(
    s: &AppState,
    who: &crate::auth::Principal,
    code: &str,
) -> Result<serde_json::Value> {
    use crate::catalog::form::FieldKind;
    let (_, m) = crate::catalog::repo::public(&s.db, code).await?;
    let me = crate::accounts::lookup::contact(&s.db, &who.username).await?;
    let Some((name, phone, email)) = me else {
        return Ok(serde_json::json!({}));
    };
    let id = crate::accounts::lookup::verified_id(&s.db, &who.username).await?;
    let mut out = serde_json::Map::new();
    let mut put = |kind: FieldKind, named: bool, v: Option<String>| {
        let Some(v) = v.filter(|v| !v.is_empty()) else {
            return;
        };
        if let Some(f) = m.form.fields.iter().find(|f| {
            f.kind == kind
                && f.show_if.is_none()
                && (!named || f.label.contains("姓名") || f.label.contains("申请人"))
        }) {
            out.entry(f.key.clone())
                .or_insert(serde_json::Value::String(v));
        }
    };
    let person = id
        .as_deref()
        .is_some_and(|i| crate::ids::ResidentId::parse(i).is_ok());
    if person {
        put(FieldKind::Text, true, Some(name));
        put(FieldKind::ResidentId, false, id);
    }
    put(FieldKind::Phone, false, phone);
    put(FieldKind::Email, false, email);
    Ok(serde_json::Value::Object(out))
}

/// Saves (a new application, or one of the applicant's drafts) and goes to it, or shows the problems.
async fn save_posted(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    code: &str,
    id: Option<i64>,
    p: Posted,
    action: String,
) -> Result<Response> {
    let submit = p.get("submit").is_some();
    let (save, mut upload_errs) = to_save(s, &session.principal, code, &p, submit).await?;
    // The page asks for a hall (the API's default, the district's hall, is not a choice here).
    if submit
        && save
            .unit_code
            .as_deref()
            .is_none_or(|c| c.trim().is_empty())
    {
        upload_errs.push(FieldError::new("unit_code", "field.required"));
    }
    let lang = ctx.lang;
    let msgs = |errs: Vec<FieldError>| {
        errs.iter()
            .map(|f| (f.field.clone(), f.message(lang)))
            .collect::<Vec<_>>()
    };
    if !upload_errs.is_empty() {
        // A refused upload is said together with every other problem of the form, not first.
        let mut all = upload_errs;
        if submit && let Ok((_, m)) = crate::catalog::repo::public(&s.db, code).await {
            let units = crate::org::list(&s.db).await?;
            let exists = |c: &str| units.iter().any(|u| u.code == c && !u.is_retired());
            if let Err(e) = m.form.validate(&save.form, &exists) {
                all.extend(e);
            }
        }
        return refused(s, ctx, session, code, action, &save, msgs(all)).await;
    }
    match applications::save(&s.db, &session.principal, id, &save).await {
        Ok(a) => {
            let done = if submit { "?submitted=1" } else { "?saved=1" };
            Ok(Redirect::to(&format!("/applications/{}{done}", a.id)).into_response())
        }
        Err(e) => {
            let errs = form_errors(e, lang)?;
            refused(s, ctx, session, code, action, &save, errs).await
        }
    }
}

pub async fn apply(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(code): Path<String>,
    form: Multipart,
) -> Result<Response> {
    let p = Posted::read(form).await?;
    let action = format!("/apply/{code}?csrf={}", session.principal.csrf);
    save_posted(&s, &ctx, &session, &code, None, p, action).await
}

pub async fn edit_page(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response> {
    let a = applications::get(&s.db, &session.principal, id).await?;
    if a.applicant != session.principal.username {
        return Err(Error::NotFound);
    }
    if !a.status.editable() {
        return Err(Error::Conflict("err.application_locked"));
    }
    let unit_code = crate::org::get(&s.db, a.unit_id).await?.code;
    form_page(
        &s,
        &ctx,
        &session,
        &a.matter_code.clone(),
        FormPage {
            action: format!("/my/applications/{id}/edit?csrf={}", session.principal.csrf),
            values: a.form.clone(),
            unit_code: Some(unit_code),
            materials: a.materials.clone(),
            note: a
                .note
                .clone()
                .filter(|_| a.status == crate::applications::Status::Supplement),
            ..Default::default()
        },
    )
    .await
}

pub async fn edit(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<Response> {
    let a = applications::get(&s.db, &session.principal, id).await?;
    let p = Posted::read(form).await?;
    let action = format!("/my/applications/{id}/edit?csrf={}", session.principal.csrf);
    save_posted(&s, &ctx, &session, &a.matter_code, Some(id), p, action).await
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn register_page(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    session: MaybeSession,
    Query(q): Query<NextQuery>,
) -> Response {
    let token = super::form_token(&headers, &session);
    let html = s.pages.render("register.html", &ctx, None,
        context! { login_csrf => token.clone(), next => safe_next(q.next.as_deref()), errors => errors_value(&[]), r => context!{},
                   min_password => crate::auth::MIN_PASSWORD_CHARS });
    let mut r = html.into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(LOGIN_CSRF_COOKIE, &token, 3600, s.secure_cookies),
    );
    r
}

#[derive(Deserialize)]
pub struct RegisterForm {
    csrf: String,
    next: Option<String>,
    username: String,
    name: String,
    id_number: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    password: String,
    consent: Option<String>,
}

/// Registers and signs in; back to where they were going (or their applications).
pub async fn register(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    session: MaybeSession,
    Form(f): Form<RegisterForm>,
) -> Result<Response> {
    if !super::form_token_ok(&headers, &session, &f.csrf) {
        return Err(Error::Csrf);
    }
    let r = Registration {
        username: f.username.clone(),
        name: f.name.clone(),
        id_number: f.id_number.clone(),
        phone: Some(f.phone.clone()),
        email: Some(f.email.clone()),
        password: f.password.clone(),
        consent: f.consent.is_some(),
    };
    let next = match safe_next(f.next.as_deref()).as_str() {
        "/" => "/my/applications".to_string(),
        n => n.to_string(),
    };
    match applications::register(&s.db, &r, ctx.ip.clone()).await {
        Ok(username) => {
            let (token, _) = auth::login(&s.db, &username, &f.password, ctx.ip.clone()).await?;
            Ok(redirect_with_cookie(
                &next,
                cookie_header(
                    SESSION_COOKIE,
                    &token,
                    SESSION_HOURS * 3600,
                    s.secure_cookies,
                ),
            ))
        }
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            // The ID number and password are not sent back.
            let shown = context! { username => f.username, name => f.name, phone => f.phone, email => f.email };
            let html = s.pages.render(
                "register.html",
                &ctx,
                None,
                context! { login_csrf => f.csrf, next, errors => errors_value(&errs), r => shown,
                min_password => crate::auth::MIN_PASSWORD_CHARS },
            );
            Ok(with_status(html, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

#[derive(Deserialize)]
pub struct RateForm {
    score: i64,
    #[serde(default)]
    comment: String,
}

pub async fn rate(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Form(f): Form<RateForm>,
) -> Result<Response> {
    let r = rating::rate(
        &s.db,
        &session.principal,
        id,
        &Rate {
            score: f.score,
            comment: f.comment,
        },
    )
    .await;
    back_to(&s, &ctx, &session, id, r.map(|_| ())).await
}

#[derive(Deserialize)]
pub struct ComplainForm {
    body: String,
}

pub async fn complain(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Form(f): Form<ComplainForm>,
) -> Result<Response> {
    let r = rating::complain(&s.db, &session.principal, id, &Complaint { body: f.body }).await;
    back_to(&s, &ctx, &session, id, r.map(|_| ())).await
}

/// Back to the application after an action, or its page with the problem.
async fn back_to(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    id: i64,
    r: Result<()>,
) -> Result<Response> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            super::applications::page(s, ctx, session, id, errs).await
        }
    }
}

/// Follow-ups the caller's departments must answer, due first.
pub async fn followups(State(s): State<AppState>, ctx: Ctx, session: Session) -> Result<Response> {
    let items = rating::open(&s.db, &session.principal).await?;
    Ok(s.pages.render(
        "followups.html",
        &ctx,
        Some(&session),
        context! { items => ser(&items), errors => errors_value(&[]) },
    ))
}

#[derive(Deserialize)]
pub struct AnswerForm {
    answer: String,
}

pub async fn answer(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Form(f): Form<AnswerForm>,
) -> Result<Response> {
    match rating::answer(&s.db, &session.principal, id, &f.answer).await {
        Ok(_) => Ok(Redirect::to("/followups").into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            let items = rating::open(&s.db, &session.principal).await?;
            let html = s.pages.render(
                "followups.html",
                &ctx,
                Some(&session),
                context! { items => ser(&items), errors => errors_value(&errs), failed => id },
            );
            Ok(with_status(html, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

/// The applicant's in-app messages (站内消息), newest first; opening one marks it read.
pub async fn messages(State(s): State<AppState>, ctx: Ctx, session: Session) -> Result<Response> {
    let items = crate::mail::messages::mine(&s.db, &session.principal).await?;
    Ok(s.pages.render(
        "messages.html",
        &ctx,
        Some(&session),
        context! { items => ser(&items) },
    ))
}

/// Marks a message read and follows its link (or back to the list).
pub async fn open_message(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response> {
    let link = crate::mail::messages::read(&s.db, &session.principal, id).await?;
    let to = super::safe_next(link.as_deref());
    Ok(Redirect::to(if to == "/" { "/my/messages" } else { &to }).into_response())
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register", routing::get(register_page).post(register))
        .route(
            "/apply/{code}",
            routing::get(apply_page)
                .post(apply)
                .layer(DefaultBodyLimit::max(super::APPLY_LIMIT)),
        )
        .route(
            "/my/applications/{id}/edit",
            routing::get(edit_page)
                .post(edit)
                .layer(DefaultBodyLimit::max(super::APPLY_LIMIT)),
        )
        .route("/applications/{id}/rating", routing::post(rate))
        .route("/applications/{id}/complaints", routing::post(complain))
        .route("/followups", routing::get(followups))
        .route("/my/messages", routing::get(messages))
        .route("/my/messages/{id}/open", routing::post(open_message))
        .route("/followups/{id}/answer", routing::post(answer))
}
