//! The calendar page: a year at a glance, holidays and make-up working days marked, and (for the
//! bureau) the form that enters next year's schedule.

use crate::http::query::Query;
use axum::Form;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing;
use chrono::{Datelike, NaiveDate, Weekday};
use minijinja::context;
use serde::Deserialize;

use super::{errors_value, form_errors};
use crate::approval::calendar::DayKind;
use crate::approval::calendar_repo;
use crate::auth::Perm;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::{Ctx, Session};
use crate::http::pages::ser;
use crate::i18n::Lang;

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
    /// After an import (its redirect): how many days, how many approvals recomputed.
    imported: Option<usize>,
    recomputed: Option<usize>,
}

async fn render(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    year: i32,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<Response> {
    if !session.principal.has(Perm::ViewOrg) {
        return Err(Error::Forbidden);
    }
    let cal = calendar_repo::calendar(&s.db).await?;
    let days = calendar_repo::year(&s.db, year).await?;
    let mut months = Vec::new();
    let mut working = 0;
    for month in 1..=12 {
        let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or(Error::NotFound)?;
        let mut weeks: Vec<Vec<Option<minijinja::Value>>> =
            vec![vec![None; first.weekday().num_days_from_monday() as usize]];
        let mut d = first;
        while d.month() == month {
            let ex = days.iter().find(|x| x.day == d.to_string());
            let class = match (ex.map(|x| x.kind.as_str()), d.weekday()) {
                (Some("holiday"), _) => "hol",
                (Some("workday"), _) => "wk",
                (_, Weekday::Sat | Weekday::Sun) => "we",
                _ => "",
            };
            if cal.is_working_day(d) {
                working += 1;
            }
            let cell = context! { day => d.day(), class, name => ex.map(|x| x.name.clone()).unwrap_or_default() };
            if weeks.last().is_some_and(|w| w.len() == 7) {
                weeks.push(vec![]);
            }
            weeks.last_mut().expect("a week").push(Some(cell));
            d = d.succ_opt().ok_or(Error::NotFound)?;
        }
        let title = if ctx.lang == Lang::En {
            first.format("%B").to_string()
        } else {
            format!("{month} 月")
        };
        months.push(context! { title, weeks });
    }
    let weekdays: Vec<&str> = if ctx.lang == Lang::En {
        vec!["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
    } else {
        vec!["一", "二", "三", "四", "五", "六", "日"]
    };
    let can_edit = session.principal.has(Perm::ManageCalendar);
    // A year nobody has entered (this one, or next year from 1 November) is said plainly, with
    // the import at hand for those who keep the calendar.
    let today = s.db.clock().today();
    let missing = if !cal.knows_year(year) {
        Some(year)
    } else if today.month() >= 11 && !cal.knows_year(today.year() + 1) {
        Some(today.year() + 1)
    } else {
        None
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = s.pages.render(
        "calendar.html",
        ctx,
        Some(session),
        context! { year, months, weekdays, days => ser(&days), working, can_edit, errors => errors_value(&errors),
                   missing, notice },
    );
    Ok(crate::http::pages::with_status(html, status))
}

pub async fn page(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Query(q): Query<YearQuery>,
) -> Result<Response> {
    let year = q
        .year
        .unwrap_or_else(|| s.db.clock().today().year())
        .clamp(2000, 2100);
    let notice = q.imported.map(|days| {
        crate::i18n::tr_args(
            ctx.lang,
            "cal.imported",
            &[
                ("year", &year.to_string()),
                ("days", &days.to_string()),
                ("recomputed", &q.recomputed.unwrap_or(0).to_string()),
            ],
        )
    });
    render(&s, &ctx, &session, year, vec![], notice).await
}

#[derive(Deserialize)]
pub struct DayForm {
    date: String,
    kind: String,
    #[serde(default)]
    name: String,
}

pub async fn set_day(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(f): Form<DayForm>,
) -> Result<Response> {
    let Ok(day) = NaiveDate::parse_from_str(&f.date, "%Y-%m-%d") else {
        let errs = form_errors(Error::field("date", "field.date"), ctx.lang)?;
        return render(&s, &ctx, &session, s.db.clock().today().year(), errs, None).await;
    };
    match calendar_repo::set_day(
        &s.db,
        &session.principal,
        day,
        DayKind::parse(&f.kind),
        &f.name,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/calendar?year={}", day.year())).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            render(&s, &ctx, &session, day.year(), errs, None).await
        }
    }
}

#[derive(Deserialize)]
pub struct ImportForm {
    year: i32,
    notice: String,
}

/// The year's notice in one import; back to that year with what it did.
pub async fn import(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(f): Form<ImportForm>,
) -> Result<Response> {
    let year = f.year.clamp(2000, 2100);
    match crate::approval::calendar_notice::import(&s.db, &session.principal, year, &f.notice).await
    {
        Ok(r) => Ok(Redirect::to(&format!(
            "/calendar?year={year}&imported={}&recomputed={}",
            r.days, r.recomputed
        ))
        .into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            render(&s, &ctx, &session, year, errs, None).await
        }
    }
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calendar", routing::get(page).post(set_day))
        .route("/calendar/import", routing::post(import))
}
