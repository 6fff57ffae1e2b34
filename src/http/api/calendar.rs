//! The working-day calendar over JSON: date arithmetic (public), a year's exceptions (public),
//! edits by the bureau, and hall hours.

use crate::days::WorkingDays;
use crate::http::query::Query;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::approval::calendar::DayKind;
use crate::approval::calendar_repo::{self, Day};
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::Session;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AddQuery {
    /// `YYYY-MM-DD`
    pub from: String,
    /// Working days to add, 0–3650.
    pub days: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DateAnswer {
    /// The `days`-th working day after `from`, `YYYY-MM-DD`.
    pub date: String,
    /// Years the computation crossed whose holidays are not published yet: their public
    /// holidays were counted as working days, so the date may move once they are entered.
    pub unpublished_years: Vec<i32>,
    /// The same, said in the user's language; empty when every year is known.
    pub warning: String,
}

/// A date the calendar speaks of: `YYYY-MM-DD` between the years 1900 and 2199.
fn parse_date(field: &str, s: &str) -> Result<NaiveDate> {
    use chrono::Datelike;
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (1900..2200).contains(&d.year()))
        .ok_or_else(|| Error::field(field, "field.date"))
}

/// The N-th working day after a date, holidays and make-up working days counted.
#[utoipa::path(get, path = "/calendar/add-working-days", tag = "calendar", params(AddQuery),
    responses((status = 200, body = DateAnswer), (status = 422)))]
pub async fn add_working_days(
    State(s): State<AppState>,
    ctx: crate::http::context::Ctx,
    Query(q): Query<AddQuery>,
) -> Result<Json<DateAnswer>> {
    let from = parse_date("from", &q.from)?;
    let days = u32::try_from(q.days)
        .ok()
        .and_then(WorkingDays::new)
        .ok_or_else(|| {
            Error::Validation(vec![crate::error::FieldError::with(
                "days",
                "field.range",
                format!("0–{}", WorkingDays::MAX),
            )])
        })?;
    let cal = calendar_repo::calendar(&s.db).await?;
    let date = cal.add_working_days(from, days);
    let unpublished_years = cal.unknown_years(from, date);
    Ok(Json(DateAnswer {
        date: date.to_string(),
        warning: calendar_repo::unknown_years_warning(ctx.lang, &unpublished_years),
        unpublished_years,
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Year {
    pub year: i32,
    /// Exceptions to Monday–Friday: holidays and make-up working days.
    pub days: Vec<Day>,
}

#[utoipa::path(get, path = "/calendar/{year}", tag = "calendar", responses((status = 200, body = Year)))]
pub async fn year(State(s): State<AppState>, Path(year): Path<i32>) -> Result<Json<Year>> {
    Ok(Json(Year {
        year,
        days: calendar_repo::year(&s.db, year).await?,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct DayEdit {
    /// `holiday`, `workday`, or null to make the day ordinary again.
    pub kind: Option<String>,
    #[serde(default)]
    pub name: String,
}

/// Set or clear one day's exception (bureau admins; audited).
#[utoipa::path(put, path = "/calendar/days/{date}", tag = "calendar", request_body = DayEdit,
    responses((status = 204), (status = 403), (status = 422)))]
pub async fn set_day(
    State(s): State<AppState>,
    session: Session,
    Path(date): Path<String>,
    Json(e): Json<DayEdit>,
) -> Result<StatusCode> {
    let day = parse_date("date", &date)?;
    let kind = match e.kind.as_deref() {
        None | Some("") | Some("normal") => None,
        Some(k) => Some(DayKind::parse(k).ok_or_else(|| Error::field("kind", "field.type"))?),
    };
    calendar_repo::set_day(&s.db, &session.principal, day, kind, &e.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct HallHours {
    /// e.g. `09:00-12:00,14:00-18:00`
    pub periods: String,
}

#[utoipa::path(get, path = "/calendar/hours/{unit_id}", tag = "calendar", responses((status = 200, body = HallHours)))]
pub async fn hours(State(s): State<AppState>, Path(unit): Path<i64>) -> Result<Json<HallHours>> {
    Ok(Json(HallHours {
        periods: calendar_repo::hours(&s.db, unit).await?.to_string(),
    }))
}

#[utoipa::path(put, path = "/calendar/hours/{unit_id}", tag = "calendar", request_body = HallHours,
    responses((status = 200, body = HallHours), (status = 403), (status = 422)))]
pub async fn set_hours(
    State(s): State<AppState>,
    session: Session,
    Path(unit): Path<i64>,
    Json(h): Json<HallHours>,
) -> Result<Json<HallHours>> {
    let h = calendar_repo::set_hours(&s.db, &session.principal, unit, &h.periods).await?;
    Ok(Json(HallHours {
        periods: h.to_string(),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Notice {
    /// The year's holidays and make-up working days, one per line: `date,kind,name`, where the
    /// date may be a range `2027-02-06..2027-02-13` and kind is `holiday`/`放假` or
    /// `workday`/`上班`.
    pub notice: String,
}

/// Replace a year's holidays with its notice in one import (bureau admins; audited); every
/// open approval's deadlines are recomputed under the new calendar.
#[utoipa::path(post, path = "/calendar/{year}/import", tag = "calendar", request_body = Notice,
    responses((status = 200, body = crate::approval::calendar_notice::Imported), (status = 403), (status = 422)))]
pub async fn import(
    State(s): State<AppState>,
    session: Session,
    Path(year): Path<i32>,
    Json(n): Json<Notice>,
) -> Result<Json<crate::approval::calendar_notice::Imported>> {
    Ok(Json(
        crate::approval::calendar_notice::import(&s.db, &session.principal, year, &n.notice)
            .await?,
    ))
}

/// This area's endpoints, each documented where it is written.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_working_days))
        .routes(routes!(set_day))
        .routes(routes!(hours, set_hours))
        .routes(routes!(year))
        .routes(routes!(import))
}
