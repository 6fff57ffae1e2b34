//! The operations desk (运维): the platform's own O&M team takes, escalates, solves and reports
//! every problem with the four systems. Tickets ([`ticket`], [`repo`], [`views`]) queue at the
//! reporter's level — community, street, district — and go up a level by hand or by themselves
//! when their clock is about to break, finally to the developers; their service-level clocks
//! ([`sla`]) run on the working-day calendar; [`stats`] gives the figures for any period.

pub mod checks;
pub mod codes;
pub mod demo;
pub mod duty;
pub mod exchange;
pub mod links;
pub mod repo;
pub mod report;
pub mod sla;
pub mod stats;
pub mod sweep;
pub mod ticket;
pub mod views;

pub use repo::{Act, NewTicket, act, create, escalate};
pub use stats::{Figures, Period, Stats, stats};
pub use sweep::sweep;
pub use ticket::{Event, Move, Ticket};
pub use views::{TicketQuery, TicketView, get, list};
