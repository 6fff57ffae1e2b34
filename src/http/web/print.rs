//! Printing: an application's notice or a licence as a print page (print CSS, a print button and
//! the PDF beside it), and the print templates' editor for admins — the text, a preview on
//! sample data, saving as a new version, and going back to an earlier one.

use crate::http::query::Query;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing;
use minijinja::context;
use serde::Deserialize;

use super::{errors_value, form_errors};
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::{Ctx, MaybeSession, Session};
use crate::http::pages::{ser, with_status};
use crate::print::{self, Kind};

fn kind(k: &str) -> Result<Kind> {
    Kind::parse(k).ok_or(Error::NotFound)
}

/// An application's notice to print.
pub async fn notice(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    headers: HeaderMap,
    Path((id, k)): Path<(i64, String)>,
) -> Result<Response> {
    let k = kind(&k)?;
    let base = crate::http::base_url(&s, &headers);
    let (n, number) = print::for_application(&s.db, &session.principal, id, k, &base).await?;
    let qr = n.qr.as_ref().map(|u| format!("{u}/qr.svg"));
    Ok(s.pages.render("notice.html", &ctx, Some(&session), context! {
        title => n.title.clone(), body => n.html(qr.as_deref()), number,
        pdf => format!("/api/v1/applications/{id}/notices/{}.pdf", k.key()), back => format!("/applications/{id}") }))
}

/// A licence to print: to whoever has its number and verification code, as a paper licence
/// (the holder's ID masked; the content only what the licence template names).
pub async fn licence(
    State(s): State<AppState>,
    ctx: Ctx,
    session: MaybeSession,
    headers: HeaderMap,
    Path(number): Path<String>,
    Query(c): Query<super::licences::Code>,
) -> Result<Response> {
    let code = c.code.trim().to_string();
    let n = print::for_licence(&s.db, &number, &code, &crate::http::base_url(&s, &headers)).await?;
    Ok(s.pages.render("notice.html", &ctx, session.0.as_ref(), context! {
        title => Kind::Licence.name(), body => n.html(Some(&format!("/verify/{number}/qr.svg?code={code}"))), number => number.clone(),
        pdf => format!("/verify/{number}/licence.pdf?code={code}"), back => format!("/verify/{number}?code={code}") }))
}

pub async fn licence_pdf(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(number): Path<String>,
    Query(c): Query<super::licences::Code>,
) -> Result<Response> {
    let n = print::for_licence(
        &s.db,
        &number,
        &c.code,
        &crate::http::base_url(&s, &headers),
    )
    .await?;
    Ok(crate::http::transfer::download(
        "application/pdf",
        &format!("{number}.pdf"),
        crate::blocking::run(move || n.pdf()).await?,
    ))
}

async fn editor(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    k: Kind,
    body: Option<String>,
    errors: Vec<(String, String)>,
    saved: bool,
) -> Result<Response> {
    if !print::repo::may_edit(&s.db, &session.principal).await? {
        return Err(Error::Forbidden);
    }
    let t = print::repo::template(&s.db, k).await?;
    let text = body.unwrap_or_else(|| t.body.clone());
    let preview = if errors.is_empty() {
        print::notice(k, &text, &print::data::sample(k), None)
            .map(|n| n.html(Some("")))
            .ok()
    } else {
        None
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let kinds: Vec<_> = Kind::ALL
        .iter()
        .map(|x| context! { key => x.key(), name => x.name() })
        .collect();
    let html = s.pages.render(
        "print_template.html",
        ctx,
        Some(session),
        context! {
        tpl => ser(&t), text, preview, kinds, errors => errors_value(&errors), saved,
        variables => variables(&print::data::sample(k)) },
    );
    Ok(with_status(html, status))
}

/// The names a template may use, each with the sample's value: `app.number` → 受理编号 of the
/// sample; a list's items as `app.materials[].name` (the template loops over them).
fn variables(sample: &serde_json::Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
        use serde_json::Value::*;
        match v {
            Object(m) => {
                for (k, x) in m {
                    let name = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&name, x, out);
                }
            }
            Array(items) => match items.first() {
                Some(first) => walk(&format!("{prefix}[]"), first, out),
                None => out.push((format!("{prefix}[]"), std::string::String::new())),
            },
            String(s) => out.push((prefix.to_string(), s.clone())),
            Bool(b) => out.push((prefix.to_string(), if *b { "是" } else { "否" }.into())),
            Null => out.push((prefix.to_string(), std::string::String::new())),
            Number(n) => out.push((prefix.to_string(), n.to_string())),
        }
    }
    let mut out = Vec::new();
    walk("", sample, &mut out);
    out
}

pub async fn templates(State(s): State<AppState>, session: Session) -> Result<Response> {
    if !print::repo::may_edit(&s.db, &session.principal).await? {
        return Err(Error::Forbidden);
    }
    Ok(Redirect::to("/print/templates/receipt").into_response())
}

pub async fn template(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(k): Path<String>,
) -> Result<Response> {
    editor(&s, &ctx, &session, kind(&k)?, None, vec![], false).await
}

#[derive(Debug, Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    body: String,
    /// `preview`, `save`, or `restore` (with `version`).
    action: String,
    #[serde(default)]
    version: Option<i64>,
}

pub async fn template_post(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(k): Path<String>,
    Form(f): Form<TemplateForm>,
) -> Result<Response> {
    let k = kind(&k)?;
    let body = match (f.action.as_str(), f.version) {
        ("restore", Some(v)) => print::repo::version(&s.db, k, v).await?,
        _ => f.body,
    };
    let result = match f.action.as_str() {
        "save" | "restore" => print::repo::save(&s.db, &session.principal, k, &body)
            .await
            .map(|_| true),
        _ => {
            if !print::repo::may_edit(&s.db, &session.principal).await? {
                return Err(Error::Forbidden);
            }
            print::notice(k, &body, &print::data::sample(k), None).map(|_| false)
        }
    };
    match result {
        Ok(true) => {
            Ok(Redirect::to(&format!("/print/templates/{}?saved=1", k.key())).into_response())
        }
        Ok(false) => editor(&s, &ctx, &session, k, Some(body), vec![], false).await,
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            editor(&s, &ctx, &session, k, Some(body), errs, false).await
        }
    }
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/verify/{number}/print", routing::get(licence))
        .route("/verify/{number}/licence.pdf", routing::get(licence_pdf))
        .route("/applications/{id}/notices/{kind}", routing::get(notice))
        .route("/print/templates", routing::get(templates))
        .route(
            "/print/templates/{kind}",
            routing::get(template).post(template_post),
        )
}
