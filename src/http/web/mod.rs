//! Server-rendered pages for staff: sign-in, home, org tree, accounts and grants, import, audit
//! trail. Forms post back with the session's CSRF token; errors are shown beside their fields
//! with a summary at the top (the GOV.UK pattern).

mod accounts;
mod applications;
mod apply;
mod approvals;
mod audit;
mod calendar;
mod catalog;
mod counter;
mod filing;
pub(super) mod hall;
mod licences;
mod ops;
mod ops_desk;
mod org;
mod print;
mod rate;
mod session;
mod workflow;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::AppState;
use crate::error::{Error, FieldError};
use crate::i18n::Lang;

/// Largest application form post: its materials (50 MB) and the form.
const APPLY_LIMIT: usize = crate::applications::repo::MAX_APPLICATION_BYTES as usize + (1 << 20);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(session::home))
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route("/lang/{code}", get(session::set_lang))
        .route(
            "/password",
            get(session::password_page).post(session::change_password),
        )
        .route("/org", get(org::page).post(org::create))
        .route("/org/{id}/rename", post(org::rename))
        .route("/org/move", post(org::move_unit))
        .route("/org/{id}/retire", post(org::retire))
        .route("/accounts", get(accounts::list).post(accounts::create))
        .route("/accounts/new", get(accounts::new_page))
        .route(
            "/accounts/import",
            get(accounts::import_page).post(accounts::import),
        )
        .route("/accounts/export", get(accounts::export))
        .route("/accounts/{id}", get(accounts::show).post(accounts::update))
        .route("/accounts/{id}/grants", post(accounts::add_grant))
        .route(
            "/accounts/{id}/grants/{gid}/delete",
            post(accounts::remove_grant),
        )
        .route("/accounts/{id}/password", post(accounts::reset_password))
        .route("/catalog", get(catalog::list).post(catalog::create))
        .route(
            "/catalog/import",
            get(catalog::import_page)
                .post(catalog::import)
                .layer(axum::extract::DefaultBodyLimit::max(50 << 20)),
        )
        .route("/catalog/{code}", get(catalog::show))
        .route("/catalog/{code}/act/{action}", post(catalog::act))
        .route("/catalog/{code}/units/{unit}", post(catalog::switch_unit))
        .route("/catalog/{code}/workflow", get(workflow::page))
        .route("/catalog/{code}/workflow/steps", post(workflow::add_step))
        .route(
            "/catalog/{code}/workflow/steps/{i}/{action}",
            post(workflow::step_action),
        )
        .route("/catalog/{code}/workflow/publish", post(workflow::publish))
        .route(
            "/catalog/{code}/edit",
            get(catalog::edit_page).post(catalog::edit),
        )
        .route(
            "/catalog/{code}/form",
            get(catalog::designer).post(catalog::add_field),
        )
        .route(
            "/catalog/{code}/form/{key}/{action}",
            post(catalog::field_action),
        )
        .route("/hall", get(hall::home))
        .route("/verify", get(licences::find))
        .route("/verify/{number}", get(licences::show))
        .route("/verify/{number}/qr.svg", get(licences::qr))
        .route("/rate/{token}", get(rate::show).post(rate::rate))
        .route("/rate/{token}/qr.svg", get(rate::qr))
        .route("/verify/{number}/print", get(print::licence))
        .route("/verify/{number}/licence.pdf", get(print::licence_pdf))
        .route("/applications/{id}/notices/{kind}", get(print::notice))
        .route("/print/templates", get(print::templates))
        .route(
            "/print/templates/{kind}",
            get(print::template).post(print::template_post),
        )
        .route("/hall/search", get(hall::search))
        .route("/hall/matters/{code}", get(hall::matter))
        .route("/calendar", get(calendar::page).post(calendar::set_day))
        .route("/applications/queue", get(applications::queue))
        .route("/applications/queue.xlsx", get(applications::queue_xlsx))
        .route("/applications/{id}", get(applications::show))
        .route("/applications/{id}/decision", post(applications::decide))
        .route("/my/applications", get(applications::mine))
        .route("/counter", get(counter::page))
        .route("/counter/{window}/call/{what}", post(counter::call))
        .route("/counter/find", post(counter::find))
        .route("/counter/verify", post(counter::verify))
        .route(
            "/applications/{id}/counter-resubmit",
            post(counter::resubmit).layer(axum::extract::DefaultBodyLimit::max(APPLY_LIMIT)),
        )
        .route("/counter/start", post(counter::start))
        .route(
            "/counter/{window}/file/{code}",
            post(counter::file).layer(axum::extract::DefaultBodyLimit::max(APPLY_LIMIT)),
        )
        .route(
            "/counter/windows",
            get(counter::windows_list).post(counter::create_window),
        )
        .route("/counter/windows/{id}", post(counter::update_window))
        .route(
            "/halls/{code}/kiosk",
            get(counter::kiosk).post(counter::take),
        )
        .route("/halls/{code}/display", get(counter::display))
        .route("/register", get(apply::register_page).post(apply::register))
        .route(
            "/apply/{code}",
            get(apply::apply_page)
                .post(apply::apply)
                .layer(axum::extract::DefaultBodyLimit::max(APPLY_LIMIT)),
        )
        .route(
            "/my/applications/{id}/edit",
            get(apply::edit_page)
                .post(apply::edit)
                .layer(axum::extract::DefaultBodyLimit::max(APPLY_LIMIT)),
        )
        .route("/applications/{id}/rating", post(apply::rate))
        .route("/applications/{id}/complaints", post(apply::complain))
        .route("/followups", get(apply::followups))
        .route("/my/messages", get(apply::messages))
        .route("/my/messages/{id}/open", post(apply::open_message))
        .route("/followups/{id}/answer", post(apply::answer))
        .route("/inbox", get(approvals::inbox))
        .route("/approvals", get(approvals::supervise))
        .route("/approvals/{id}", get(approvals::show))
        .route("/approvals/{id}/resume", post(approvals::resume))
        .route(
            "/approvals/tasks/{task}/act",
            post(approvals::act).layer(axum::extract::DefaultBodyLimit::max(
                super::api::files::BODY_LIMIT
                    * crate::approval::engine::attachments::MAX_PER_ACTION,
            )),
        )
        .route(
            "/approvals/{id}/files/{file}",
            get(super::api::files::attachment),
        )
        .route("/ops", get(ops::list))
        .route(
            "/ops/import",
            post(ops::import).layer(axum::extract::DefaultBodyLimit::max(50 << 20)),
        )
        .route("/ops/new", get(ops::new).post(ops::create))
        .route("/ops/tickets/{id}", get(ops::show))
        .route("/ops/tickets/{id}/act", post(ops::act))
        .route("/ops/tickets/{id}/escalate", post(ops::escalate))
        .route("/ops/stats", get(ops::stats))
        .route("/ops/weekly", get(ops::weekly))
        .route("/ops/desk", get(ops_desk::desk))
        .route("/ops/desk/duty", post(ops_desk::add_duty))
        .route("/ops/desk/duty/{id}/remove", post(ops_desk::remove_duty))
        .route("/ops/desk/sla/{priority}", post(ops_desk::set_sla))
        .route("/ops/desk/checks", post(ops_desk::add_check))
        .route("/ops/desk/checks/run", post(ops_desk::run_checks))
        .route("/ops/desk/assurance", post(ops_desk::save_assurance))
        .route("/ops/known-errors", post(ops_desk::add_known_error))
        .route("/ops/tickets/{id}/duplicate", post(ops_desk::duplicate))
        .route(
            "/ops/tickets/{id}/known-error",
            post(ops_desk::link_known_error),
        )
        .route("/ops/tickets/{id}/vendor", post(ops_desk::vendor))
        .route(
            "/ops/tickets/{id}/files",
            post(ops_desk::attach).layer(axum::extract::DefaultBodyLimit::max(
                super::api::files::BODY_LIMIT * 5,
            )),
        )
        .route("/ops/weekly/send", post(ops::weekly_send))
        .route("/ops/weekly/recipients", post(ops::weekly_recipients))
        .route("/audit", get(audit::page))
        .route("/audit/export", get(super::api::audit::export))
}

/// The double-submit token of a form posted without a session (sign-in, registration, the
/// kiosk): the one its cookie already holds, or a new one.
pub fn anon_token(headers: &axum::http::HeaderMap) -> String {
    crate::http::context::cookie(headers, crate::http::context::LOGIN_CSRF_COOKIE)
        .filter(|t| t.len() == 64)
        .map(str::to_string)
        .unwrap_or_else(crate::auth::random_token)
}

/// Whether a form posted without a session sent back its cookie's token.
pub fn anon_token_ok(headers: &axum::http::HeaderMap, sent: &str) -> bool {
    crate::http::context::cookie(headers, crate::http::context::LOGIN_CSRF_COOKIE) == Some(sent)
}

pub fn cookie_header(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let s = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&s).expect("cookie is ASCII")
}

pub fn redirect_with_cookie(to: &str, cookie: HeaderValue) -> Response {
    let mut r = Redirect::to(to).into_response();
    r.headers_mut().append(header::SET_COOKIE, cookie);
    r
}

/// A same-site path to go back to, or `/`. Only visible ASCII is let through: browsers drop tabs
/// and line breaks from a `Location` (so `/\t/evil` becomes `//evil`, another site), and a
/// non-ASCII byte cannot be a header value at all.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            n.into()
        }
        _ => "/".into(),
    }
}

/// Splits an error into field messages a form can show, or passes other errors on.
pub fn form_errors(e: Error, lang: Lang) -> Result<Vec<(String, String)>, Error> {
    match e {
        Error::Validation(errs) => Ok(errs
            .iter()
            .map(|f| (f.field.clone(), f.message(lang)))
            .collect()),
        Error::Conflict(k) => Ok(vec![(
            "form".into(),
            FieldError::new("form", k).message(lang),
        )]),
        other => Err(other),
    }
}

pub fn errors_value(errs: &[(String, String)]) -> minijinja::Value {
    errs.iter()
        .map(|(f, m)| minijinja::context! { field => f, message => m })
        .collect::<Vec<_>>()
        .into()
}

/// An uploaded file from an import form: its bytes, its name, and whether "dry run" was ticked.
pub struct Upload {
    pub bytes: Vec<u8>,
    pub filename: String,
    pub dry_run: bool,
}

pub async fn read_upload(mut form: axum::extract::Multipart) -> Result<Upload, Error> {
    let mut up = Upload {
        bytes: Vec::new(),
        filename: String::new(),
        dry_run: false,
    };
    let bad = |e: axum::extract::multipart::MultipartError| {
        Error::Validation(vec![FieldError::with(
            "file",
            "field.file_format",
            e.body_text(),
        )])
    };
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name() {
            Some("file") => {
                up.filename = field.file_name().unwrap_or_default().to_string();
                up.bytes = field.bytes().await.map_err(bad)?.to_vec();
            }
            Some("dry_run") => up.dry_run = true,
            _ => {}
        }
    }
    Ok(up)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(
            safe_next(Some("/my/applications?page=2")),
            "/my/applications?page=2"
        );
        for hostile in [
            "//evil.example/",
            "/\t/evil.example/",
            "/\n/evil.example/",
            "/\r\n/evil.example/",
            "/ /evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "/办事",
            "",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
