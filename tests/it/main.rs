//! Integration tests: each starts the real server on port 0 with its own fresh store — SQLite in
//! a temp dir, or a new database on the PostgreSQL server named by `ZHENGWU_TEST_PG` — and talks
//! to it over HTTP.

mod accounts;
mod applications;
mod approvals;
mod attachments;
mod audit;
mod auth;
mod authz;
mod authz_matrix;
mod axe;
mod browser;
mod browser_apply;
mod browser_day;
mod browser_ops;
mod browser_performance;
mod browser_phone;
mod browser_stats;
mod calendar;
mod catalog;
mod cli;
mod clocks;
mod counter;
mod counter_web;
mod crawl;
mod demo;
mod demo_matrix;
mod halls;
mod import;
mod inbox;
mod licences;
mod ops;
mod ops_desk;
mod ops_ledger;
mod ops_report;
mod org;
mod performance;
mod performance_payments;
mod performance_report;
mod performance_requests;
mod performance_schemes;
mod security;
mod smtp;
mod stats;
mod web;
mod workflow;

/// What the scenario files share: the server with its fixture, and helpers by area.
mod support;
