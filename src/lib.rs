//! zhengwu (政务): a district's Internet+ government services platform.
//!
//! The library holds everything; `main.rs` only calls [`cli::run`]. Layers, from the bottom:
//! [`storage`] (one database handle over SQLite or PostgreSQL), the domain areas ([`org`],
//! [`accounts`], [`auth`], [`audit`]) with their rules and queries, and [`http`] (JSON API and
//! server-rendered pages). Later systems (catalog, approval, window, ops) get folders of their own.

pub mod accounts;
pub mod applications;
pub mod approval;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod config;
pub mod counter;
pub mod crypto;
pub mod demo;
pub mod error;
pub mod files;
pub mod http;
pub mod i18n;
pub mod ids;
pub mod licence;
pub mod mail;
pub mod ops;
pub mod org;
pub mod print;
pub mod sheets;
pub mod storage;
pub mod vault;

pub use error::{Error, Result};
