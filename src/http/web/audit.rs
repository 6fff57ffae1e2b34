//! The audit trail for auditors: filter by actor, action, entity, dates and text; page. The
//! export links go to the API's export, which the session cookie authorises as well.

use crate::http::query::Query;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing;
use minijinja::context;

use crate::audit::{self, Filter};
use crate::auth::Perm;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::{Ctx, Session};

pub async fn page(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Query(f): Query<Filter>,
) -> Result<Response> {
    let scopes = session.principal.scopes(Perm::ViewAudit);
    if scopes.is_empty() {
        return Err(Error::Forbidden);
    }
    let (entries, total) = audit::search(&s.db, &f, &scopes).await?;
    let per_page = f.per_page.unwrap_or(50).clamp(1, 500);
    let query = serde_urlencoded::to_string([
        ("actor", f.actor.clone().unwrap_or_default()),
        ("action", f.action.clone().unwrap_or_default()),
        ("entity", f.entity.clone().unwrap_or_default()),
        ("from", f.from.clone().unwrap_or_default()),
        ("to", f.to.clone().unwrap_or_default()),
        ("q", f.q.clone().unwrap_or_default()),
    ])
    .unwrap_or_default();
    let html = s.pages.render(
        "audit.html",
        &ctx,
        Some(&session),
        context! {
            entries => crate::http::pages::ser(&entries), total, page => f.page.unwrap_or(1).max(1), pages => (total + per_page - 1) / per_page,
            f => context! { actor => f.actor, action => f.action, entity => f.entity,
                            from => f.from, to => f.to, q => f.q },
            query,
        },
    );
    Ok(html.into_response())
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new().route("/audit", routing::get(page))
}
