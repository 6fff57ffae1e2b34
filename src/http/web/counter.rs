//! Counter pages: the clerk's window (call the next ticket, recall, pass over, receive the
//! applicant: find them by ID number and file for them), the windows' set-up for those who
//! manage a hall, and the hall's public kiosk (取号) and display (叫号屏).

use crate::http::query::Query;
use axum::Form;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing;
use minijinja::{Value, context};
use serde::Deserialize;

use super::filing::{FormPage, Posted, form_page, to_save};
use super::{cookie_header, errors_value, form_errors};
use crate::applications::counter::{self, CounterFiling};
use crate::auth::Principal;
use crate::counter::{Window, WindowSave, queue, windows};
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::MaybeSession;
use crate::http::context::{Ctx, LOGIN_CSRF_COOKIE, Session};
use crate::http::pages::{ser, with_status};
use crate::org;

#[derive(Debug, Default, Deserialize)]
pub struct WindowQuery {
    window: Option<i64>,
}

/// The clerk's window chosen by `?window=`, else their first.
async fn chosen(
    s: &AppState,
    who: &Principal,
    id: Option<i64>,
) -> Result<(Vec<Window>, Option<Window>)> {
    let mine = windows::of_clerk(&s.db, &who.username).await?;
    let w = id
        .and_then(|id| mine.iter().find(|w| w.id == id))
        .or(mine.first())
        .cloned();
    Ok((mine, w))
}

/// Every published matter as (code, name), by name.
async fn published(s: &AppState) -> Result<Vec<(String, String)>> {
    crate::catalog::lookup::published_names(&s.db).await
}

/// Matters a window takes, as (code, name): its own, or every published one of the hall.
async fn matters_of(s: &AppState, w: &Window) -> Result<Vec<(String, String)>> {
    let all: Vec<(String, String)> = published(s).await?;
    Ok(all
        .into_iter()
        .filter(|(c, _)| w.comprehensive || w.matters.contains(c))
        .collect())
}

async fn desk(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    id: Option<i64>,
    found: Option<Value>,
    errors: Vec<(String, String)>,
) -> Result<Response> {
    let (mine, w) = chosen(s, &session.principal, id).await?;
    let (current, waiting, matters) = match &w {
        Some(w) => (
            queue::current(&s.db, w.id).await?,
            queue::waiting_for(&s.db, w).await?,
            matters_of(s, w).await?,
        ),
        None => (None, 0, Vec::new()),
    };
    let hall_code = match &w {
        Some(w) => Some(org::get(&s.db, w.unit_id).await?.code),
        None => None,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = s.pages.render(
        "counter.html",
        ctx,
        Some(session),
        context! { windows => ser(&mine), w => w.as_ref().map(ser), current => current.as_ref().map(ser), waiting,
                   matters => matters.iter().map(|(c, n)| context! { code => c, name => n }).collect::<Vec<_>>(),
                   hall_code, found, errors => errors_value(&errors) },
    );
    Ok(with_status(html, status))
}

pub async fn page(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Query(q): Query<WindowQuery>,
) -> Result<Response> {
    desk(&s, &ctx, &session, q.window, None, vec![]).await
}

#[derive(Debug, Deserialize)]
pub struct CallForm {
    #[serde(default)]
    status: String,
}

/// Call next, recall, or close the current ticket (`done` / `no_show`).
pub async fn call(
    State(s): State<AppState>,
    session: Session,
    Path((id, what)): Path<(i64, String)>,
    Form(f): Form<CallForm>,
) -> Result<Response> {
    let p = &session.principal;
    match what.as_str() {
        "next" => {
            queue::call_next(&s.db, p, id).await?;
        }
        "recall" => {
            queue::recall(&s.db, p, id).await?;
        }
        "close" => queue::close(&s.db, p, id, &f.status).await?,
        _ => return Err(Error::NotFound),
    }
    Ok(Redirect::to(&format!("/counter?window={id}")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct FindForm {
    window: i64,
    id_number: String,
}

/// Finds the applicant before the window by ID number (posted, never in an address).
pub async fn find(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(f): Form<FindForm>,
) -> Result<Response> {
    match counter::find(&s.db, &session.principal, &f.id_number).await {
        Ok(a) => {
            let found =
                context! { a => ser(&a), id_number => f.id_number.trim().to_ascii_uppercase() };
            desk(&s, &ctx, &session, Some(f.window), Some(found), vec![]).await
        }
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            desk(&s, &ctx, &session, Some(f.window), None, errs).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct VerifyForm {
    window: i64,
    id_number: String,
    username: String,
}

/// Binds the account the applicant names to the ID number on the document they showed.
pub async fn verify(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(f): Form<VerifyForm>,
) -> Result<Response> {
    let p = &session.principal;
    let errs = match counter::verify_claim(&s.db, p, &f.id_number, &f.username).await {
        Ok(()) => vec![],
        Err(e) => form_errors(e, ctx.lang)?,
    };
    let a = counter::find(&s.db, p, &f.id_number).await?;
    let found = context! { a => ser(&a), id_number => f.id_number.trim().to_ascii_uppercase() };
    desk(&s, &ctx, &session, Some(f.window), Some(found), errs).await
}

/// What the counter's form page shows about the applicant.
async fn applicant(
    s: &AppState,
    who: &Principal,
    id_number: &str,
    w: &Window,
    name: Option<String>,
) -> Result<Value> {
    let a = counter::find(&s.db, who, id_number).await?;
    let hall = org::get(&s.db, w.unit_id).await?;
    Ok(
        context! { id_number => id_number.trim().to_ascii_uppercase(), id_masked => a.id_masked, username => a.username,
        name => name.or(a.name), files => ser(&a.files), hall_code => hall.code, hall_name => hall.name },
    )
}

#[derive(Debug, Deserialize)]
pub struct StartForm {
    window: i64,
    id_number: String,
    matter_code: String,
}

/// The matter's form to fill in on the applicant's behalf.
pub async fn start(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(f): Form<StartForm>,
) -> Result<Response> {
    let (_, w) = chosen(&s, &session.principal, Some(f.window)).await?;
    let w = w.ok_or(Error::Forbidden)?;
    let who = applicant(&s, &session.principal, &f.id_number, &w, None).await?;
    form_page(
        &s,
        &ctx,
        &session,
        &f.matter_code,
        FormPage {
            action: format!(
                "/counter/{}/file/{}?csrf={}",
                w.id, f.matter_code, session.principal.csrf
            ),
            counter: Some(who),
            ..Default::default()
        },
    )
    .await
}

/// Files the application; on to it (the decision and the receipt), or back with the problems.
pub async fn file(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path((window, code)): Path<(i64, String)>,
    form: Multipart,
) -> Result<Response> {
    let (_, w) = chosen(&s, &session.principal, Some(window)).await?;
    let w = w.ok_or(Error::Forbidden)?;
    let p = Posted::read(form).await?;
    let id_number = p.get("id_number").unwrap_or_default().to_string();
    let name = p.get("name").unwrap_or_default().to_string();
    let (save, upload_errs) = to_save(&s, &session.principal, &code, &p, true).await?;
    let checks = p.checks();
    let result = if upload_errs.is_empty() {
        let c = CounterFiling {
            id_number: id_number.clone(),
            name: name.clone(),
            save: save.clone(),
            checks,
        };
        counter::file(&s.db, &session.principal, &c).await
    } else {
        Err(Error::Validation(upload_errs))
    };
    match result {
        Ok(a) => Ok(Redirect::to(&format!("/applications/{}", a.id)).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            let who = applicant(&s, &session.principal, &id_number, &w, Some(name)).await?;
            form_page(
                &s,
                &ctx,
                &session,
                &code,
                FormPage {
                    action: format!(
                        "/counter/{}/file/{code}?csrf={}",
                        w.id, session.principal.csrf
                    ),
                    values: serde_json::Value::Object(save.form.clone()),
                    materials: save.materials.clone(),
                    counter: Some(who),
                    errors: errs,
                    ..Default::default()
                },
            )
            .await
        }
    }
}

/// At the counter: the applicant brings what a supplement asked for; the clerk scans it, checks
/// it and submits the application again.
pub async fn resubmit(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<Response> {
    // Who may, and whether the application waits for a supplement, before reading the upload.
    counter::may_resubmit(&s.db, &session.principal, id).await?;
    let p = Posted::read(form).await?;
    let (added, errs) = p.uploads(&s, &session.principal).await?;
    let checks = p.checks();
    let r = if errs.is_empty() {
        counter::resubmit(&s.db, &session.principal, id, &added, &checks)
            .await
            .map(|_| ())
    } else {
        Err(Error::Validation(errs))
    };
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            super::applications::page(&s, &ctx, &session, id, errs).await
        }
    }
}

/// The windows of one hall the caller manages (chosen in a hall filter, the first by default),
/// with forms to add and change them.
async fn windows_page(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    hall: Option<&str>,
    errors: Vec<(String, String)>,
    failed: Option<i64>,
) -> Result<Response> {
    let halls = windows::managed_halls(&s.db, &session.principal).await?;
    let Some(chosen) = halls
        .iter()
        .find(|h| Some(h.code.as_str()) == hall)
        .or(halls.first())
    else {
        return Err(Error::Forbidden);
    };
    let list = vec![
        context! { code => chosen.code.clone(), name => chosen.name.clone(), windows => ser(&windows::of_hall(&s.db, chosen.id).await?) },
    ];
    let options: Vec<_> = halls
        .iter()
        .map(|h| context! { code => h.code.clone(), name => h.name.clone(), chosen => h.code == chosen.code })
        .collect();
    let matters: Vec<(String, String)> = published(s).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = s.pages.render(
        "counter_windows.html",
        ctx,
        Some(session),
        context! { halls => list, options, matters => matters.iter().map(|(c, n)| context! { code => c, name => n }).collect::<Vec<_>>(),
                   errors => errors_value(&errors), failed },
    );
    Ok(with_status(html, status))
}

#[derive(Deserialize, Default)]
pub struct HallQuery {
    hall: Option<String>,
}

pub async fn windows_list(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Query(q): Query<HallQuery>,
) -> Result<Response> {
    windows_page(&s, &ctx, &session, q.hall.as_deref(), vec![], None).await
}

/// A window form: `matters` repeated, `clerks` separated by commas or spaces.
fn window_save(f: &[(String, String)]) -> WindowSave {
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    WindowSave {
        unit_code: get("unit_code"),
        number: get("number"),
        name: get("name"),
        comprehensive: !get("comprehensive").is_empty(),
        matters: f
            .iter()
            .filter(|(n, _)| n == "matters")
            .map(|(_, v)| v.clone())
            .collect(),
        clerks: get("clerks")
            .split([',', '，', ' ', '、'])
            .map(str::to_string)
            .collect(),
        active: get("closed").is_empty(),
    }
}

pub async fn create_window(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    save_window(&s, &ctx, &session, None, &f).await
}

pub async fn update_window(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    save_window(&s, &ctx, &session, Some(id), &f).await
}

async fn save_window(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    id: Option<i64>,
    f: &[(String, String)],
) -> Result<Response> {
    let save = window_save(f);
    match windows::save(&s.db, &session.principal, id, &save).await {
        Ok(_) => {
            let back = form_urlencoded::Serializer::new(String::new())
                .append_pair("hall", &save.unit_code)
                .finish();
            Ok(Redirect::to(&format!("/counter/windows?{back}")).into_response())
        }
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            let hall = Some(save.unit_code.as_str());
            windows_page(s, ctx, session, hall, errs, Some(id.unwrap_or(0))).await
        }
    }
}

async fn kiosk_page(
    s: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    session: &MaybeSession,
    code: &str,
    ticket: Option<Value>,
) -> Result<Response> {
    let hall = queue::hall(&s.db, code).await?;
    let ws = windows::of_hall(&s.db, hall.id).await?;
    let all: Vec<(String, String)> = published(s).await?;
    // The matters some window of the hall takes (all of them when there is a comprehensive one).
    let matters: Vec<Value> = all
        .iter()
        .filter(|(c, _)| ws.iter().any(|w| w.active && w.takes(Some(c))))
        .map(|(c, n)| context! { code => c, name => n })
        .collect();
    let token = super::form_token(headers, session);
    let html = s.pages.render(
        "kiosk.html",
        ctx,
        None,
        context! { hall => context! { code => hall.code, name => hall.name }, matters, ticket, kiosk_csrf => token.clone() },
    );
    let mut r = html.into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(LOGIN_CSRF_COOKIE, &token, 12 * 3600, s.secure_cookies),
    );
    Ok(r)
}

pub async fn kiosk(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    session: MaybeSession,
    Path(code): Path<String>,
) -> Result<Response> {
    kiosk_page(&s, &ctx, &headers, &session, &code, None).await
}

#[derive(Debug, Deserialize)]
pub struct TakeForm {
    csrf: String,
    #[serde(default)]
    matter_code: String,
}

pub async fn take(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    session: MaybeSession,
    Path(code): Path<String>,
    Form(f): Form<TakeForm>,
) -> Result<Response> {
    if !super::form_token_ok(&headers, &session, &f.csrf) {
        return Err(Error::Csrf);
    }
    let t = queue::take(&s.db, &code, Some(&f.matter_code)).await?;
    let matter_name =
        crate::catalog::lookup::name_of(&s.db, t.matter_code.as_deref().unwrap_or_default())
            .await?;
    let ticket = context! { t => ser(&t), matter_name };
    kiosk_page(&s, &ctx, &headers, &session, &code, Some(ticket)).await
}

pub async fn display(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response> {
    let d = queue::display(&s.db, &code).await?;
    Ok(s.pages.render(
        "hall_display.html",
        &ctx,
        None,
        context! { d => ser(&d), code },
    ))
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/counter", routing::get(page))
        .route("/counter/{window}/call/{what}", routing::post(call))
        .route("/counter/find", routing::post(find))
        .route("/counter/verify", routing::post(verify))
        .route(
            "/applications/{id}/counter-resubmit",
            routing::post(resubmit).layer(DefaultBodyLimit::max(super::APPLY_LIMIT)),
        )
        .route("/counter/start", routing::post(start))
        .route(
            "/counter/{window}/file/{code}",
            routing::post(file).layer(DefaultBodyLimit::max(super::APPLY_LIMIT)),
        )
        .route(
            "/counter/windows",
            routing::get(windows_list).post(create_window),
        )
        .route("/counter/windows/{id}", routing::post(update_window))
        .route("/halls/{code}/kiosk", routing::get(kiosk).post(take))
        .route("/halls/{code}/display", routing::get(display))
}
