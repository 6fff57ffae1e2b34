//! Reading tickets: one with its history, and lists — an engineer's queue (the tickets at their
//! level in their units), what one reported, or everything in the units a manager oversees —
//! filtered, sorted and paged in SQL.

use serde::{Deserialize, Serialize};

use super::codes::Level;
use super::ticket::{COLS, Event, Ticket, get_ticket, level_of, may_see};
use crate::auth::{Perm, Principal, Role};
use crate::error::{Error, Result};
use crate::org;
use crate::storage::{Db, Page, Sql, query_as};

/// A ticket with its history, oldest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TicketView {
    pub ticket: Ticket,
    pub events: Vec<Event>,
    /// `ok`, `warning`, `breached`, `waiting` or `done`.
    pub timing: String,
    /// Whether the viewer handles it (may respond, resolve, escalate).
    pub can_handle: bool,
    /// Files attached to it.
    pub files: Vec<crate::files::FileMeta>,
    /// The known error it is linked to, with its fix.
    pub known_error: Option<super::links::KnownError>,
    /// The number of the ticket it duplicates.
    pub duplicate_of_number: Option<String>,
}

pub async fn get(db: &Db, who: &Principal, id: i64) -> Result<TicketView> {
    let ticket = get_ticket(db, id).await?;
    let units = org::list(db).await?;
    if !may_see(who, &units, &ticket) {
        return Err(Error::NotFound);
    }
    let events = query_as::<Event>(
        "SELECT id, ticket_id, at, actor, kind, from_status, to_status, level, note \
         FROM ops_ticket_events WHERE ticket_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    let known_error = match ticket.known_error_id {
        Some(k) => super::links::known_error(db, k).await?,
        None => None,
    };
    let duplicate_of_number = match ticket.duplicate_of {
        Some(d) => Some(get_ticket(db, d).await?.number),
        None => None,
    };
    Ok(TicketView {
        timing: ticket.timing(&db.now()).to_string(),
        can_handle: super::ticket::may_handle(who, &units, &ticket),
        files: super::links::ticket_files(db, id).await?,
        known_error,
        duplicate_of_number,
        ticket,
        events,
    })
}

/// List filters; all optional.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    /// `queue` (default: the tickets waiting at the caller's level in their units), `reported`
    /// (the caller's own reports and logged calls) or `all` (managers and auditors: their units).
    pub view: Option<String>,
    /// A status code; `open` for every status still needing work.
    pub status: Option<String>,
    pub system: Option<String>,
    pub level: Option<String>,
    /// Part of the number, title or reporter.
    pub q: Option<String>,
    /// `opened` (default, newest first), `due`, `priority`; prefix `-` to reverse.
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Tickets a list shows, with the filters as asked.
pub async fn list(db: &Db, who: &Principal, f: &TicketQuery) -> Result<Page<Ticket>> {
    let mut s = Sql::new(format!("SELECT {COLS} FROM ops_tickets WHERE "));
    let mut c = Sql::new("SELECT COUNT(*) FROM ops_tickets WHERE ");
    for sql in [&mut s, &mut c] {
        scope(db, who, f.view.as_deref().unwrap_or("queue"), sql).await?;
        filters(f, sql);
    }
    let total: i64 = c.scalar().fetch_one(db).await?;
    let sort = f.sort.as_deref().unwrap_or("-opened");
    let (desc, key) = match sort.strip_prefix('-') {
        Some(k) => (true, k),
        None => (false, sort),
    };
    let col = match key {
        "due" => "resolution_due_at",
        "priority" => {
            "CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END"
        }
        _ => "opened_at",
    };
    s.push(&format!(
        " ORDER BY {col} {}, id DESC",
        if desc { "DESC" } else { "ASC" }
    ));
    let (page, per_page) = s.paged(f.page, f.per_page);
    let items = s.query_as::<Ticket>().fetch_all(db).await?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

async fn scope(db: &Db, who: &Principal, view: &str, s: &mut Sql) -> Result<()> {
    match view {
        "reported" => {
            s.push("(reporter = ")
                .bind(who.username.as_str())
                .push(" OR created_by = ")
                .bind(who.username.as_str())
                .push(")");
        }
        "all" => {
            let mut paths = who.scopes(Perm::ManageOps);
            paths.extend(who.scopes(Perm::ViewAudit));
            if paths.is_empty() {
                return Err(Error::Forbidden);
            }
            s.any_subtree("unit_path", &paths);
        }
        _ => {
            if who.system {
                s.push("1 = 1");
                return Ok(());
            }
            let units = org::list(db).await?;
            let mut any = false;
            s.push("(");
            for g in &who.grants {
                let level = match g.role {
                    Role::OmManager => None,
                    Role::OmEngineer => {
                        let Some(u) = units.iter().find(|u| u.id == g.unit_id) else {
                            continue;
                        };
                        Some(level_of(&units, u))
                    }
                    _ => continue,
                };
                if any {
                    s.push(" OR ");
                }
                any = true;
                s.push("(")
                    .any_subtree("unit_path", std::slice::from_ref(&g.unit_path));
                match level {
                    Some(Level::District) => {
                        s.push(" AND level IN ('district', 'developers')");
                    }
                    Some(l) => {
                        s.push(" AND level = ").bind(l.as_str());
                    }
                    None => {}
                }
                s.push(")");
            }
            if !any {
                return Err(Error::Forbidden);
            }
            s.push(")");
        }
    }
    Ok(())
}

fn filters(f: &TicketQuery, s: &mut Sql) {
    match f.status.as_deref().filter(|v| !v.is_empty()) {
        Some("open") => {
            s.push(" AND status IN ('new', 'responded', 'in_progress', 'waiting')");
        }
        Some(st) => {
            s.push(" AND status = ").bind(st);
        }
        None => {}
    }
    if let Some(v) = f.system.as_deref().filter(|v| !v.is_empty()) {
        s.push(" AND system = ").bind(v);
    }
    if let Some(v) = f.level.as_deref().filter(|v| !v.is_empty()) {
        s.push(" AND level = ").bind(v);
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        s.push(" AND ")
            .contains_any(&["number", "title", "reporter"], q);
    }
}
