//! The reports pages (报表): the reports the reader may open, a form to build one (rows,
//! measures, period, unit, channels, shared or not), and a report run as a table with its totals,
//! a chart of its first measure, a workbook and a print view.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Router, routing};
use minijinja::context;

use super::{errors_value, form_errors};
use crate::auth::Perm;
use crate::error::Result;
use crate::http::AppState;
use crate::http::context::{Ctx, Session};
use crate::http::pages::ser;
use crate::http::query::Query;
use crate::i18n::tr;
use crate::org::Kind;
use crate::performance::dashboard::columns;
use crate::stats::assessment::INDICATORS;
use crate::stats::reports::{self, Definition, Filters, Period, ROLLING};
use crate::stats::table::{self, COUNTS, DIMENSIONS};

/// The builder's form as sent (repeated `measures` and `channels`).
fn definition(pairs: &[(String, String)]) -> Definition {
    let one = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let many = |k: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(n, v)| n == k && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    };
    let rolling = one("rolling");
    let fixed = rolling.is_empty() || rolling == "fixed";
    let opt = |s: String| (!s.is_empty()).then_some(s);
    Definition {
        name: one("name"),
        rows: [one("row1"), one("row2")]
            .into_iter()
            .filter(|r| !r.is_empty())
            .collect(),
        measures: many("measures"),
        filters: Filters {
            unit: opt(one("unit")),
            channels: many("channels"),
            matters: Vec::new(),
            departments: Vec::new(),
        },
        period: Period {
            rolling: (!fixed).then_some(rolling),
            from: fixed.then(|| one("from")).and_then(opt),
            to: fixed.then(|| one("to")).and_then(opt),
        },
        shared: one("shared") == "on",
    }
}

async fn render_list(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    errors: Vec<(String, String)>,
    form: Option<Definition>,
) -> Result<Response> {
    let p = &session.principal;
    let list = reports::list(&s.db, p).await?;
    let units: Vec<_> = crate::org::list(&s.db)
        .await?
        .iter()
        .filter(|u| {
            matches!(u.kind, Kind::District | Kind::Street | Kind::Department)
                && !u.is_retired()
                && p.can(Perm::ViewStats, &u.path)
        })
        .map(|u| context! { code => u.code.clone(), name => u.name.clone(), depth => u.depth })
        .collect();
    let named = |keys: &[&str]| -> Vec<_> {
        keys.iter()
            .map(|k| context! { key => *k, name => table::heading(ctx.lang, k) })
            .collect()
    };
    let measures: Vec<&str> = COUNTS
        .iter()
        .chain(
            INDICATORS
                .iter()
                .filter(|k| **k != "applications" && !COUNTS.contains(k)),
        )
        .copied()
        .collect();
    let refused = !errors.is_empty();
    let page = s.pages.render(
        "reports.html",
        ctx,
        Some(session),
        context! {
            reports => ser(&list), units, dims => named(&DIMENSIONS), measures => named(&measures),
            rolling => ROLLING, channels => ["online", "counter", "qr_code"],
            errors => errors_value(&errors), form => form.as_ref().map(ser),
        },
    );
    Ok(if refused {
        crate::http::pages::with_status(page, axum::http::StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        page
    })
}

pub async fn list(State(s): State<AppState>, ctx: Ctx, session: Session) -> Result<Response> {
    render_list(&s, &ctx, &session, Vec::new(), None).await
}

pub async fn create(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let d = definition(&pairs);
    match reports::save(&s.db, &session.principal, None, &d).await {
        Ok(r) => Ok(Redirect::to(&format!("/reports/{}", r.id)).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            render_list(&s, &ctx, &session, errs, Some(d)).await
        }
    }
}

pub async fn delete(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response> {
    reports::delete(&s.db, &session.principal, id).await?;
    Ok(Redirect::to("/reports").into_response())
}

pub async fn show(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Query(q): Query<reports::RunQuery>,
) -> Result<Response> {
    let r = reports::get(&s.db, &session.principal, id).await?;
    let days = reports::days(&s.db, &q)?;
    let run = reports::run(&s.db, &session.principal, id, days, ctx.lang).await?;
    let t = &run.table;
    // The rolling period's name, unless other days were asked for.
    let rolling = r
        .definition
        .period
        .rolling
        .as_deref()
        .filter(|_| days.is_none());
    let heads: Vec<String> = t
        .dimensions
        .iter()
        .chain(&t.measures)
        .map(|k| table::heading(ctx.lang, k))
        .collect();
    let shown = |values: &[Option<f64>]| -> Vec<String> {
        t.measures
            .iter()
            .zip(values)
            .map(|(m, v)| table::shown(m, *v))
            .collect()
    };
    let rows: Vec<_> = t
        .rows
        .iter()
        .map(|r| context! { labels => r.labels.clone(), values => shown(&r.values) })
        .collect();
    // The first measure by the first dimension, as columns (at most 24 of them).
    let chart = t.measures.first().filter(|_| !t.rows.is_empty()).map(|m| {
        let mut by: Vec<(String, f64)> = Vec::new();
        for r in &t.rows {
            let v = r.values.first().copied().flatten().unwrap_or(0.0);
            match by.iter_mut().find(|(l, _)| *l == r.labels[0]) {
                Some(x) if !crate::stats::assessment::is_rate(m) => x.1 += v,
                Some(_) => {}
                None => by.push((r.labels[0].clone(), v)),
            }
        }
        by.truncate(24);
        let labels: Vec<String> = by.iter().map(|(l, _)| l.clone()).collect();
        let values: Vec<f64> = by.iter().map(|(_, v)| *v).collect();
        let name = table::heading(ctx.lang, m);
        columns("report-chart", &name, &labels, (&name, &values), ("", &[]))
    });
    let mine = r.owner == session.principal.username;
    Ok(s.pages.render(
        "report.html",
        &ctx,
        Some(&session),
        context! {
            r => ser(&r), run => ser(&run), heads, rows, totals => shown(&t.totals), chart, mine,
            dims => t.dimensions.len(),
            period => rolling.map(|k| tr(ctx.lang, &format!("report.rolling.{k}")).to_string()),
        },
    ))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", routing::get(list).post(create))
        .route("/reports/{id}", routing::get(show))
        .route("/reports/{id}/delete", routing::post(delete))
}
