//! Page rendering: the templates (every `templates/*.html`, compiled in by `build.rs`), the `t()`
//! translation function they call, and the context every page shares (language, the signed-in
//! user, the CSRF token, the navigation the user's roles allow).

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, State, context};

use super::context::{Ctx, Session};
use super::error::Rendered;
use crate::auth::{Perm, Role};
use crate::clock;
use crate::i18n::{Lang, tr};

pub struct Pages {
    env: Environment<'static>,
}

fn lang_of(state: &State) -> Lang {
    match state.lookup("lang").as_ref().and_then(|v| v.as_str()) {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    }
}

/// `t("key")`, or `t("key", n=3)` to fill the message's `{n}`.
fn t(state: &State, key: &str, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    let mut msg = tr(lang_of(state), key).to_string();
    for name in kwargs.args() {
        let v: Value = kwargs.get(name)?;
        msg = msg.replace(&format!("{{{name}}}"), &v.to_string());
    }
    kwargs.assert_all_used()?;
    Ok(msg)
}

impl Default for Pages {
    fn default() -> Self {
        Self::new()
    }
}

impl Pages {
    pub fn new() -> Pages {
        let mut env = Environment::new();
        for (name, src) in crate::embedded::TEMPLATES {
            env.add_template(name, src).expect("templates compile");
        }
        env.add_function("t", t);
        env.add_global("upload_accept", crate::files::ACCEPT_ATTR);
        env.add_filter("cst", |s: String| clock::display(&s));
        // Who did something: the platform itself (the command line, a job) reads as 系统.
        env.add_filter("actor", |state: &State, who: Option<String>| {
            match who.as_deref() {
                None | Some("") | Some("cli") | Some("system") => {
                    tr(lang_of(state), "ui.system").to_string()
                }
                Some(name) => name.to_string(),
            }
        });
        Pages { env }
    }

    /// Renders `name` with the shared context plus `extra`: the page (200), or — if the template
    /// itself fails — a plain error page with 500.
    pub fn render(
        &self,
        name: &str,
        ctx: &Ctx,
        session: Option<&Session>,
        extra: Value,
    ) -> Response {
        let base = base_context(ctx, session);
        let merged = context! { ..extra, ..base };
        match self.env.get_template(name).and_then(|t| t.render(merged)) {
            Ok(s) => Html(s).into_response(),
            Err(e) => {
                tracing::error!(template = name, error = %e, "template failed");
                let body = Html(format!("<h1>{}</h1>", tr(ctx.lang, "err.internal")));
                (StatusCode::INTERNAL_SERVER_ERROR, body).into_response()
            }
        }
    }

    pub fn error_page(&self, ctx: &Ctx, session: Option<&Session>, r: &Rendered) -> Response {
        self.render(
            "error.html",
            ctx,
            session,
            context! { status => r.status.as_u16(), message => r.message(ctx.lang),
            fields => crate::http::pages::ser(&r.fields(ctx.lang)) },
        )
    }
}

fn base_context(ctx: &Ctx, session: Option<&Session>) -> Value {
    let lang = if ctx.lang == Lang::En { "en" } else { "zh" };
    let Some(s) = session else {
        return context! { lang, html_lang => ctx.lang.code(), user => Value::UNDEFINED };
    };
    let p = &s.principal;
    let mut nav = vec![("/", "nav.home")];
    if p.grants
        .iter()
        .any(|g| matches!(g.role, Role::WindowClerk | Role::Approver))
    {
        nav.push(("/inbox", "nav.inbox"));
    }
    if p.grants.iter().any(|g| g.role == Role::WindowClerk) {
        nav.push(("/counter", "nav.counter"));
        nav.push(("/applications/queue", "nav.acceptance"));
    }
    if p.grants.iter().any(|g| g.role == Role::Citizen) {
        nav.push(("/my/applications", "nav.my_applications"));
        nav.push(("/my/messages", "nav.messages"));
    }
    if p.has(Perm::ViewOrg) {
        nav.push(("/org", "nav.org"));
    }
    if p.has(Perm::ViewAccounts) {
        nav.push(("/accounts", "nav.accounts"));
    }
    if p.has(Perm::ManageAccounts) {
        nav.push(("/accounts/import", "nav.import"));
    }
    if p.has(Perm::EditMatters) || p.has(Perm::ReviewMatters) {
        nav.push(("/catalog", "nav.catalog"));
    }
    if p.has(Perm::SuperviseApprovals) {
        nav.push(("/approvals", "nav.supervise"));
    }
    if p.has(Perm::IssueLicences) {
        nav.push(("/followups", "nav.followups"));
    }
    if p.has(Perm::ManageOrg) {
        nav.push(("/counter/windows", "nav.windows"));
    }
    if p.has_at_root(Perm::ManageOrg) {
        nav.push(("/print/templates", "nav.print_templates"));
    }
    if p.has(Perm::ViewAudit) {
        nav.push(("/audit", "nav.audit"));
    }
    if p.has(Perm::ViewStats) {
        nav.push(("/stats", "nav.stats"));
        nav.push(("/reports", "nav.reports"));
    }
    if p.has(Perm::ViewPerformance) {
        nav.push(("/performance", "nav.performance"));
    }
    if p.has(Perm::ViewOrg) {
        nav.push(("/calendar", "nav.calendar"));
    }
    // Every staff account reports problems; engineers and managers work the desk here.
    if p.system || p.grants.iter().any(|g| g.role != Role::Citizen) {
        nav.push(("/ops", "nav.ops"));
    }
    nav.push(("/hall", "hall.title"));
    let roles: Vec<Value> = p
        .grants
        .iter()
        .map(|g| context! { role => g.role.as_str(), unit => g.unit_name.clone() })
        .collect();
    context! {
        lang,
        html_lang => ctx.lang.code(),
        csrf => p.csrf.clone(),
        user => context! { name => p.name.clone(), username => p.username.clone(), roles,
                           staff => p.grants.iter().any(|g| g.role != Role::Citizen) },
        nav => nav.into_iter().map(|(href, key)| context!{ href, key }).collect::<Vec<_>>(),
    }
}

/// A serialisable value for a template.
pub fn ser<T: serde::Serialize>(t: &T) -> Value {
    Value::from(minijinja::value::Serde(t))
}

/// Sets a rendered page's status, keeping a 500 from a failed template.
pub fn with_status(mut page: Response, status: StatusCode) -> Response {
    if page.status() != StatusCode::INTERNAL_SERVER_ERROR {
        *page.status_mut() = status;
    }
    page
}

#[cfg(test)]
mod tests {
    /// Every template a handler renders is compiled into the binary.
    #[test]
    fn every_rendered_template_is_registered() {
        let pages = super::Pages::new();
        let re = regex::Regex::new(r#"render\(\s*"([a-z_]+\.html)""#).unwrap();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/http/web");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for c in re.captures_iter(&text) {
                seen += 1;
                assert!(
                    pages.env.get_template(&c[1]).is_ok(),
                    "{} is not registered",
                    &c[1]
                );
            }
        }
        assert!(seen > 15, "{seen}");
    }
}
