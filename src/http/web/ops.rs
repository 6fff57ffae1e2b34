//! The operations desk's pages: the ticket lists (an engineer's queue, one's reports, a manager's
//! whole desk) with the ledger's import and export; the "report a problem" form, which knows the
//! page it was opened from; one ticket with its clocks, history and moves; the figures as charts;
//! the weekly problem-handling report with its mail.

use crate::http::query::Query;
use axum::Form;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing;
use chrono::Duration;
use minijinja::{Value, context};
use serde::Deserialize;

use super::{errors_value, form_errors};
use crate::auth::Perm;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::{Ctx, Session};
use crate::http::pages::{ser, with_status};
use crate::ops::codes::{Category, Channel, Level, Priority, Status, System};
use crate::ops::{self, Move, NewTicket, TicketQuery};

fn codes() -> Value {
    fn all<T: Copy>(v: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
        v.iter().map(|x| f(*x)).collect()
    }
    context! {
        system => all(System::ALL, System::as_str),
        category => all(Category::ALL, Category::as_str),
        priority => all(Priority::ALL, Priority::as_str),
        channel => all(Channel::ALL, Channel::as_str),
        status => all(Status::ALL, Status::as_str),
        level => all(Level::ALL, Level::as_str),
    }
}

async fn list_page(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    q: TicketQuery,
    report: Option<Value>,
) -> Result<Response> {
    let p = &session.principal;
    let manager = p.has(Perm::ManageOps);
    let handler = p.has(Perm::HandleTickets);
    let mut views = vec![];
    if handler {
        views.push("queue");
    }
    views.push("reported");
    if manager || p.has(Perm::ViewAudit) {
        views.push("all");
    }
    let view = q
        .view
        .clone()
        .filter(|v| views.contains(&v.as_str()))
        .unwrap_or_else(|| views[0].to_string());
    let q = TicketQuery {
        view: Some(view.clone()),
        ..q
    };
    let page = ops::list(&s.db, p, &q).await?;
    let now = s.db.now();
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|t| context! { t => ser(t), timing => t.timing(&now) })
        .collect();
    Ok(s.pages.render(
        "ops_list.html",
        ctx,
        Some(session),
        context! { items, total => page.total, page => page.page, pages => page.pages(), views, view,
                   q => q.q, status => q.status, system => q.system, level => q.level,
                   sort => q.sort.unwrap_or_else(|| "-opened".into()), codes => codes(), manager, handler, report },
    ))
}

pub async fn list(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Query(q): Query<TicketQuery>,
) -> Result<Response> {
    list_page(&s, &ctx, &session, q, None).await
}

/// The ledger import from the list page; the report shows on the page.
pub async fn import(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    form: Multipart,
) -> Result<Response> {
    let up = super::read_upload(form).await?;
    let r = ops::exchange::import(&s.db, &session.principal, &up.bytes, up.dry_run).await?;
    let status = if r.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let q = TicketQuery {
        view: Some("all".into()),
        ..Default::default()
    };
    let page = list_page(&s, &ctx, &session, q, Some(ser(&r))).await?;
    Ok(with_status(page, status))
}

/// The system a page belongs to, from its path, to preselect in the report form.
fn system_of(path: &str) -> System {
    if path.starts_with("/catalog") {
        System::Catalog
    } else if path.starts_with("/hall") {
        System::Hall
    } else if path.starts_with("/inbox") || path.starts_with("/approvals") {
        System::Approval
    } else {
        System::Platform
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    page: Option<String>,
}

async fn new_page(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    f: Value,
    errors: Vec<(String, String)>,
) -> Result<Response> {
    let p = &session.principal;
    let engineer = p.has(Perm::HandleTickets);
    let units = if engineer {
        super::accounts::unit_options(s, p, Perm::HandleTickets).await?
    } else {
        vec![]
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = s.pages.render(
        "ops_new.html",
        ctx,
        Some(session),
        context! { f, errors => errors_value(&errors), codes => codes(), engineer, units },
    );
    Ok(with_status(html, status))
}

/// The report form. The page it was opened from (the `page` parameter, else the referring page
/// of this site) is filled in, and its system preselected.
pub async fn new(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    headers: HeaderMap,
    Query(q): Query<NewQuery>,
) -> Result<Response> {
    let from = q.page.or_else(|| {
        let r = headers.get(header::REFERER)?.to_str().ok()?;
        let host = headers.get(header::HOST)?.to_str().ok()?;
        let path = r.split_once(host)?.1;
        (!path.starts_with("/ops")).then(|| path.to_string())
    });
    let system = from.as_deref().map_or(System::Platform, system_of);
    let f = context! { system => system.as_str(), category => "fault", page_url => from };
    new_page(&s, &ctx, &session, f, vec![]).await
}

#[derive(Debug, Deserialize)]
pub struct NewForm {
    system: String,
    category: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    page_url: String,
    #[serde(default)]
    reporter: String,
    #[serde(default)]
    unit_id: String,
}

pub async fn create(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(f): Form<NewForm>,
) -> Result<Response> {
    let some = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
    let n = NewTicket {
        system: f.system.clone(),
        category: f.category.clone(),
        priority: some(&f.priority),
        channel: some(&f.channel),
        title: f.title.clone(),
        description: f.description.clone(),
        page_url: some(&f.page_url),
        reporter: some(&f.reporter),
        unit_id: f.unit_id.trim().parse().ok(),
    };
    match ops::create(&s.db, &session.principal, &n).await {
        Ok(t) => Ok(Redirect::to(&format!("/ops/tickets/{}", t.id)).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            let back = context! { system => f.system, category => f.category, priority => f.priority,
            channel => f.channel, title => f.title, description => f.description, page_url => f.page_url,
            reporter => f.reporter, unit_id => n.unit_id };
            new_page(&s, &ctx, &session, back, errs).await
        }
    }
}

pub(super) async fn ticket_page(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    id: i64,
    errors: Vec<(String, String)>,
) -> Result<Response> {
    let p = &session.principal;
    let v = ops::get(&s.db, p, id).await?;
    let st = v.ticket.status();
    let reporter = p.username == v.ticket.reporter;
    let moves: Vec<&str> = [
        Move::Respond,
        Move::Start,
        Move::Wait,
        Move::Resolve,
        Move::Close,
        Move::Reopen,
        Move::Comment,
    ]
    .into_iter()
    .filter(|m| ops::ticket::next(st, *m).is_some())
    .filter(|m| {
        v.can_handle
            || (reporter
                && (matches!(m, Move::Comment | Move::Close | Move::Reopen)
                    || (*m == Move::Start && st == Status::Waiting)))
    })
    .map(Move::as_str)
    .collect();
    let next_level = v.ticket.level().up().map(Level::as_str);
    let can_escalate = v.can_handle && st.is_open() && next_level.is_some();
    let unit_name = crate::org::get(&s.db, v.ticket.unit_id).await?.name;
    let known_errors = if v.can_handle {
        ser(&crate::ops::links::known_errors(&s.db, None).await?)
    } else {
        Value::from(Vec::<Value>::new())
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = s.pages.render(
        "ops_ticket.html",
        ctx,
        Some(session),
        context! { v => ser(&v), moves, can_escalate, next_level, unit_name, known_errors, errors => errors_value(&errors) },
    );
    Ok(with_status(html, status))
}

pub async fn show(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response> {
    ticket_page(&s, &ctx, &session, id, vec![]).await
}

#[derive(Debug, Deserialize)]
pub struct ActForm {
    #[serde(rename = "move")]
    move_: String,
    #[serde(default)]
    note: String,
}

pub async fn act(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Form(f): Form<ActForm>,
) -> Result<Response> {
    let move_: Move = serde_json::from_value(serde_json::Value::String(f.move_))
        .map_err(|_| Error::field("move", "field.type"))?;
    let a = ops::Act {
        move_,
        note: f.note,
    };
    match ops::act(&s.db, &session.principal, id, &a).await {
        Ok(_) => Ok(Redirect::to(&format!("/ops/tickets/{id}")).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            ticket_page(&s, &ctx, &session, id, errs).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
}

pub async fn escalate(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<i64>,
    Form(f): Form<NoteForm>,
) -> Result<Response> {
    match ops::escalate(&s.db, &session.principal, id, &f.note).await {
        Ok(_) => Ok(Redirect::to(&format!("/ops/tickets/{id}")).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            ticket_page(&s, &ctx, &session, id, errs).await
        }
    }
}

/// The figures as charts: each system, category and level, tickets and those resolved.
pub async fn stats(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Query(period): Query<ops::Period>,
) -> Result<Response> {
    let st = ops::stats(&s.db, &session.principal, &period).await?;
    let lang = ctx.lang;
    // In the codes' own order (levels bottom to top), not alphabetically.
    let group = |key: &str,
                 title: &str,
                 map: &std::collections::BTreeMap<String, ops::Figures>,
                 prefix: &str,
                 order: Vec<&str>| {
        let rows: Vec<Value> = order
            .into_iter()
            .filter_map(|code| map.get(code).map(|f| (code, f)))
            .map(|(code, f)| {
                context! { label => crate::i18n::tr(lang, &format!("{prefix}{code}")), value => f.total, part => f.resolved }
            })
            .collect();
        let max = map.values().map(|f| f.total).max().unwrap_or(0);
        context! { key, title => crate::i18n::tr(lang, title), rows, max }
    };
    let groups = vec![
        group(
            "system",
            "ops.by_system",
            &st.by_system,
            "ops.system.",
            System::ALL.iter().map(|v| v.as_str()).collect(),
        ),
        group(
            "category",
            "ops.by_category",
            &st.by_category,
            "ops.category.",
            Category::ALL.iter().map(|v| v.as_str()).collect(),
        ),
        group(
            "level",
            "ops.by_level",
            &st.by_level,
            "ops.level.",
            Level::ALL.iter().map(|v| v.as_str()).collect(),
        ),
    ];
    Ok(s.pages.render(
        "ops_stats.html",
        &ctx,
        Some(&session),
        context! { s => ser(&st), groups },
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct WeekForm {
    week: Option<String>,
    #[serde(default)]
    recipients: Option<String>,
}

/// The week's day asked for (this week when not given); one that does not parse is refused.
fn day_of(s: &AppState, week: Option<&str>) -> Result<chrono::NaiveDate> {
    Ok(crate::clock::filter_day("week", week)
        .map_err(|e| Error::Validation(vec![e]))?
        .unwrap_or_else(|| s.db.clock().today()))
}

async fn weekly_page(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    week: Option<&str>,
    sent: Option<String>,
    errors: Vec<(String, String)>,
) -> Result<Response> {
    let r = ops::report::weekly(&s.db, &session.principal, day_of(s, week)?).await?;
    let start = chrono::NaiveDate::parse_from_str(&r.week_start, "%Y-%m-%d").unwrap_or_default();
    let details: Vec<Value> = r
        .tickets
        .iter()
        .map(|t| context! { id => t.id, cells => ops::report::detail(t).to_vec() })
        .collect();
    let recipients = ops::report::recipients(&s.db).await?.join(", ");
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = s.pages.render(
        "ops_weekly.html",
        ctx,
        Some(session),
        context! { r => ser(&r), summary => ops::report::summary(&r).iter().map(|x| x.to_vec()).collect::<Vec<_>>(),
                   head => ops::report::SUMMARY_HEAD.to_vec(), detail_head => ops::report::DETAIL_HEAD.to_vec(), details,
                   prev => (start - Duration::days(7)).to_string(), next => (start + Duration::days(7)).to_string(),
                   manager => session.principal.has(Perm::ManageOps), recipients, sent, errors => errors_value(&errors) },
    );
    Ok(with_status(html, status))
}

pub async fn weekly(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Query(w): Query<WeekForm>,
) -> Result<Response> {
    weekly_page(&s, &ctx, &session, w.week.as_deref(), None, vec![]).await
}

pub async fn weekly_send(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(w): Form<WeekForm>,
) -> Result<Response> {
    if !session.principal.has(Perm::ManageOps) {
        return Err(Error::Forbidden);
    }
    let id = ops::report::send(&s.db, &session.principal, day_of(&s, w.week.as_deref())?).await?;
    let msg = crate::i18n::tr(
        ctx.lang,
        if id.is_some() {
            "ops.sent"
        } else {
            "ops.sent_nobody"
        },
    )
    .to_string();
    weekly_page(&s, &ctx, &session, w.week.as_deref(), Some(msg), vec![]).await
}

pub async fn weekly_recipients(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(w): Form<WeekForm>,
) -> Result<Response> {
    let list = w.recipients.clone().unwrap_or_default();
    match ops::report::set_recipients(&s.db, &session.principal, &list).await {
        Ok(_) => {
            let msg = crate::i18n::tr(ctx.lang, "ops.recipients_saved").to_string();
            weekly_page(&s, &ctx, &session, w.week.as_deref(), Some(msg), vec![]).await
        }
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            weekly_page(&s, &ctx, &session, w.week.as_deref(), None, errs).await
        }
    }
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ops", routing::get(list))
        .route(
            "/ops/import",
            routing::post(import).layer(DefaultBodyLimit::max(50 << 20)),
        )
        .route("/ops/new", routing::get(new).post(create))
        .route("/ops/tickets/{id}", routing::get(show))
        .route("/ops/tickets/{id}/act", routing::post(act))
        .route("/ops/tickets/{id}/escalate", routing::post(escalate))
        .route("/ops/stats", routing::get(stats))
        .route("/ops/weekly", routing::get(weekly))
        .route("/ops/weekly/send", routing::post(weekly_send))
        .route("/ops/weekly/recipients", routing::post(weekly_recipients))
}
