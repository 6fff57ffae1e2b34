//! Performance management's pages: the project-years the caller may read, and one year's
//! evaluation — money in 元 and 万元, the self-evaluation table (indicators with target, actual,
//! weight and score), the total and grade, and every figure that does not add up beside it.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing;
use minijinja::context;

use crate::error::Result;
use crate::http::AppState;
use crate::http::context::{Ctx, Session};
use crate::http::pages::ser;
use crate::http::query::Query;
use crate::performance::evaluation::wan;
use crate::performance::{names, payments, repo};

use super::{errors_value, form_errors};

#[derive(serde::Deserialize)]
pub struct ListQuery {
    imported: Option<String>,
    checked: Option<String>,
    year: Option<i32>,
}

pub async fn list(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let year = q.year.map(|y| y.to_string()).unwrap_or_default();
    let done = match (&q.imported, &q.checked) {
        (Some(c), _) => Some(("perf.import_ok", c)),
        (None, Some(c)) => Some(("perf.import_checked", c)),
        _ => None,
    }
    .filter(|(_, c)| crate::performance::document::code_ok(c))
    .map(|(key, c)| crate::i18n::tr_args(ctx.lang, key, &[("code", c), ("year", &year)]));
    render_list(&s, &ctx, &session, Vec::new(), done).await
}

async fn render_list(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    errors: Vec<(String, String)>,
    done: Option<String>,
) -> Result<Response> {
    let projects = repo::list(&s.db, &session.principal).await?;
    let may_import = session.principal.has(crate::auth::Perm::ManagePerformance);
    let refused = !errors.is_empty();
    let page = s.pages.render(
        "performance_list.html",
        ctx,
        Some(session),
        context! { projects => ser(&projects), may_import, errors => errors_value(&errors), done },
    );
    Ok(if refused {
        crate::http::pages::with_status(page, axum::http::StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        page
    })
}

/// Imports a project-year from an uploaded JSON document or workbook (or only checks it);
/// back to the list saying what happened, every bad field named.
pub async fn import(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    form: Multipart,
) -> Result<Response> {
    if !session.principal.has(crate::auth::Perm::ManagePerformance) {
        return Err(crate::error::Error::Forbidden);
    }
    let up = super::read_upload(form).await?;
    let outcome = async {
        if up.bytes.is_empty() {
            return Err(crate::error::Error::field("file", "field.required"));
        }
        let d = crate::performance::exchange::read_any(&up.bytes)?;
        crate::performance::document::check(&d).map_err(crate::error::Error::Validation)?;
        // A check runs every check the import does, writing nothing.
        repo::import_as(&s.db, &session.principal, &d, up.dry_run).await?;
        Ok::<_, crate::error::Error>(d)
    }
    .await;
    match outcome {
        // Back to the list (a refresh does not import again), saying what was done.
        Ok(d) => Ok(Redirect::to(&format!(
            "/performance?{}={}&year={}#import",
            if up.dry_run { "checked" } else { "imported" },
            segment(&d.code),
            d.year
        ))
        .into_response()),
        Err(e) => {
            // Not theirs to write: said on the form, not as a bare refusal page.
            let e = match e {
                crate::error::Error::Forbidden => {
                    crate::error::Error::field("department", "perf.not_yours")
                }
                other => other,
            };
            // Each fault with where it is (the document's path or the sheet's row).
            let errs = form_errors(e, ctx.lang)?
                .into_iter()
                .map(|(f, m)| {
                    let shown = if f == "file" || f == "form" {
                        m
                    } else {
                        format!("{f}：{m}")
                    };
                    (f, shown)
                })
                .collect();
            render_list(&s, &ctx, &session, errs, None).await
        }
    }
}

#[derive(serde::Deserialize)]
pub struct ShowQuery {
    recorded: Option<String>,
    /// What a form just did: `requested`, `paid` or `entered`.
    done: Option<String>,
}

pub async fn show(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(code): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response> {
    let notice = match q.done.as_deref() {
        Some("requested") => Some("perf.req.done"),
        Some("paid") => Some("perf.req.paid_done"),
        Some("entered") => Some("perf.entry.done"),
        _ => None,
    };
    let st = PageState {
        recorded: q.recorded.is_some(),
        notice,
        ..PageState::default()
    };
    render(&s, &ctx, &session, &code, st).await
}

/// What the project page shows besides the year: a refused form again (which one, its values,
/// why), or what a form just did.
#[derive(Default)]
pub struct PageState {
    pub errors: Vec<(String, String)>,
    /// The refused form: `pay`, `request`, `paid-<number>` or `entry-<n>`.
    pub failed: String,
    pub values: std::collections::BTreeMap<String, String>,
    pub recorded: bool,
    pub notice: Option<&'static str>,
}

pub async fn render(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    code: &str,
    st: PageState,
) -> Result<Response> {
    let (d, _, e) = repo::evaluated(&s.db, &session.principal, code).await?;
    let fen = crate::performance::evaluation::fen_text;
    let money = context! {
        initial => wan(fen(&e.initial_budget)), adjusted => wan(fen(&e.adjusted_budget)),
        paid => wan(fen(&e.paid)),
        contract => e.contract_amount.as_deref().map(|c| wan(fen(c))),
        outstanding => e.contract_outstanding.as_deref().map(|c| wan(fen(c))),
        rate => e.execution_rate.map(|r| format!("{:.2}%", r * 100.0)),
    };
    let computed: Vec<_> = e
        .computed
        .iter()
        .map(|(k, v)| {
            let shown = match v {
                None => "—".to_string(),
                Some(x) if crate::performance::sources::is_rate(k) => format!("{:.2}%", x * 100.0),
                Some(x) if x.fract() == 0.0 => format!("{x:.0}"),
                Some(x) => format!("{x:.2}"),
            };
            context! { name => names::source_name_in(ctx.lang, k), shown }
        })
        .collect();
    let number = |x: f64| {
        if x.fract() == 0.0 {
            format!("{x:.0}")
        } else {
            format!("{x:.2}")
        }
    };
    let rows: Vec<_> = e
        .indicators
        .iter()
        .map(|i| {
            context! {
                level1 => i.level1.clone(), level2 => i.level2.clone(), name => i.name.clone(),
                applicable => i.applicable, target => i.target_text(), actual => i.actual_text(),
                weight => number(i.weight),
                score => i.score.map(|x| format!("{x:.2}")),
            }
        })
        .collect();
    // Who entered each entered indicator, with its evidence (the latest entry, while the
    // document still holds what it entered).
    let entries = crate::performance::entries::latest(&s.db, code).await?;
    let entered: Vec<_> = d
        .indicators
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let n = i as i64 + 1;
            let shown = x.actual.clone().or_else(|| x.band.clone());
            let entry = entries.get(&n).filter(|r| r.actual == shown).map(ser);
            context! {
                n, entry, enterable => x.source.is_none(), qualitative => x.nature == "qualitative",
                actual => x.actual.clone(), band => x.band.clone(), evidence => x.evidence.clone(),
            }
        })
        .collect();
    let requests = crate::performance::requests::list(&s.db, &session.principal, code).await?;
    let vendor = d.procurement.as_ref().map(|p| p.vendor.clone());
    // The payment workflow's designer, for those who configure the department's workflows.
    let workflow = crate::performance::requests::matter_code(d.department.trim());
    let p = &session.principal;
    let configure = match crate::org::by_code(&s.db, d.department.trim()).await? {
        Some(u)
            if (p.can(crate::auth::Perm::EditMatters, &u.path)
                || p.can(crate::auth::Perm::ReviewMatters, &u.path))
                && crate::catalog::lookup::name_of(&s.db, &workflow)
                    .await?
                    .is_some() =>
        {
            Some(format!("/catalog/{}/workflow", segment(&workflow)))
        }
        _ => None,
    };
    // People by name, not by username.
    let mut usernames: Vec<String> = requests
        .iter()
        .map(|r| r.requested_by.clone())
        .chain(entries.values().map(|r| r.entered_by.clone()))
        .collect();
    usernames.sort();
    usernames.dedup();
    let people = crate::accounts::lookup::display_names(&s.db, &usernames).await?;
    let files = payments::list(&s.db, &session.principal, code).await?;
    let paid: Vec<_> = d
        .payments
        .iter()
        .map(|p| {
            let mine: Vec<_> = files
                .iter()
                .filter(|f| f.voucher == p.voucher.trim())
                .map(ser)
                .collect();
            context! { p => ser(p), files => mine }
        })
        .collect();
    let installments: Vec<_> = d
        .contract
        .iter()
        .flat_map(|c| c.installments.iter())
        .enumerate()
        .map(|(i, x)| context! { n => i + 1, label => format!("第 {} 期 {}% {}", i + 1, x.percent, x.condition) })
        .collect();
    // Once the report is issued the year no longer changes: no payment form.
    let may_write = crate::performance::narrative::may_write(&s.db, &session.principal, code)
        .await?
        && !crate::performance::narrative::is_issued(&s.db, code).await?;
    let refused = !st.errors.is_empty();
    // A refusal of the whole form (paid meanwhile, the year frozen) is said at the top: the form
    // it came from may no longer be on the page.
    let (conflicts, fields): (Vec<_>, Vec<_>) =
        st.errors.iter().cloned().partition(|(f, _)| f == "form");
    let bands: Vec<&str> = crate::performance::document::BANDS
        .iter()
        .map(|(b, _)| *b)
        .collect();
    let page = s.pages.render(
        "performance.html",
        ctx,
        Some(session),
        context! {
            e => ser(&e), money, computed, rows, score => format!("{:.2}", e.score),
            paid, installments, may_write, kinds => payments::KINDS,
            errors => errors_value(&fields), conflicts => errors_value(&conflicts),
            failed => st.failed, form => st.values,
            recorded => st.recorded, notice => st.notice, entered, bands => bands,
            requests => ser(&requests), vendor, people, configure,
        },
    );
    Ok(if refused {
        crate::http::pages::with_status(page, axum::http::StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        page
    })
}

/// A project code as a URL path segment (a stored code is letters, digits and hyphens already).
pub fn segment(code: &str) -> String {
    if crate::performance::document::code_ok(code) {
        code.to_string()
    } else {
        percent_encoding::utf8_percent_encode(code, percent_encoding::NON_ALPHANUMERIC).to_string()
    }
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/performance", routing::get(list))
        .route(
            "/performance/import",
            routing::post(import).layer(DefaultBodyLimit::max(crate::http::transfer::BODY_LIMIT)),
        )
        .route("/performance/{code}", routing::get(show))
        .merge(super::performance_forms::router())
}
