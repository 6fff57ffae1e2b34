//! The statistics dashboard (统计与考核): for a period and a unit, every assessment indicator
//! with its value, target and formula; the warnings before a deduction, each linked to what to
//! act on; the streets and departments ranked on an indicator of the reader's choice, with a
//! chart of what each took in and finished.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing;
use minijinja::context;

use crate::auth::Perm;
use crate::error::Result;
use crate::http::AppState;
use crate::http::context::{Ctx, Session};
use crate::http::pages::ser;
use crate::http::query::Query;
use crate::i18n::tr;
use crate::org::Kind;
use crate::performance::dashboard::columns;
use crate::stats::assessment::{INDICATORS, is_rate};
use crate::stats::warnings;
use crate::stats::{self, Basis, StatsQuery};

#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    #[serde(flatten)]
    q: StatsQuery,
    /// The indicator the ranking is sorted by.
    sort: Option<String>,
}

/// An indicator's value as shown: a percentage, working days to one decimal, or a count.
fn shown(key: &str, v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(x) if is_rate(key) => format!("{:.2}%", x * 100.0),
        Some(x) if key == "average_working_days" => format!("{x:.1}"),
        Some(x) => format!("{x:.0}"),
    }
}

pub async fn page(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Query(pq): Query<PageQuery>,
) -> Result<Response> {
    let p = &session.principal;
    let unit = stats::scope(&s.db, p, pq.q.unit.as_deref()).await?;
    let (from, to) = stats::period(&s.db, &pq.q)?;
    let b = Basis::read(&s.db, from, to).await?;
    let tree = b.tree();
    let a = b.assess(&tree, &unit);
    let targets = crate::stats::targets::current(&s.db).await?;
    let indicators: Vec<_> = INDICATORS
        .iter()
        .map(|k| {
            let rule = targets.rule(k);
            context! {
                key => *k, name => tr(ctx.lang, &format!("stats.ind.{k}")),
                formula => tr(ctx.lang, &format!("stats.formula.{k}")),
                value => shown(k, a.value(k)), target => rule.map(|r| shown(k, Some(r.target))),
                points => rule.map(|r| r.points), ok => targets.met(&a, k),
            }
        })
        .collect();
    let deduction = targets.deduction(&a);
    let mut warned = warnings::indicators(&a, &targets);
    warned.extend(warnings::pending(&s.db, &tree, &unit).await?);
    let sort = pq
        .sort
        .filter(|k| INDICATORS.contains(&k.as_str()))
        .unwrap_or_else(|| "on_time_rate".into());
    let mut ranked = stats::ranking(&b, &tree, &unit);
    // Best first: the higher rate, the fewer overdue or working days; nothing counted last.
    let lower_is_better = sort == "overdue" || sort == "average_working_days";
    ranked.sort_by(|x, y| {
        let (vx, vy) = (x.assessment.value(&sort), y.assessment.value(&sort));
        match (vx, vy) {
            (Some(a), Some(b)) if lower_is_better => a.total_cmp(&b),
            (Some(a), Some(b)) => b.total_cmp(&a),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => x.name.cmp(&y.name),
        }
    });
    let cols = [
        "applications",
        "online_filing_rate",
        "on_time_rate",
        "overdue",
        "average_working_days",
        "positive_rating_rate",
        "poor_rating_rectified_rate",
    ];
    let rows: Vec<_> = ranked
        .iter()
        .map(|r| {
            let cells: Vec<String> = cols
                .iter()
                .map(|k| shown(k, r.assessment.value(k)))
                .collect();
            context! { code => r.code.clone(), name => r.name.clone(), kind => r.kind.clone(), cells }
        })
        .collect();
    let streets: Vec<_> = ranked.iter().filter(|r| r.kind == "street").collect();
    let chart = (!streets.is_empty()).then(|| {
        let labels: Vec<String> = streets.iter().map(|r| r.name.clone()).collect();
        let filed: Vec<f64> = streets
            .iter()
            .map(|r| r.assessment.applications as f64)
            .collect();
        let done: Vec<f64> = streets
            .iter()
            .map(|r| r.assessment.finished as f64)
            .collect();
        columns(
            "streets-chart",
            tr(ctx.lang, "stats.chart"),
            &labels,
            (tr(ctx.lang, "stats.ind.applications"), &filed),
            (tr(ctx.lang, "stats.finished"), &done),
        )
    });
    // The units the reader may choose: their scope's district, streets and departments.
    let units: Vec<_> = b
        .units
        .iter()
        .filter(|u| {
            matches!(u.kind, Kind::District | Kind::Street | Kind::Department)
                && !u.is_retired()
                && p.can(Perm::ViewStats, &u.path)
        })
        .map(|u| context! { code => u.code.clone(), name => u.name.clone(), depth => u.depth })
        .collect();
    let channels: Vec<_> = a
        .by_channel
        .iter()
        .map(|(c, n)| context! { name => tr(ctx.lang, &format!("stats.ch.{}", if c.is_empty() { "api" } else { c })), n })
        .collect();
    Ok(s.pages.render(
        "stats.html",
        &ctx,
        Some(&session),
        context! {
            unit => ser(&unit), from => from.to_string(), to => to.to_string(), indicators,
            warnings => ser(&warned), rows, cols, sort, chart, units, channels, deduction,
            targets_version => targets.version,
            may_set => p.has_at_root(Perm::ManageStats),
        },
    ))
}

/// The targets page: the rules in force as a form (bureau admins of the district save a new
/// version), and the earlier versions.
async fn render_targets(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    errors: Vec<(String, String)>,
) -> Result<Response> {
    let p = &session.principal;
    if !p.has(Perm::ViewStats) {
        return Err(crate::error::Error::Forbidden);
    }
    let versions = crate::stats::targets::versions(&s.db).await?;
    let now = &versions[0];
    let rows: Vec<_> = INDICATORS
        .iter()
        .filter(|k| **k != "applications")
        .map(|k| {
            let r = now.rule(k);
            context! {
                key => *k, name => tr(ctx.lang, &format!("stats.ind.{k}")), rate => is_rate(k),
                target => r.map(|r| if is_rate(k) { format!("{}", (r.target * 10000.0).round() / 100.0) } else { format!("{}", r.target) }),
                points => r.map(|r| format!("{}", r.points)),
            }
        })
        .collect();
    let page = s.pages.render(
        "stats_targets.html",
        ctx,
        Some(session),
        context! {
            rows, version => now.version, versions => ser(&versions),
            may_set => p.has_at_root(Perm::ManageStats), errors => super::errors_value(&errors),
        },
    );
    Ok(if errors.is_empty() {
        page
    } else {
        crate::http::pages::with_status(page, axum::http::StatusCode::UNPROCESSABLE_ENTITY)
    })
}

pub async fn targets(State(s): State<AppState>, ctx: Ctx, session: Session) -> Result<Response> {
    render_targets(&s, &ctx, &session, Vec::new()).await
}

/// Saves the form's rules (targets of rates in per cent; a blank target drops the rule).
pub async fn save_targets(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut errs = Vec::new();
    let mut rules = Vec::new();
    for k in INDICATORS.iter().filter(|k| **k != "applications") {
        let t = get(&format!("target.{k}"));
        if t.is_empty() {
            continue;
        }
        let number = |v: &str, field: String, errs: &mut Vec<(String, String)>| {
            v.parse::<f64>().ok().filter(|x| x.is_finite()).or_else(|| {
                let msg = crate::error::FieldError::new(&field, "field.number").message(ctx.lang);
                errs.push((field, msg));
                None
            })
        };
        let target = number(&t, format!("target.{k}"), &mut errs);
        let points = number(
            &get(&format!("points.{k}")),
            format!("points.{k}"),
            &mut errs,
        );
        if let (Some(target), Some(points)) = (target, points) {
            let target = if is_rate(k) { target / 100.0 } else { target };
            rules.push(crate::stats::targets::Rule {
                key: k.to_string(),
                target,
                points,
            });
        }
    }
    if errs.is_empty() {
        let base = get("base_version").parse().unwrap_or(-1);
        match crate::stats::targets::save(&s.db, &session.principal, base, &rules).await {
            Ok(_) => {
                return Ok(axum::response::Redirect::to("/stats/targets?saved=1").into_response());
            }
            Err(e) => errs = super::form_errors(e, ctx.lang)?,
        }
    }
    render_targets(&s, &ctx, &session, errs).await
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stats", routing::get(page))
        .route("/stats/targets", routing::get(targets).post(save_targets))
}
