//! Tickets in the store: opening one (its clocks set on the calendar), moving it, escalating it,
//! and the sweep that escalates tickets about to break their clock and records breaches. Every
//! change is one transaction with its event row and its audit entry.

use chrono::{DateTime, FixedOffset, Utc};
use serde::Deserialize;
use serde_json::json;

use super::codes::{Category, Channel, Level, Priority, Status, System};
use super::sla::{self, Policy};
use super::ticket::{COLS, Move, Ticket, level_of, may_handle, next};
use crate::approval::calendar::Hours;
use crate::approval::calendar_repo;
use crate::audit::{self, Change};
use crate::auth::Principal;
use crate::clock;
use crate::error::{Error, FieldError, Result};
use crate::org;
use crate::storage::{Db, Tx, query, query_as};

/// A problem reported from a page, or a call an engineer logs.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewTicket {
    pub system: String,
    pub category: String,
    /// `normal` unless given.
    #[serde(default)]
    pub priority: Option<String>,
    /// `web` unless given (an engineer logging a call says `phone`, `remote`, `onsite`…).
    #[serde(default)]
    pub channel: Option<String>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The page the problem was seen on.
    #[serde(default)]
    pub page_url: Option<String>,
    /// For a logged call: who called (their username or name); the caller's unit by id.
    #[serde(default)]
    pub reporter: Option<String>,
    #[serde(default)]
    pub unit_id: Option<i64>,
}

fn coded<T>(
    field: &str,
    v: Option<&str>,
    default: Option<T>,
    parse: fn(&str) -> Option<T>,
) -> Result<T, FieldError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => default.ok_or_else(|| FieldError::new(field, "field.required")),
        Some(s) => parse(s).ok_or_else(|| FieldError::with(field, "field.code_unknown", s)),
    }
}

pub(super) fn cst(s: &str) -> Option<DateTime<FixedOffset>> {
    clock::from_db(s).map(|t| t.with_timezone(&clock::cst()))
}

fn at(t: DateTime<FixedOffset>) -> String {
    clock::to_db(t.with_timezone(&Utc))
}

/// The service level promised for `p` (the bureau may have changed the defaults).
pub async fn policy(db: &Db, p: Priority) -> Result<Policy> {
    Ok(query_as::<Policy>(
        "SELECT response_minutes, resolution_minutes, offhours_response_minutes FROM ops_sla_policies WHERE priority = $1",
    )
    .bind(p.as_str())
    .fetch_optional(db)
    .await?
    .unwrap_or_else(|| Policy::default_for(p)))
}

/// Opens a ticket, queued at the level of the reporter's unit, with its clocks.
pub async fn create(db: &Db, who: &Principal, n: &NewTicket) -> Result<Ticket> {
    let mut errs = Vec::new();
    let system = coded("system", Some(&n.system), None, System::parse)
        .map_err(|e| errs.push(e))
        .ok();
    let category = coded("category", Some(&n.category), None, Category::parse)
        .map_err(|e| errs.push(e))
        .ok();
    let priority = coded(
        "priority",
        n.priority.as_deref(),
        Some(Priority::Normal),
        Priority::parse,
    )
    .map_err(|e| errs.push(e))
    .ok();
    let channel = coded(
        "channel",
        n.channel.as_deref(),
        Some(Channel::Web),
        Channel::parse,
    )
    .map_err(|e| errs.push(e))
    .ok();
    let title = n.title.trim();
    if title.is_empty() {
        errs.push(FieldError::new("title", "field.required"));
    } else if title.chars().count() > 120 {
        errs.push(FieldError::with("title", "field.too_long", "120"));
    }
    if n.description.chars().count() > 10_000 {
        errs.push(FieldError::with("description", "field.too_long", "10000"));
    }
    let units = org::list(db).await?;
    let unit_id = n.unit_id.or(who.org_unit_id);
    let unit = unit_id.and_then(|id| units.iter().find(|u| u.id == id));
    if unit.is_none() {
        errs.push(FieldError::new("unit_id", "field.required"));
    }
    let (Some(system), Some(category), Some(priority), Some(channel), Some(unit), true) =
        (system, category, priority, channel, unit, errs.is_empty())
    else {
        return Err(Error::Validation(errs));
    };
    // Logging a call for someone else is the desk's work.
    let reporter = match n
        .reporter
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(r) if r != who.username => {
            if !who.can(crate::auth::Perm::HandleTickets, &unit.path) {
                return Err(Error::Forbidden);
            }
            r.to_string()
        }
        _ => {
            if n.unit_id.is_some_and(|id| Some(id) != who.org_unit_id)
                && !who.can(crate::auth::Perm::HandleTickets, &unit.path)
            {
                return Err(Error::Forbidden);
            }
            who.username.clone()
        }
    };
    let level = level_of(&units, unit);
    let cal = calendar_repo::calendar(db).await?;
    let now = db.clock().now_utc().with_timezone(&clock::cst());
    let c = sla::clocks(&cal, &Hours::default(), &policy(db, priority).await?, now);
    let stamp = at(now);
    // Off hours, the engineer on duty takes it.
    let duty = if c.off_hours {
        super::duty::on_duty(db, now.date_naive()).await?
    } else {
        None
    };
    let mut tx = db.begin().await?;
    let id: i64 = crate::storage::query_scalar(
        "INSERT INTO ops_tickets (number, system, category, priority, channel, status, home_level, level, \
         unit_id, unit_path, reporter, title, description, page_url, off_hours, opened_at, response_due_at, \
         resolution_warn_at, resolution_due_at, created_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'new', $6, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $14) RETURNING id",
    )
    .bind(format!("new-{}", crate::auth::random_token()))
    .bind(system.as_str())
    .bind(category.as_str())
    .bind(priority.as_str())
    .bind(channel.as_str())
    .bind(level.as_str())
    .bind(unit.id)
    .bind(&unit.path)
    .bind(&reporter)
    .bind(title)
    .bind(n.description.trim())
    .bind(n.page_url.as_deref().map(|u| u.chars().take(500).collect::<String>()))
    .bind(i64::from(c.off_hours))
    .bind(&stamp)
    .bind(at(c.response_due))
    .bind(at(c.resolution_warn))
    .bind(at(c.resolution_due))
    .bind(&who.username)
    .fetch_one(&mut tx)
    .await?;
    let number = format!("YW{}-{id:06}", now.format("%Y"));
    query("UPDATE ops_tickets SET number = $1 WHERE id = $2")
        .bind(&number)
        .bind(id)
        .execute(&mut tx)
        .await?;
    event(
        &mut tx,
        id,
        &stamp,
        &who.username,
        "opened",
        None,
        Some(Status::New),
        Some(level),
        title,
    )
    .await?;
    if let Some(d) = &duty {
        super::duty::alert(&mut tx, d, id, &number, title).await?;
        event(
            &mut tx,
            id,
            &stamp,
            "system",
            "duty_alert",
            None,
            None,
            None,
            &d.0,
        )
        .await?;
    }
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "ticket.open",
            entity: "ticket",
            entity_id: number.clone(),
            scope_path: &unit.path,
            summary: format!("{number} {title}"),
            before: None,
            after: Some(json!({"system": system.as_str(), "category": category.as_str(), "priority": priority.as_str(), "level": level.as_str()})),
        },
    )
    .await?;
    let t = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(t)
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn event(
    tx: &mut Tx,
    ticket: i64,
    at: &str,
    actor: &str,
    kind: &str,
    from: Option<Status>,
    to: Option<Status>,
    level: Option<Level>,
    note: &str,
) -> Result<()> {
    query(
        "INSERT INTO ops_ticket_events (ticket_id, at, actor, kind, from_status, to_status, level, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(ticket)
    .bind(at)
    .bind(actor)
    .bind(kind)
    .bind(from.map(Status::as_str))
    .bind(to.map(Status::as_str))
    .bind(level.map(Level::as_str))
    .bind(note)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub(super) async fn load(tx: &mut Tx, id: i64) -> Result<Ticket> {
    query_as::<Ticket>(format!("SELECT {COLS} FROM ops_tickets WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Error::NotFound)
}

/// A move on a ticket, with a note (required to resolve, to wait and for a comment).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = TicketAct)]
pub struct Act {
    #[serde(rename = "move")]
    pub move_: Move,
    #[serde(default)]
    pub note: String,
}

/// Moves a ticket. Handlers move it; its reporter may comment, answer while it waits on them
/// (`start`), confirm (`close`) or `reopen` it. Only one of two people moving it at once succeeds.
pub async fn act(db: &Db, who: &Principal, id: i64, a: &Act) -> Result<Ticket> {
    let units = org::list(db).await?;
    let t = super::ticket::get_ticket(db, id).await?;
    let handler = may_handle(who, &units, &t);
    let reporter = who.username == t.reporter;
    let reporter_may = matches!(a.move_, Move::Comment | Move::Close | Move::Reopen)
        || (a.move_ == Move::Start && t.status() == Status::Waiting);
    if !(handler || (reporter && reporter_may)) {
        return Err(if super::ticket::may_see(who, &units, &t) {
            Error::Forbidden
        } else {
            Error::NotFound
        });
    }
    let note = a.note.trim();
    if note.is_empty() && matches!(a.move_, Move::Resolve | Move::Wait | Move::Comment) {
        return Err(Error::field("note", "field.required"));
    }
    let from = t.status();
    let to = next(from, a.move_).ok_or(Error::Conflict("err.ticket_move"))?;
    let now = db.clock().now_utc().with_timezone(&clock::cst());
    let stamp = at(now);
    let mut sets = vec!["status = $1".to_string(), "updated_at = $2".to_string()];
    let mut args: Vec<crate::storage::Arg> = vec![to.as_str().into(), stamp.clone().into()];
    let mut push = |col: &str, v: crate::storage::Arg| {
        args.push(v);
        sets.push(format!("{col} = ${}", args.len()));
    };
    if handler && a.move_.answers() && t.first_response_at.is_none() {
        let opened = cst(&t.opened_at).unwrap_or(now);
        push("first_response_at", stamp.clone().into());
        push(
            "first_response_seconds",
            (now - opened).num_seconds().max(0).into(),
        );
        push("response_met", i64::from(stamp <= t.response_due_at).into());
        push("assignee", who.username.clone().into());
    }
    // Leaving the wait moves the resolution clock by the working time waited.
    let mut due = t.resolution_due_at.clone();
    if from == Status::Waiting && to != Status::Waiting {
        if let (Some(since), Some(d), Some(w)) = (
            t.waiting_since.as_deref().and_then(cst),
            cst(&t.resolution_due_at),
            cst(&t.resolution_warn_at),
        ) {
            let cal = calendar_repo::calendar(db).await?;
            let h = Hours::default();
            due = at(sla::after_wait(&cal, &h, d, since, now));
            push("resolution_due_at", due.clone().into());
            push(
                "resolution_warn_at",
                at(sla::after_wait(&cal, &h, w, since, now)).into(),
            );
        }
        push(
            "waiting_since",
            crate::storage::Arg::Null(crate::storage::NullKind::Text),
        );
    }
    match to {
        Status::Waiting if from != Status::Waiting => push("waiting_since", stamp.clone().into()),
        Status::Resolved => {
            push("resolved_at", stamp.clone().into());
            push("resolution_met", i64::from(stamp <= due).into());
        }
        Status::Closed => push("closed_at", stamp.clone().into()),
        Status::InProgress if a.move_ == Move::Reopen => {
            push(
                "resolved_at",
                crate::storage::Arg::Null(crate::storage::NullKind::Text),
            );
            push(
                "resolution_met",
                crate::storage::Arg::Null(crate::storage::NullKind::Int),
            );
            push(
                "closed_at",
                crate::storage::Arg::Null(crate::storage::NullKind::Text),
            );
        }
        _ => {}
    }
    args.push(id.into());
    let id_n = args.len();
    args.push(from.as_str().into());
    let sql = format!(
        "UPDATE ops_tickets SET {} WHERE id = ${id_n} AND status = ${}",
        sets.join(", "),
        id_n + 1
    );
    let mut tx = db.begin().await?;
    let mut q = query(sql);
    for a in args {
        q = q.bind(a);
    }
    if q.execute(&mut tx).await?.rows_affected() == 0 {
        return Err(Error::Conflict("err.ticket_changed"));
    }
    event(
        &mut tx,
        id,
        &stamp,
        &who.username,
        a.move_.as_str(),
        Some(from),
        Some(to),
        None,
        note,
    )
    .await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: &format!("ticket.{}", a.move_.as_str()),
            entity: "ticket",
            entity_id: t.number.clone(),
            scope_path: &t.unit_path,
            summary: format!("{} {}", t.number, note),
            before: Some(json!({"status": from.as_str()})),
            after: Some(json!({"status": to.as_str()})),
        },
    )
    .await?;
    let t = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(t)
}

/// Sends a ticket one level up: community → street → district → the platform's developers.
pub async fn escalate(db: &Db, who: &Principal, id: i64, note: &str) -> Result<Ticket> {
    let t = super::ticket::handled(db, who, id).await?;
    let mut tx = db.begin().await?;
    let t = escalate_in(&mut tx, &t, &who.username, note.trim(), false).await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "ticket.escalate",
            entity: "ticket",
            entity_id: t.number.clone(),
            scope_path: &t.unit_path,
            summary: format!("{} → {}", t.number, t.level),
            before: None,
            after: Some(json!({"level": t.level})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(t)
}

/// The escalation itself (by hand or by the sweep), guarded on the level it had.
pub(super) async fn escalate_in(
    tx: &mut Tx,
    t: &Ticket,
    actor: &str,
    note: &str,
    auto: bool,
) -> Result<Ticket> {
    if !t.status().is_open() {
        return Err(Error::Conflict("err.ticket_move"));
    }
    let from = t.level();
    let to = from.up().ok_or(Error::Conflict("err.ticket_top_level"))?;
    let stamp = tx.now();
    let vendor = (to == Level::Developers).then_some("open");
    let n = query(
        "UPDATE ops_tickets SET level = $1, escalated_to = $1, vendor_status = COALESCE($2, vendor_status), \
         auto_escalated_at = CASE WHEN $3 = 1 THEN $4 ELSE auto_escalated_at END, updated_at = $4 \
         WHERE id = $5 AND level = $6",
    )
    .bind(to.as_str())
    .bind(vendor)
    .bind(i64::from(auto))
    .bind(&stamp)
    .bind(t.id)
    .bind(from.as_str())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(Error::Conflict("err.ticket_changed"));
    }
    let kind = if auto { "auto_escalate" } else { "escalate" };
    event(tx, t.id, &stamp, actor, kind, None, None, Some(to), note).await?;
    load(tx, t.id).await
}
