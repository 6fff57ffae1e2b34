//! The operations desk over the API: tickets (open, list, read, move, escalate) and the figures
//! for a period.

use crate::http::query::Query;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

use crate::error::Result;
use crate::http::AppState;
use crate::http::context::Session;
use crate::ops::{self, Act, NewTicket, Period, Stats, Ticket, TicketQuery, TicketView};
use crate::storage::Page;

#[utoipa::path(post, path = "/ops/tickets", tag = "ops", request_body = NewTicket,
    responses((status = 201, body = Ticket), (status = 422)))]
pub async fn create(
    State(s): State<AppState>,
    session: Session,
    Json(n): Json<NewTicket>,
) -> Result<(StatusCode, Json<Ticket>)> {
    let t = ops::create(&s.db, &session.principal, &n).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

#[utoipa::path(get, path = "/ops/tickets", tag = "ops", params(TicketQuery),
    responses((status = 200, body = Page<Ticket>), (status = 403)))]
pub async fn list(
    State(s): State<AppState>,
    session: Session,
    Query(q): Query<TicketQuery>,
) -> Result<Json<Page<Ticket>>> {
    Ok(Json(ops::list(&s.db, &session.principal, &q).await?))
}

#[utoipa::path(get, path = "/ops/tickets/{id}", tag = "ops",
    responses((status = 200, body = TicketView), (status = 404)))]
pub async fn get(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Json<TicketView>> {
    Ok(Json(ops::get(&s.db, &session.principal, id).await?))
}

#[utoipa::path(post, path = "/ops/tickets/{id}/act", tag = "ops", request_body = Act,
    responses((status = 200, body = Ticket), (status = 409), (status = 422)))]
pub async fn act(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(a): Json<Act>,
) -> Result<Json<Ticket>> {
    Ok(Json(ops::act(&s.db, &session.principal, id, &a).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct Escalate {
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/ops/tickets/{id}/escalate", tag = "ops", request_body = Escalate,
    responses((status = 200, body = Ticket), (status = 409)))]
pub async fn escalate(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(e): Json<Escalate>,
) -> Result<Json<Ticket>> {
    Ok(Json(
        ops::escalate(&s.db, &session.principal, id, &e.note).await?,
    ))
}

/// The desk's figures for tickets opened in a period (the last 7 days unless given).
#[utoipa::path(get, path = "/ops/stats", tag = "ops", params(Period),
    responses((status = 200, body = Stats), (status = 403), (status = 422)))]
pub async fn stats(
    State(s): State<AppState>,
    session: Session,
    Query(p): Query<Period>,
) -> Result<Json<Stats>> {
    Ok(Json(ops::stats(&s.db, &session.principal, &p).await?))
}

/// Imports a ticket ledger (CSV or XLSX as the request body); all or nothing, every bad row
/// reported (422).
#[utoipa::path(post, path = "/ops/tickets/import", tag = "ops", params(super::accounts::ImportQuery),
    responses((status = 200, body = ops::exchange::ImportReport), (status = 422, body = ops::exchange::ImportReport)))]
pub async fn import(
    State(s): State<AppState>,
    session: Session,
    Query(q): Query<super::accounts::ImportQuery>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<ops::exchange::ImportReport>)> {
    let report = ops::exchange::import(&s.db, &session.principal, &body, q.dry_run).await?;
    let status = if report.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(report)))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `xlsx` (default) or `csv`.
    pub format: Option<String>,
    /// Opened from this day (`YYYY-MM-DD`, China time).
    pub from: Option<String>,
    /// Opened up to this day, inclusive.
    pub to: Option<String>,
}

/// The ledger of tickets opened in a period, in the import's columns.
#[utoipa::path(get, path = "/ops/tickets/export", tag = "ops", params(ExportParams),
    responses((status = 200, description = "XLSX, or CSV (UTF-8 with BOM) with `format=csv`",
        content((String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))), (status = 403)))]
pub async fn export(
    State(s): State<AppState>,
    session: Session,
    Query(p): Query<ExportParams>,
) -> Result<axum::response::Response> {
    let tickets = ops::exchange::export_rows(
        &s.db,
        &session.principal,
        p.from.as_deref(),
        p.to.as_deref(),
    )
    .await?;
    let units = crate::org::list(&s.db).await?;
    let (mime, name, body) = if p.format.as_deref() == Some("csv") {
        let body = crate::blocking::run(move || ops::exchange::to_csv(&units, &tickets)).await?;
        ("text/csv; charset=utf-8", "tickets.csv", body)
    } else {
        let body = crate::blocking::run(move || ops::exchange::to_xlsx(&units, &tickets)).await?;
        (crate::http::transfer::XLSX, "tickets.xlsx", body)
    };
    Ok(crate::http::transfer::download(mime, name, body))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Week {
    /// Any day of the week (`YYYY-MM-DD`); this week when not given.
    pub week: Option<String>,
}

fn week_day(s: &AppState, w: &Week) -> Result<chrono::NaiveDate> {
    match w.week.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(s.db.clock().today()),
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            crate::error::Error::Validation(vec![crate::error::FieldError::with(
                "week",
                "field.date",
                s,
            )])
        }),
    }
}

/// The weekly problem-handling report for a week.
#[utoipa::path(get, path = "/ops/reports/weekly", tag = "ops", params(Week),
    responses((status = 200, body = ops::report::WeeklyReport), (status = 403)))]
pub async fn weekly(
    State(s): State<AppState>,
    session: Session,
    Query(w): Query<Week>,
) -> Result<Json<ops::report::WeeklyReport>> {
    Ok(Json(
        ops::report::weekly(&s.db, &session.principal, week_day(&s, &w)?).await?,
    ))
}

/// The same report as a workbook (汇总, 明细).
#[utoipa::path(get, path = "/ops/reports/weekly.xlsx", tag = "ops", params(Week),
    responses((status = 200, description = "The week's report as XLSX", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403)))]
pub async fn weekly_xlsx(
    State(s): State<AppState>,
    session: Session,
    Query(w): Query<Week>,
) -> Result<axum::response::Response> {
    let r = ops::report::weekly(&s.db, &session.principal, week_day(&s, &w)?).await?;
    let name = format!("weekly-{}.xlsx", r.week_start);
    Ok(crate::http::transfer::download(
        crate::http::transfer::XLSX,
        &name,
        crate::blocking::run(move || ops::report::to_xlsx(&r)).await?,
    ))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Sent {
    /// The queued mail; null when no recipient is set.
    pub mail_id: Option<i64>,
    pub recipients: Vec<String>,
}

/// Builds the week's report and queues it to the recipients now (O&M managers).
#[utoipa::path(post, path = "/ops/reports/weekly/send", tag = "ops", params(Week),
    responses((status = 200, body = Sent), (status = 403)))]
pub async fn weekly_send(
    State(s): State<AppState>,
    session: Session,
    Query(w): Query<Week>,
) -> Result<Json<Sent>> {
    if !session.principal.has(crate::auth::Perm::ManageOps) {
        return Err(crate::error::Error::Forbidden);
    }
    let mail_id = ops::report::send(&s.db, &session.principal, week_day(&s, &w)?).await?;
    Ok(Json(Sent {
        mail_id,
        recipients: ops::report::recipients(&s.db).await?,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Recipients {
    /// A list of addresses, or one text with addresses separated by commas, semicolons or
    /// spaces. An empty list sends the report to nobody.
    pub recipients: AddressList,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum AddressList {
    Many(Vec<String>),
    One(String),
}

impl AddressList {
    fn joined(&self) -> String {
        match self {
            AddressList::Many(v) => v.join(", "),
            AddressList::One(s) => s.clone(),
        }
    }
}

/// Who receives the weekly report (O&M managers); answers the checked list.
#[utoipa::path(put, path = "/ops/reports/recipients", tag = "ops", request_body = Recipients,
    responses((status = 200, body = Vec<String>), (status = 403), (status = 422)))]
pub async fn set_recipients(
    State(s): State<AppState>,
    session: Session,
    Json(r): Json<Recipients>,
) -> Result<Json<Vec<String>>> {
    Ok(Json(
        ops::report::set_recipients(&s.db, &session.principal, &r.recipients.joined()).await?,
    ))
}

/// This area's endpoints, each documented where it is written.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(import).layer(axum::extract::DefaultBodyLimit::max(50 << 20)))
        .routes(routes!(export))
        .routes(routes!(get))
        .routes(routes!(act))
        .routes(routes!(escalate))
        .routes(routes!(stats))
        .routes(routes!(weekly))
        .routes(routes!(weekly_xlsx))
        .routes(routes!(weekly_send))
        .routes(routes!(set_recipients))
}
