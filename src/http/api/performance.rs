//! Performance projects over JSON: import a project-year (the exchange document, all or
//! nothing), list and read them, and the year's evaluation — money as decimal strings, rates as
//! fractions, scores to two decimals, and the cross-checks' findings.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::Session;
use crate::performance::entries::{self, Entry, Record};
use crate::performance::payments::{self, PaymentFile};
use crate::performance::repo::{self, Summary};
use crate::performance::{Doc, Evaluation};

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = PerformanceImported)]
pub struct Imported {
    pub code: String,
    /// False when it replaced the project-year of the same code.
    pub created: bool,
}

/// Create or replace a project-year from its document (finance officers and bureau admins of
/// the competent department; audited). Nothing is stored unless every field checks.
#[utoipa::path(post, path = "/performance/projects", tag = "performance", request_body = Doc,
    responses((status = 201, body = Imported), (status = 200, body = Imported), (status = 403), (status = 422)))]
pub async fn import(
    State(s): State<AppState>,
    session: Session,
    Json(v): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<Imported>)> {
    // Who may write any project, before the document is read.
    if !session.principal.has(crate::auth::Perm::ManagePerformance) {
        return Err(Error::Forbidden);
    }
    let d = crate::performance::document::parse(v)?;
    let created = repo::import(&s.db, &session.principal, &d).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(Imported {
            code: d.code.trim().to_string(),
            created,
        }),
    ))
}

/// The project-years the caller may read.
#[utoipa::path(get, path = "/performance/projects", tag = "performance",
    responses((status = 200, body = Vec<Summary>)))]
pub async fn list(State(s): State<AppState>, session: Session) -> Result<Json<Vec<Summary>>> {
    Ok(Json(repo::list(&s.db, &session.principal).await?))
}

/// A project-year's document.
#[utoipa::path(get, path = "/performance/projects/{code}", tag = "performance",
    responses((status = 200, body = Doc), (status = 404)))]
pub async fn get(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Json<Doc>> {
    Ok(Json(repo::get(&s.db, &session.principal, &code).await?.0))
}

/// The year's evaluation: money, each indicator's actual and score, the total and grade, and
/// every figure that does not add up.
#[utoipa::path(get, path = "/performance/projects/{code}/evaluation", tag = "performance",
    responses((status = 200, body = Evaluation), (status = 404)))]
pub async fn evaluation(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Json<Evaluation>> {
    Ok(Json(
        repo::evaluate(&s.db, &session.principal, &code).await?,
    ))
}

/// The self-evaluation table (项目支出绩效自评表) as XLSX, in the standard layout.
#[utoipa::path(get, path = "/performance/projects/{code}/self-evaluation.xlsx", tag = "performance",
    responses((status = 200, description = "The self-evaluation table", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404)))]
pub async fn self_evaluation(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<axum::response::Response> {
    let e = repo::evaluate(&s.db, &session.principal, &code).await?;
    let name = format!("self-evaluation-{}.xlsx", e.code);
    let body =
        crate::blocking::run(move || crate::performance::sheet::self_evaluation_xlsx(&e)).await?;
    Ok(crate::http::transfer::download(
        crate::http::transfer::XLSX,
        &name,
        body,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = PerformancePaymentNew)]
pub struct NewPayment {
    pub date: String,
    /// Decimal yuan.
    pub amount: String,
    /// 支付凭证号.
    pub voucher: String,
    /// The installment it settles, counted from 1.
    #[serde(default)]
    pub installment: Option<usize>,
    /// Supporting files uploaded before (POST /files) by the same person.
    #[serde(default)]
    pub files: Vec<NewPaymentFile>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = PerformancePaymentNewFile)]
pub struct NewPaymentFile {
    /// 发票, 中标通知书, 合同, 付款清单, 付款申请 or 会议纪要.
    pub kind: String,
    pub file_id: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = PerformancePaymentAdded)]
pub struct Added {
    /// How many payments the year now has.
    pub payments: usize,
}

/// Records a payment on the project-year with its supporting files (finance officers and bureau
/// admins of the competent department; audited). The year is checked whole again; nothing is
/// stored unless it checks.
#[utoipa::path(post, path = "/performance/projects/{code}/payments", tag = "performance",
    request_body = NewPayment,
    responses((status = 201, body = Added), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn add_payment(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    Json(v): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<Added>)> {
    if !session.principal.has(crate::auth::Perm::ManagePerformance) {
        return Err(Error::Forbidden);
    }
    let b: NewPayment = super::performance_report::body(v)?;
    let p = crate::performance::document::Payment {
        date: b.date,
        amount: b.amount,
        voucher: b.voucher,
        installment: b.installment,
    };
    let files = b
        .files
        .into_iter()
        .map(|f| (f.kind, payments::Attach::Uploaded(f.file_id)))
        .collect();
    let n = payments::add(&s.db, &session.principal, &code, p, files).await?;
    Ok((StatusCode::CREATED, Json(Added { payments: n })))
}

/// The supporting files of the year's payments.
#[utoipa::path(get, path = "/performance/projects/{code}/payments/files", tag = "performance",
    responses((status = 200, body = Vec<PaymentFile>), (status = 404)))]
pub async fn payment_files(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Json<Vec<PaymentFile>>> {
    Ok(Json(
        payments::list(&s.db, &session.principal, &code).await?,
    ))
}

/// One supporting file, for those who may read the project.
#[utoipa::path(get, path = "/performance/projects/{code}/files/{id}", tag = "performance",
    responses((status = 200), (status = 404)))]
pub async fn payment_file(
    State(s): State<AppState>,
    session: Session,
    Path((code, id)): Path<(String, i64)>,
) -> Result<axum::response::Response> {
    let (meta, bytes) = payments::file(&s.db, &session.principal, &code, id).await?;
    Ok(crate::http::transfer::send(&meta, bytes))
}

/// Enter indicator `n` (counted from 1, as the self-evaluation table numbers it): its actual or
/// band, evidence text and an evidence file uploaded before (finance officers and bureau admins;
/// audited, with who entered it and when).
#[utoipa::path(post, path = "/performance/projects/{code}/indicators/{n}", tag = "performance",
    request_body = Entry,
    responses((status = 200, body = Record), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn enter_indicator(
    State(s): State<AppState>,
    session: Session,
    Path((code, n)): Path<(String, usize)>,
    Json(v): Json<serde_json::Value>,
) -> Result<Json<Record>> {
    if !session.principal.has(crate::auth::Perm::ManagePerformance) {
        return Err(Error::Forbidden);
    }
    let b: Entry = super::performance_report::body(v)?;
    let file = b.file_id.map(payments::Attach::Uploaded);
    Ok(Json(
        entries::enter(&s.db, &session.principal, &code, n, &b, file).await?,
    ))
}

/// Every indicator entry of the project-year, oldest first: what was entered, with which
/// evidence, by whom and when.
#[utoipa::path(get, path = "/performance/projects/{code}/indicators/entries", tag = "performance",
    responses((status = 200, body = Vec<Record>), (status = 404)))]
pub async fn indicator_entries(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Json<Vec<Record>>> {
    crate::performance::narrative::may_write(&s.db, &session.principal, &code).await?;
    Ok(Json(entries::all(&s.db, &code).await?))
}

/// The figures behind the dashboard's charts as XLSX: budget execution and tickets by month.
#[utoipa::path(get, path = "/performance/projects/{code}/dashboard.xlsx", tag = "performance",
    responses((status = 200, description = "The dashboard's figures", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404)))]
pub async fn dashboard_xlsx(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<axum::response::Response> {
    let (b, _) = crate::performance::dashboard::build(&s.db, &session.principal, &code).await?;
    let name = format!("dashboard-{}.xlsx", b.code);
    let body = crate::blocking::run(move || crate::performance::dashboard::xlsx(&b)).await?;
    Ok(crate::http::transfer::download(
        crate::http::transfer::XLSX,
        &name,
        body,
    ))
}

/// A project-year as a workbook for people (one sheet; the import reads it back).
#[utoipa::path(get, path = "/performance/projects/{code}/export.xlsx", tag = "performance",
    responses((status = 200, description = "The project-year", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404)))]
pub async fn export_xlsx(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<axum::response::Response> {
    let (d, _) = repo::get(&s.db, &session.principal, &code).await?;
    let name = format!("project-{}-{}.xlsx", d.code, d.year);
    let body = crate::blocking::run(move || crate::performance::exchange::export(&d)).await?;
    Ok(crate::http::transfer::download(
        crate::http::transfer::XLSX,
        &name,
        body,
    ))
}

/// This area's endpoints, each documented where it is written.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import, list))
        .routes(routes!(get))
        .routes(routes!(evaluation))
        .routes(routes!(self_evaluation))
        .routes(routes!(add_payment))
        .routes(routes!(dashboard_xlsx))
        .routes(routes!(export_xlsx))
        .routes(routes!(payment_files))
        .routes(routes!(payment_file))
        .routes(routes!(enter_indicator))
        .routes(routes!(indicator_entries))
}
