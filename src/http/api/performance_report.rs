//! The evaluation report over JSON: its sections (each narrative's latest text and version, or
//! the draft), a section's versions, saving a section on the version it was written on,
//! finalising (open findings explained), and the report as PDF and DOCX — as issued once it is.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Perm;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::Session;
use crate::performance::Finding;
use crate::performance::narrative::{self, Issue, Section, Version};

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = PerformanceReport)]
pub struct ReportView {
    pub title: String,
    /// Present once the report is issued (then it no longer changes).
    pub issue: Option<Issue>,
    pub score: f64,
    pub grade: String,
    pub findings: Vec<Finding>,
    pub sections: Vec<Section>,
}

/// `T` from a JSON body read after the caller's permission was checked; a field that does not
/// fit is named.
pub(crate) fn body<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let inner = e.inner().to_string();
        let missing = inner
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next());
        let (field, key) = match missing {
            Some(f) => (f.to_string(), "field.required"),
            None => (e.path().to_string(), "field.invalid"),
        };
        Error::Validation(vec![crate::error::FieldError::new(field, key)])
    })
}

/// The report's state: its sections as the editor sees them, its findings and its issue.
#[utoipa::path(get, path = "/performance/projects/{code}/report", tag = "performance",
    responses((status = 200, body = ReportView), (status = 404)))]
pub async fn report(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Json<ReportView>> {
    let r = narrative::report(&s.db, &session.principal, &code).await?;
    Ok(Json(ReportView {
        title: r.title,
        issue: r.issue,
        score: (r.evaluation.score * 100.0).round() / 100.0,
        grade: r.evaluation.grade,
        findings: r.evaluation.findings,
        sections: r.sections,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = PerformanceSectionSave)]
pub struct SectionSave {
    pub text: String,
    /// The version the text was written on (0: the draft).
    pub base_version: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = PerformanceSectionSaved)]
pub struct Saved {
    pub version: i64,
}

/// Saves a narrative section as its next version (refused as stale when someone saved since the
/// given version; refused once the report is issued). Audited.
#[utoipa::path(put, path = "/performance/projects/{code}/report/sections/{key}", tag = "performance",
    request_body = SectionSave,
    responses((status = 200, body = Saved), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn save(
    State(s): State<AppState>,
    session: Session,
    Path((code, key)): Path<(String, String)>,
    Json(v): Json<serde_json::Value>,
) -> Result<Json<Saved>> {
    if !session.principal.has(Perm::ManagePerformance) {
        return Err(Error::Forbidden);
    }
    let b: SectionSave = body(v)?;
    let version = narrative::save(
        &s.db,
        &session.principal,
        &code,
        &key,
        &b.text,
        b.base_version,
    )
    .await?;
    Ok(Json(Saved { version }))
}

/// Every saved version of a section, newest first.
#[utoipa::path(get, path = "/performance/projects/{code}/report/sections/{key}/versions", tag = "performance",
    responses((status = 200, body = Vec<Version>), (status = 404)))]
pub async fn versions(
    State(s): State<AppState>,
    session: Session,
    Path((code, key)): Path<(String, String)>,
) -> Result<Json<Vec<Version>>> {
    Ok(Json(
        narrative::versions(&s.db, &session.principal, &code, &key).await?,
    ))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[schema(as = PerformanceFinalise)]
pub struct Finalise {
    /// Why open findings stand (required when there are any).
    #[serde(default)]
    pub explanation: Option<String>,
}

/// Issues the report as it reads now: frozen with its content hash, audited.
#[utoipa::path(post, path = "/performance/projects/{code}/report/finalise", tag = "performance",
    request_body = Finalise,
    responses((status = 200, body = Issue), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn finalise(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    Json(v): Json<serde_json::Value>,
) -> Result<Json<Issue>> {
    if !session.principal.has(Perm::ManagePerformance) {
        return Err(Error::Forbidden);
    }
    let b: Finalise = body(v)?;
    Ok(Json(
        narrative::finalise(&s.db, &session.principal, &code, b.explanation.as_deref()).await?,
    ))
}

/// The report as PDF (A4, Chinese font embedded).
#[utoipa::path(get, path = "/performance/projects/{code}/report.pdf", tag = "performance",
    responses((status = 200, description = "The report", content_type = "application/pdf"), (status = 404)))]
pub async fn pdf(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<axum::response::Response> {
    let r = narrative::report(&s.db, &session.principal, &code).await?;
    let name = format!("report-{}.pdf", r.evaluation.code);
    let body =
        crate::blocking::run(move || crate::print::pdf::render(&r.title, &r.blocks, None)).await?;
    Ok(crate::http::transfer::download(
        "application/pdf",
        &name,
        body,
    ))
}

/// The report as DOCX, for offices to exchange and edit.
#[utoipa::path(get, path = "/performance/projects/{code}/report.docx", tag = "performance",
    responses((status = 200, description = "The report", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (status = 404)))]
pub async fn docx(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<axum::response::Response> {
    let r = narrative::report(&s.db, &session.principal, &code).await?;
    let name = format!("report-{}.docx", r.evaluation.code);
    let body =
        crate::blocking::run(move || crate::print::docx::render(&r.title, &r.blocks)).await?;
    Ok(crate::http::transfer::download(
        crate::print::docx::MIME,
        &name,
        body,
    ))
}

/// This area's endpoints, each documented where it is written.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(report))
        .routes(routes!(save))
        .routes(routes!(versions))
        .routes(routes!(finalise))
        .routes(routes!(pdf))
        .routes(routes!(docx))
}
