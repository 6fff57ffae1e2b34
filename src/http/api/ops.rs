//! The operations desk over the API: tickets (open, list, read, move, escalate) and the figures
//! for a period.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use crate::error::Result;
use crate::http::AppState;
use crate::http::context::Session;
use crate::ops::{self, Act, NewTicket, Period, Stats, Ticket, TicketQuery, TicketView};
use crate::storage::Page;

#[utoipa::path(post, path = "/api/v1/ops/tickets", tag = "ops", request_body = NewTicket,
    responses((status = 201, body = Ticket), (status = 422)))]
pub async fn create(
    State(s): State<AppState>,
    session: Session,
    Json(n): Json<NewTicket>,
) -> Result<(StatusCode, Json<Ticket>)> {
    let t = ops::create(&s.db, &session.principal, &n).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

#[utoipa::path(get, path = "/api/v1/ops/tickets", tag = "ops", params(TicketQuery),
    responses((status = 200, body = Page<Ticket>), (status = 403)))]
pub async fn list(
    State(s): State<AppState>,
    session: Session,
    Query(q): Query<TicketQuery>,
) -> Result<Json<Page<Ticket>>> {
    Ok(Json(ops::list(&s.db, &session.principal, &q).await?))
}

#[utoipa::path(get, path = "/api/v1/ops/tickets/{id}", tag = "ops",
    responses((status = 200, body = TicketView), (status = 404)))]
pub async fn get(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Json<TicketView>> {
    Ok(Json(ops::get(&s.db, &session.principal, id).await?))
}

#[utoipa::path(post, path = "/api/v1/ops/tickets/{id}/act", tag = "ops", request_body = Act,
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

#[utoipa::path(post, path = "/api/v1/ops/tickets/{id}/escalate", tag = "ops", request_body = Escalate,
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
#[utoipa::path(get, path = "/api/v1/ops/stats", tag = "ops", params(Period),
    responses((status = 200, body = Stats), (status = 403), (status = 422)))]
pub async fn stats(
    State(s): State<AppState>,
    session: Session,
    Query(p): Query<Period>,
) -> Result<Json<Stats>> {
    Ok(Json(ops::stats(&s.db, &session.principal, &p).await?))
}
