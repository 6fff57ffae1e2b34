//! Server-rendered pages for staff: sign-in, home, org tree, accounts and grants, import, audit
//! trail. Forms post back with the session's CSRF token; errors are shown beside their fields
//! with a summary at the top (the GOV.UK pattern).

mod accounts;
mod app_content;
mod applications;
mod apply;
mod approvals;
mod audit;
mod calendar;
mod catalog;
mod counter;
mod filing;
mod guide_form;
pub(super) mod hall;
mod licences;
mod ops;
mod ops_desk;
mod org;
pub(crate) mod performance;
mod performance_dashboard;
mod performance_forms;
mod performance_report;
mod performance_scheme;
mod print;
mod rate;
mod reports;
mod session;
mod stats;
mod workflow;

use axum::Router;

use super::AppState;
use crate::error::{Error, FieldError};
use crate::http::context::MaybeSession;
use crate::i18n::Lang;

/// Largest application form post: its materials (50 MB) and the form.
const APPLY_LIMIT: usize = crate::applications::repo::MAX_APPLICATION_BYTES as usize + (1 << 20);

pub use super::cookies::{cookie_header, redirect_with_cookie};
pub use super::transfer::{Upload, read_upload};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(session::router())
        .merge(org::router())
        .merge(accounts::router())
        .merge(catalog::router())
        .merge(workflow::router())
        .merge(hall::router())
        .merge(licences::router())
        .merge(rate::router())
        .merge(print::router())
        .merge(calendar::router())
        .merge(applications::router())
        .merge(counter::router())
        .merge(apply::router())
        .merge(approvals::router())
        .merge(ops::router())
        .merge(ops_desk::router())
        .merge(audit::router())
        .merge(performance::router())
        .merge(performance_dashboard::router())
        .merge(performance_scheme::router())
        .merge(stats::router())
        .merge(reports::router())
        .merge(performance_report::router())
}

/// The double-submit token of a form posted without a session (sign-in, registration, the
/// kiosk): the one its cookie already holds, or a new one.
pub fn anon_token(headers: &axum::http::HeaderMap) -> String {
    crate::http::context::cookie(headers, crate::http::context::LOGIN_CSRF_COOKIE)
        .filter(|t| t.len() == 64)
        .map(str::to_string)
        .unwrap_or_else(crate::auth::random_token)
}

/// The token a form that also works without a session carries: the session's own when signed
/// in (the CSRF check of every signed-in post compares against it), else the cookie's.
pub fn form_token(headers: &axum::http::HeaderMap, session: &MaybeSession) -> String {
    match &session.0 {
        Some(s) => s.principal.csrf.clone(),
        None => anon_token(headers),
    }
}

/// Whether such a form came back with its token: signed in, the session's check has passed
/// before the handler runs; otherwise the cookie's token must match.
pub fn form_token_ok(headers: &axum::http::HeaderMap, session: &MaybeSession, sent: &str) -> bool {
    session.0.is_some() || anon_token_ok(headers, sent)
}

/// Whether a form posted without a session sent back its cookie's token.
pub fn anon_token_ok(headers: &axum::http::HeaderMap, sent: &str) -> bool {
    crate::http::context::cookie(headers, crate::http::context::LOGIN_CSRF_COOKIE) == Some(sent)
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
        stale @ Error::Stale { .. } => Ok(vec![("form".into(), stale.message(lang))]),
        other => Err(other),
    }
}

pub fn errors_value(errs: &[(String, String)]) -> minijinja::Value {
    errs.iter()
        .map(|(f, m)| minijinja::context! { field => f, message => m })
        .collect::<Vec<_>>()
        .into()
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
