//! Performance management's pages: the project-years the caller may read, and one year's
//! evaluation — money in 元 and 万元, the self-evaluation table (indicators with target, actual,
//! weight and score), the total and grade, and every figure that does not add up beside it.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing;
use minijinja::context;

use crate::error::Result;
use crate::http::AppState;
use crate::http::context::{Ctx, Session};
use crate::http::pages::ser;
use crate::performance::evaluation::wan;
use crate::performance::{names, repo};

pub async fn list(State(s): State<AppState>, ctx: Ctx, session: Session) -> Result<Response> {
    let projects = repo::list(&s.db, &session.principal).await?;
    Ok(s.pages.render(
        "performance_list.html",
        &ctx,
        Some(&session),
        context! { projects => ser(&projects) },
    ))
}

pub async fn show(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(code): Path<String>,
) -> Result<Response> {
    let e = repo::evaluate(&s.db, &session.principal, &code).await?;
    let fen = |y: &str| crate::performance::document::signed_yuan(y).unwrap_or(0);
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
            context! { name => names::source_name(k), shown }
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
    Ok(s.pages.render(
        "performance.html",
        &ctx,
        Some(&session),
        context! { e => ser(&e), money, computed, rows, score => format!("{:.2}", e.score) },
    ))
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/performance", routing::get(list))
        .route("/performance/{code}", routing::get(show))
}
