//! The public approval platform (公共审批平台): the working-day calendar all deadlines use, and (to
//! come) the versioned approval workflow engine.

pub mod calendar;
pub mod calendar_repo;
