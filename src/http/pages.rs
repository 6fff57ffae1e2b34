//! Page rendering: the templates (compiled into the binary with `include_str!`), the `t()`
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

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("login.html", include_str!("../../templates/login.html")),
    (
        "messages.html",
        include_str!("../../templates/messages.html"),
    ),
    ("rate.html", include_str!("../../templates/rate.html")),
    (
        "register.html",
        include_str!("../../templates/register.html"),
    ),
    ("apply.html", include_str!("../../templates/apply.html")),
    (
        "followups.html",
        include_str!("../../templates/followups.html"),
    ),
    ("counter.html", include_str!("../../templates/counter.html")),
    (
        "counter_windows.html",
        include_str!("../../templates/counter_windows.html"),
    ),
    ("kiosk.html", include_str!("../../templates/kiosk.html")),
    (
        "hall_display.html",
        include_str!("../../templates/hall_display.html"),
    ),
    ("notice.html", include_str!("../../templates/notice.html")),
    (
        "print_template.html",
        include_str!("../../templates/print_template.html"),
    ),
    ("home.html", include_str!("../../templates/home.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("org.html", include_str!("../../templates/org.html")),
    (
        "accounts.html",
        include_str!("../../templates/accounts.html"),
    ),
    ("account.html", include_str!("../../templates/account.html")),
    (
        "account_new.html",
        include_str!("../../templates/account_new.html"),
    ),
    ("import.html", include_str!("../../templates/import.html")),
    ("audit.html", include_str!("../../templates/audit.html")),
    (
        "password.html",
        include_str!("../../templates/password.html"),
    ),
    (
        "form_fields.html",
        include_str!("../../templates/form_fields.html"),
    ),
    (
        "hall_home.html",
        include_str!("../../templates/hall_home.html"),
    ),
    (
        "catalog_list.html",
        include_str!("../../templates/catalog_list.html"),
    ),
    (
        "catalog_matter.html",
        include_str!("../../templates/catalog_matter.html"),
    ),
    (
        "catalog_form.html",
        include_str!("../../templates/catalog_form.html"),
    ),
    (
        "catalog_edit.html",
        include_str!("../../templates/catalog_edit.html"),
    ),
    (
        "catalog_import.html",
        include_str!("../../templates/catalog_import.html"),
    ),
    (
        "calendar.html",
        include_str!("../../templates/calendar.html"),
    ),
    ("inbox.html", include_str!("../../templates/inbox.html")),
    (
        "applications.html",
        include_str!("../../templates/applications.html"),
    ),
    (
        "application.html",
        include_str!("../../templates/application.html"),
    ),
    (
        "ops_list.html",
        include_str!("../../templates/ops_list.html"),
    ),
    ("ops_new.html", include_str!("../../templates/ops_new.html")),
    (
        "ops_ticket.html",
        include_str!("../../templates/ops_ticket.html"),
    ),
    (
        "ops_stats.html",
        include_str!("../../templates/ops_stats.html"),
    ),
    (
        "ops_weekly.html",
        include_str!("../../templates/ops_weekly.html"),
    ),
    (
        "ops_desk.html",
        include_str!("../../templates/ops_desk.html"),
    ),
    (
        "licence_verify.html",
        include_str!("../../templates/licence_verify.html"),
    ),
    (
        "supervise.html",
        include_str!("../../templates/supervise.html"),
    ),
    (
        "workflow_designer.html",
        include_str!("../../templates/workflow_designer.html"),
    ),
    (
        "approval.html",
        include_str!("../../templates/approval.html"),
    ),
    (
        "hall_search.html",
        include_str!("../../templates/hall_search.html"),
    ),
    (
        "hall_matter.html",
        include_str!("../../templates/hall_matter.html"),
    ),
];

fn lang_of(state: &State) -> Lang {
    match state.lookup("lang").as_ref().and_then(|v| v.as_str()) {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    }
}

/// `t("key")`, or `t("key", arg="x")` to fill `{}`.
fn t(state: &State, key: &str, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    let msg = tr(lang_of(state), key).to_string();
    let arg: Option<String> = kwargs.get("arg")?;
    kwargs.assert_all_used()?;
    Ok(match arg {
        Some(a) => msg.replace("{}", &a),
        None => msg,
    })
}

impl Default for Pages {
    fn default() -> Self {
        Self::new()
    }
}

impl Pages {
    pub fn new() -> Pages {
        let mut env = Environment::new();
        for (name, src) in TEMPLATES {
            env.add_template(name, src).expect("templates compile");
        }
        env.add_function("t", t);
        env.add_filter("cst", |s: String| clock::display(&s));
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
        nav.push(("/print/templates", "nav.print_templates"));
    }
    if p.has(Perm::ViewAudit) {
        nav.push(("/audit", "nav.audit"));
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
