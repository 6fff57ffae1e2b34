//! The audit trail over JSON, and its export.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

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
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(Filter),
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
pub struct ExportParams {
    /// `csv` or `xlsx` (default).
    pub format: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    pub filter: Filter,
}

/// All matching entries as CSV (UTF-8 with BOM) or XLSX.
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "audit", params(ExportParams),
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
    let mut f = p.filter;
    f.per_page = Some(0);
    let (entries, _) = audit::search(&s.db, &f, &scopes).await?;
    let (mime, name, body) = if p.format.as_deref() == Some("csv") {
        (
            "text/csv; charset=utf-8",
            "audit.csv",
            audit::to_csv(&entries, ctx.lang)?,
        )
    } else {
        (
            super::XLSX,
            "audit.xlsx",
            audit::to_xlsx(&entries, ctx.lang)?,
        )
    };
    Ok(super::download(mime, name, body))
}
