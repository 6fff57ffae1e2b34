//! Performance management (绩效管理), the fifth system: a project's money and targets per year
//! (`document`), the figures the platform computes for that year (`sources`), the self-evaluation
//! score (`score`), the cross-checks that catch a figure that does not add up (`evaluation`),
//! and the store (`repo`). Money is exact fen end to end.

pub mod dashboard;
pub mod demo;
pub mod document;
pub mod entries;
pub mod evaluation;
pub mod exchange;
pub mod names;
pub mod narrative;
pub mod payments;
pub mod repo;
pub mod report;
pub mod requests;
pub mod schemes;
pub mod score;
pub mod sheet;
pub mod sources;

pub use document::Doc;
pub use evaluation::{Evaluation, Finding};
