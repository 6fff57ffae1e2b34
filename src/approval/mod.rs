//! The public approval platform (公共审批平台): the working-day calendar all deadlines use, and the
//! versioned approval workflow definitions (the engine that runs applications through them comes
//! next).

pub mod calendar;
pub mod calendar_repo;
pub mod definition;
pub mod diagram;
pub mod engine;
pub mod machine;
pub mod reach;
pub mod workflow_repo;
