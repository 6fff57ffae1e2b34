//! A ticket as stored, its events, and the rules of its life (storage-free): which moves each
//! status allows, which level a unit's problems start at, who may handle a ticket.

use serde::{Deserialize, Serialize};

use super::codes::{Level, Status};
use crate::auth::{Perm, Principal, Role};
use crate::error::{Error, Result};
use crate::org::{self, Kind, Unit};
use crate::storage::{Db, query_as};

pub(super) const COLS: &str = "id, number, system, category, priority, channel, status, home_level, \
    level, escalated_to, vendor_status, unit_id, unit_path, reporter, title, description, page_url, \
    assignee, duplicate_of, known_error_id, off_hours, opened_at, first_response_at, resolved_at, \
    closed_at, response_due_at, resolution_warn_at, resolution_due_at, waiting_since, \
    first_response_seconds, response_met, resolution_met, response_breached_at, \
    resolution_breached_at, auto_escalated_at, created_by, updated_at";

#[derive(Debug, Clone, Serialize, crate::storage::FromRow, utoipa::ToSchema)]
pub struct Ticket {
    pub id: i64,
    /// 工单编号, e.g. `YW2026-000123`.
    pub number: String,
    pub system: String,
    pub category: String,
    pub priority: String,
    pub channel: String,
    pub status: String,
    /// The level it was first queued at: the reporter's unit's level.
    pub home_level: String,
    /// The queue it sits in now.
    pub level: String,
    /// The highest level it reached above its home level (none if never escalated).
    pub escalated_to: Option<String>,
    /// The developers' own status, once it went to them.
    pub vendor_status: Option<String>,
    pub unit_id: i64,
    pub unit_path: String,
    pub reporter: String,
    pub title: String,
    pub description: String,
    pub page_url: Option<String>,
    pub assignee: Option<String>,
    pub duplicate_of: Option<i64>,
    pub known_error_id: Option<i64>,
    /// Opened outside working time: the duty engineer's wall-clock target applies.
    pub off_hours: i64,
    pub opened_at: String,
    pub first_response_at: Option<String>,
    pub resolved_at: Option<String>,
    pub closed_at: Option<String>,
    pub response_due_at: String,
    pub resolution_warn_at: String,
    pub resolution_due_at: String,
    pub waiting_since: Option<String>,
    pub first_response_seconds: Option<i64>,
    pub response_met: Option<i64>,
    pub resolution_met: Option<i64>,
    pub response_breached_at: Option<String>,
    pub resolution_breached_at: Option<String>,
    pub auto_escalated_at: Option<String>,
    pub created_by: String,
    pub updated_at: String,
}

impl Ticket {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::New)
    }

    pub fn level(&self) -> Level {
        Level::parse(&self.level).unwrap_or(Level::District)
    }

    /// `ok`, `warning`, `breached`, `waiting` or `done`, for lists and colours, at `now` (stored
    /// form).
    pub fn timing(&self, now: &str) -> &'static str {
        if !self.status().is_open() {
            "done"
        } else if self.waiting_since.is_some() {
            "waiting"
        } else if now >= self.resolution_due_at.as_str()
            || (self.first_response_at.is_none() && now >= self.response_due_at.as_str())
        {
            "breached"
        } else if now >= self.resolution_warn_at.as_str() {
            "warning"
        } else {
            "ok"
        }
    }
}

#[derive(Debug, Clone, Serialize, crate::storage::FromRow, utoipa::ToSchema)]
pub struct Event {
    pub id: i64,
    pub ticket_id: i64,
    pub at: String,
    pub actor: String,
    /// opened, comment, respond, start, wait, resume, resolve, close, reopen, escalate,
    /// breach_response, breach_resolution, duplicate, known_error.
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub level: Option<String>,
    pub note: String,
}

/// What someone does to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Move {
    /// First answer to the reporter (首次响应).
    Respond,
    /// Work starts (or goes on after the reporter answered).
    Start,
    /// Waiting on the reporter: the resolution clock stops.
    Wait,
    Resolve,
    /// Confirmed solved; no more work.
    Close,
    Reopen,
    /// A note, without changing the status.
    Comment,
}

impl Move {
    pub fn as_str(self) -> &'static str {
        match self {
            Move::Respond => "respond",
            Move::Start => "start",
            Move::Wait => "wait",
            Move::Resolve => "resolve",
            Move::Close => "close",
            Move::Reopen => "reopen",
            Move::Comment => "comment",
        }
    }

    /// Whether this move answers the reporter (sets the first response when a handler makes it).
    pub fn answers(self) -> bool {
        !matches!(self, Move::Close | Move::Reopen)
    }
}

/// The status a move leads to, if the status allows it.
pub fn next(from: Status, m: Move) -> Option<Status> {
    use Status::*;
    match (from, m) {
        (s, Move::Comment) => Some(s),
        (New, Move::Respond) => Some(Responded),
        (New | Responded | Waiting, Move::Start) => Some(InProgress),
        (Responded | InProgress, Move::Wait) => Some(Waiting),
        (New | Responded | InProgress | Waiting, Move::Resolve) => Some(Resolved),
        (Resolved, Move::Close) => Some(Closed),
        (Resolved | Closed, Move::Reopen) => Some(InProgress),
        _ => None,
    }
}

/// The level at which a unit's problems are first taken: its community, else its street, else
/// the district (departments and halls belong to the unit they sit under).
pub fn level_of(units: &[Unit], unit: &Unit) -> Level {
    let mut kinds = Vec::new();
    let mut cur = Some(unit);
    while let Some(u) = cur {
        kinds.push(u.kind);
        cur = u.parent_id.and_then(|p| units.iter().find(|x| x.id == p));
    }
    if kinds.contains(&Kind::Community) {
        Level::Community
    } else if kinds.contains(&Kind::Street) {
        Level::Street
    } else {
        Level::District
    }
}

/// Whether `who` handles the ticket: an O&M manager over its unit; an engineer over its unit
/// whose own level is the ticket's queue or above (district engineers keep the developers' queue).
pub fn may_handle(who: &Principal, units: &[Unit], t: &Ticket) -> bool {
    if who.system {
        return true;
    }
    let queue = t.level().min(Level::District);
    who.grants.iter().any(|g| {
        if !t.unit_path.starts_with(&g.unit_path) {
            return false;
        }
        match g.role {
            Role::OmManager => true,
            Role::OmEngineer => units
                .iter()
                .find(|u| u.id == g.unit_id)
                .is_some_and(|u| level_of(units, u) >= queue),
            _ => false,
        }
    })
}

/// Whether `who` may see the ticket: its reporter or whoever logged it, the O&M engineers over
/// its unit at any level (an engineer follows a ticket they sent up), O&M managers and auditors.
pub fn may_see(who: &Principal, units: &[Unit], t: &Ticket) -> bool {
    who.username == t.reporter
        || who.username == t.created_by
        || may_handle(who, units, t)
        || who.can(Perm::HandleTickets, &t.unit_path)
        || who.can(Perm::ManageOps, &t.unit_path)
        || who.can(Perm::ViewAudit, &t.unit_path)
}

/// The ticket if `who` handles it; Forbidden if they only see it; NotFound otherwise.
pub(super) async fn handled(db: &Db, who: &Principal, id: i64) -> Result<Ticket> {
    let units = org::list(db).await?;
    let t = get_ticket(db, id).await?;
    if may_handle(who, &units, &t) {
        Ok(t)
    } else if may_see(who, &units, &t) {
        Err(Error::Forbidden)
    } else {
        Err(Error::NotFound)
    }
}

/// The ticket if `who` may see it; NotFound otherwise.
pub(super) async fn seen(db: &Db, who: &Principal, id: i64) -> Result<Ticket> {
    let units = org::list(db).await?;
    let t = get_ticket(db, id).await?;
    if may_see(who, &units, &t) {
        Ok(t)
    } else {
        Err(Error::NotFound)
    }
}

pub(super) async fn get_ticket(db: &Db, id: i64) -> Result<Ticket> {
    query_as::<Ticket>(format!("SELECT {COLS} FROM ops_tickets WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(Error::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn each_status_allows_its_moves_only() {
        assert_eq!(next(New, Move::Respond), Some(Responded));
        assert_eq!(next(Responded, Move::Respond), None);
        assert_eq!(next(InProgress, Move::Wait), Some(Waiting));
        assert_eq!(next(New, Move::Wait), None, "respond before asking");
        assert_eq!(next(Waiting, Move::Start), Some(InProgress));
        assert_eq!(next(Waiting, Move::Resolve), Some(Resolved));
        assert_eq!(next(Resolved, Move::Close), Some(Closed));
        assert_eq!(
            next(InProgress, Move::Close),
            None,
            "resolve before closing"
        );
        assert_eq!(next(Closed, Move::Reopen), Some(InProgress));
        assert_eq!(next(InProgress, Move::Reopen), None);
        assert_eq!(next(Closed, Move::Comment), Some(Closed));
    }
}
