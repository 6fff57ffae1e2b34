//! The scoring schemes' page: each scheme's latest version (grades, the share each qualitative
//! band earns, the points of each first-level indicator) with its versions, and for the
//! district's finance officers a form to save a new version, one line per grade, band or level
//! ("90 优"), so no one edits JSON.

use axum::Form;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing;
use minijinja::context;
use serde::Deserialize;

use super::{errors_value, form_errors};
use crate::error::{Error, FieldError, Result};
use crate::http::AppState;
use crate::http::context::{Ctx, Session};
use crate::http::pages::ser;
use crate::performance::schemes;
use crate::performance::score::{Grade, Scheme};

/// The form as sent, kept when it was refused.
#[derive(Debug, Default, Deserialize, serde::Serialize)]
pub struct SchemeForm {
    code: String,
    base_version: String,
    name: String,
    total: String,
    grades: String,
    bands: String,
    levels: String,
}

/// A map's entries with the `first` keys in their order, then the rest.
fn ordered<'a>(
    m: &'a std::collections::BTreeMap<String, f64>,
    first: &'a [&'a str],
) -> impl Iterator<Item = (&'a str, f64)> + 'a {
    first
        .iter()
        .filter_map(|k| m.get(*k).map(|v| (*k, *v)))
        .chain(
            m.iter()
                .filter(|(k, _)| !first.contains(&k.as_str()))
                .map(|(k, v)| (k.as_str(), *v)),
        )
}

fn lines(s: &Scheme) -> (String, String, String) {
    let num = |x: f64| {
        if x.fract() == 0.0 {
            format!("{x:.0}")
        } else {
            format!("{x}")
        }
    };
    (
        s.grades
            .iter()
            .map(|g| format!("{} {}", num(g.min), g.grade))
            .collect::<Vec<_>>()
            .join("\n"),
        // Bands best first, levels in the outline's order (投入, 产出, 效益, 满意度), then others.
        ordered(
            &s.bands,
            &crate::performance::document::BANDS.map(|(n, _)| n),
        )
        .map(|(n, p)| format!("{n} {}", num(p)))
        .collect::<Vec<_>>()
        .join("\n"),
        ordered(&s.levels, &["投入", "产出", "效益", "满意度"])
            .map(|(n, p)| format!("{n} {}", num(p)))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// "name number" or "number name" per line.
fn pairs(field: &str, text: &str) -> Result<Vec<(String, f64)>> {
    let mut out = Vec::new();
    for l in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parts: Vec<&str> = l.split_whitespace().collect();
        let pair = match parts.as_slice() {
            [a, b] => match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(n), Err(_)) => Some((b.to_string(), n)),
                (Err(_), Ok(n)) => Some((a.to_string(), n)),
                _ => None,
            },
            _ => None,
        };
        match pair {
            Some(p) => out.push(p),
            None => {
                return Err(Error::Validation(vec![FieldError::with(
                    field,
                    "perf.scheme_line",
                    l,
                )]));
            }
        }
    }
    Ok(out)
}

fn parse(f: &SchemeForm) -> Result<Scheme> {
    let total = f
        .total
        .trim()
        .parse::<f64>()
        .map_err(|_| Error::field("total", "field.number"))?;
    Ok(Scheme {
        name: f.name.trim().to_string(),
        total,
        grades: pairs("grades", &f.grades)?
            .into_iter()
            .map(|(grade, min)| Grade { min, grade })
            .collect(),
        bands: pairs("bands", &f.bands)?.into_iter().collect(),
        levels: pairs("levels", &f.levels)?.into_iter().collect(),
    })
}

async fn render(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    errors: Vec<(String, String)>,
    kept: Option<SchemeForm>,
) -> Result<Response> {
    let who = &session.principal;
    let mut rows = Vec::new();
    for x in schemes::list(&s.db, who).await? {
        let versions = schemes::versions(&s.db, who, &x.code).await?;
        let (grades, bands, levels) = lines(&x.scheme);
        let total = format!("{}", x.scheme.total);
        rows.push(
            context! { x => ser(&x), versions => ser(&versions), grades, bands, levels, total },
        );
    }
    let root = crate::org::root(&s.db).await?;
    let may_write = who.can(crate::auth::Perm::ManagePerformance, &root.path);
    let form = kept.unwrap_or_else(|| {
        let d = Scheme::default();
        let (grades, bands, levels) = lines(&d);
        SchemeForm {
            code: String::new(),
            base_version: "0".into(),
            name: String::new(),
            total: "100".into(),
            grades,
            bands,
            levels,
        }
    });
    let refused = !errors.is_empty();
    let page = s.pages.render(
        "performance_schemes.html",
        ctx,
        Some(session),
        context! { rows, may_write, form => ser(&form), errors => errors_value(&errors) },
    );
    Ok(if refused {
        crate::http::pages::with_status(page, axum::http::StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        page
    })
}

pub async fn page(State(s): State<AppState>, ctx: Ctx, session: Session) -> Result<Response> {
    render(&s, &ctx, &session, Vec::new(), None).await
}

/// Saves a version; back to the list, or the page again with the form kept and why not.
pub async fn save(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(f): Form<SchemeForm>,
) -> Result<Response> {
    let base = f.base_version.trim().parse::<i64>();
    let result = match (parse(&f), base) {
        (Ok(scheme), Ok(base)) => {
            schemes::save(&s.db, &session.principal, f.code.trim(), &scheme, base).await
        }
        (Err(e), _) => Err(e),
        (_, Err(_)) => Err(Error::field("base_version", "field.number")),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/performance/schemes").into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            render(&s, &ctx, &session, errs, Some(f)).await
        }
    }
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new().route("/performance/schemes", routing::get(page).post(save))
}
