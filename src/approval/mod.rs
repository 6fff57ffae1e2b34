//! The public approval platform (公共审批平台): the working-day calendar all deadlines use (with
//! the yearly holiday notice), the versioned approval workflow definitions, and the engine that
//! runs applications through them.

pub mod calendar;
pub mod calendar_notice;
pub mod calendar_repo;
pub mod definition;
pub mod diagram;
pub mod engine;
pub mod four_eyes;
pub mod machine;
pub mod reach;
pub mod workflow_repo;
