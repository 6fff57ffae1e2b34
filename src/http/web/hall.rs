//! The online service hall (网上办事大厅): public pages, no sign-in needed — home with entries by
//! audience, theme and department; search; a matter's full, printable guide with where to go.

use axum::Router;
use axum::routing;
use std::collections::{BTreeMap, HashMap};

use crate::http::query::Query;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use minijinja::context;

use crate::catalog::repo;
use crate::catalog::search::SearchQuery;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::{Ctx, MaybeSession};
use crate::http::pages::ser;
use crate::org;

/// Department code → name, for the departments that own matters in service.
async fn departments(s: &AppState) -> Result<(HashMap<String, String>, Vec<minijinja::Value>)> {
    let units = org::list(&s.db).await?;
    let counts = crate::catalog::lookup::published_per_department(&s.db).await?;
    let names: HashMap<String, String> = units
        .iter()
        .map(|u| (u.code.clone(), u.name.clone()))
        .collect();
    let list = counts
        .iter()
        .map(|(code, n)| {
            let name = names.get(code).cloned().unwrap_or_else(|| code.clone());
            context! { code, name, count => n }
        })
        .collect();
    Ok((names, list))
}

/// Streets and communities for the address picker, labelled with their path.
pub async fn communities(s: &AppState) -> Result<Vec<minijinja::Value>> {
    let units = org::list(&s.db).await?;
    let labels = org::name_paths(&units);
    Ok(org::tree_order(&units)
        .into_iter()
        .filter(|u| matches!(u.kind, org::Kind::Street | org::Kind::Community) && !u.is_retired())
        .map(|u| context! { code => u.code.clone(), label => labels[&u.id].clone() })
        .collect())
}

pub async fn home(
    State(s): State<AppState>,
    ctx: Ctx,
    MaybeSession(session): MaybeSession,
) -> Result<Response> {
    let matters = repo::all_public(&s.db).await?;
    let mut themes: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, m) in &matters {
        for t in &m.themes {
            *themes.entry(t.as_str()).or_default() += 1;
        }
    }
    let mut themes: Vec<_> = themes.into_iter().collect();
    themes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let themes: Vec<_> = themes
        .into_iter()
        .map(|(name, count)| context! { name, count })
        .collect();
    let (_, departments) = departments(&s).await?;
    Ok(s.pages
        .render(
            "hall_home.html",
            &ctx,
            session.as_ref(),
            context! { count => matters.len(), themes, departments },
        )
        .into_response())
}

pub async fn search(
    State(s): State<AppState>,
    ctx: Ctx,
    MaybeSession(session): MaybeSession,
    Query(q): Query<SearchQuery>,
) -> Result<Response> {
    s.search.refresh(&s.db).await?;
    let q = SearchQuery {
        limit: Some(q.limit.unwrap_or(50)),
        ..q
    };
    let hits = s
        .search
        .search(&q)
        .map_err(|e| Error::Internal(e.into()))?
        .hits;
    let (dept_names, departments) = departments(&s).await?;
    let query = context! { q => q.q, audience => q.audience, level => q.level, department => q.department, depth => q.depth };
    Ok(s.pages
        .render(
            "hall_search.html",
            &ctx,
            session.as_ref(),
            context! { hits => ser(&hits), q => query, departments, dept_names },
        )
        .into_response())
}

pub async fn matter(
    State(s): State<AppState>,
    ctx: Ctx,
    MaybeSession(session): MaybeSession,
    Path(code): Path<String>,
) -> Result<Response> {
    let (version, m) = repo::public(&s.db, &code).await?;
    let units = org::list(&s.db).await?;
    let labels = org::name_paths(&units);
    let halls: Vec<String> = repo::halls(&s.db, &code, &m)
        .await?
        .iter()
        .map(|h| labels[&h.id].clone())
        .collect();
    let has_workflow = crate::approval::workflow_repo::current(&s.db, &code)
        .await
        .is_ok();
    let dept_name = units
        .iter()
        .find(|u| u.code == m.department)
        .map_or(m.department.clone(), |u| u.name.clone());
    Ok(s.pages
        .render(
            "hall_matter.html",
            &ctx,
            session.as_ref(),
            context! { m => ser(&m), version, case_type => m.case_type(), halls, dept_name,
            communities => communities(&s).await?, has_workflow },
        )
        .into_response())
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hall", routing::get(home))
        .route("/hall/search", routing::get(search))
        .route("/hall/matters/{code}", routing::get(matter))
}
