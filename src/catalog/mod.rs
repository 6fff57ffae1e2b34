//! The responsibility list (权责清单) and the online hall's catalog: matters with their service
//! guides and application forms, their life cycle and versions, the consistency rules, per-level
//! configuration, search, and exchange with the province.

pub mod form;
pub mod lookup;
pub mod matter;

pub use matter::{Audience, Guide, Level, Matter, MatterType};
pub mod diff;
pub mod exchange;
pub mod repo;
pub mod search;
