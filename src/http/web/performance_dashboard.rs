//! The performance dashboard's page: budget execution by month against the payment plan, the
//! desk's tickets per month with how many were resolved, and the year's rates — charts drawn on
//! the server (SVG), each with its figures in a table beneath and as a workbook.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing;
use minijinja::context;

use crate::error::Result;
use crate::http::AppState;
use crate::http::context::{Ctx, Session};
use crate::performance::dashboard::{self, columns};
use crate::performance::evaluation::wan;
use crate::performance::names;

pub async fn page(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(code): Path<String>,
) -> Result<Response> {
    let (b, _) = dashboard::build(&s.db, &session.principal, &code).await?;
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let labels: Vec<String> = b
        .months
        .iter()
        .map(|m| match ctx.lang {
            crate::i18n::Lang::En => EN[(m.month as usize + 11) % 12].to_string(),
            _ => format!("{}月", m.month),
        })
        .collect();
    let wan_of = |f: i64| f as f64 / 1_000_000.0;
    let planned: Vec<f64> = b.months.iter().map(|m| wan_of(m.planned)).collect();
    let paid: Vec<f64> = b.months.iter().map(|m| wan_of(m.paid)).collect();
    let t = |k: &str| crate::i18n::tr(ctx.lang, k).to_string();
    let budget_svg = columns(
        "chart-budget",
        &t("perf.dash.budget"),
        &labels,
        (&t("perf.dash.planned"), &planned),
        (&t("perf.dash.paid"), &paid),
    );
    let tickets: Vec<f64> = b.months.iter().map(|m| m.tickets as f64).collect();
    let resolved: Vec<f64> = b.months.iter().map(|m| m.resolved as f64).collect();
    let tickets_svg = columns(
        "chart-tickets",
        &t("perf.dash.tickets"),
        &labels,
        (&t("perf.dash.opened"), &tickets),
        (&t("perf.dash.resolved"), &resolved),
    );
    let rows: Vec<_> = b
        .months
        .iter()
        .map(|m| {
            let rate =
                |a: i64, of: i64| (of > 0).then(|| format!("{:.2}%", a as f64 * 100.0 / of as f64));
            context! {
                month => m.month, paid => wan(m.paid), planned => wan(m.planned),
                execution => rate(m.paid, b.adjusted), tickets => m.tickets,
                resolved => m.resolved, resolution => rate(m.resolved, m.tickets),
            }
        })
        .collect();
    let rates: Vec<_> = b
        .rates
        .iter()
        .map(|(k, v)| {
            context! {
                name => names::source_name_in(ctx.lang, k),
                shown => v.map(|x| format!("{:.2}%", x * 100.0)),
            }
        })
        .collect();
    Ok(s.pages.render(
        "performance_dashboard.html",
        &ctx,
        Some(&session),
        context! {
            code => b.code, name => b.name, year => b.year, adjusted => wan(b.adjusted),
            budget_svg, tickets_svg, rows, rates,
        },
    ))
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new().route("/performance/{code}/dashboard", routing::get(page))
}
