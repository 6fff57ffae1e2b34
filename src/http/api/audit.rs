//! The audit trail over JSON, and its export.

use crate::http::query::Query;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{self, Entry, Filter};
use crate::auth::Perm;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::{Ctx, Session};

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub items: Vec<Entry>,
    pub total: i64,
}

/// Entries under the caller's audit scope, newest first.
#[utoipa::path(get, path = "/audit", tag = "audit", params(Filter),
    responses((status = 200, body = AuditPage), (status = 403)))]
pub async fn list(
    State(s): State<AppState>,
    session: Session,
    Query(f): Query<Filter>,
) -> Result<Json<AuditPage>> {
    let scopes = session.principal.scopes(Perm::ViewAudit);
    if scopes.is_empty() {
        return Err(Error::Forbidden);
    }
    let (items, total) = audit::search(&s.db, &f, &scopes).await?;
    Ok(Json(AuditPage { items, total }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` or `xlsx` (default).
    pub format: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    pub filter: Filter,
}

/// All matching entries as CSV (UTF-8 with BOM) or XLSX.
#[utoipa::path(get, path = "/audit/export", tag = "audit", params(ExportParams),
    responses((status = 200, description = "XLSX, or CSV (UTF-8 with BOM) with `format=csv`",
        content((String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))), (status = 403)))]
pub async fn export(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Query(p): Query<ExportParams>,
) -> Result<Response> {
    let scopes = session.principal.scopes(Perm::ViewAudit);
    if scopes.is_empty() {
        return Err(Error::Forbidden);
    }
    let entries = audit::for_export(&s.db, &p.filter, &scopes).await?;
    let lang = ctx.lang;
    let (mime, name, body) = if p.format.as_deref() == Some("csv") {
        let body = crate::blocking::run(move || audit::to_csv(&entries, lang)).await?;
        ("text/csv; charset=utf-8", "audit.csv", body)
    } else {
        let body = crate::blocking::run(move || audit::to_xlsx(&entries, lang)).await?;
        (crate::http::transfer::XLSX, "audit.xlsx", body)
    };
    Ok(crate::http::transfer::download(mime, name, body))
}

/// This area's endpoints, each documented where it is written.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(export))
}
