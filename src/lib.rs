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
pub mod blocking;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod config;
pub mod counter;
pub mod crypto;
pub mod days;
pub mod demo;
pub mod embedded;
pub mod error;
pub mod files;
pub mod http;
pub mod i18n;
pub mod ids;
pub mod licence;
pub mod mail;
pub mod money;
pub mod ops;
pub mod org;
pub mod performance;
pub mod print;
pub mod sheets;
pub mod stats;
pub mod storage;
pub mod text;
pub mod vault;

pub use error::{Error, Result};

/// The layers go one way, read from the source: no domain module reaches up into `http`, the
/// API and the pages do not import each other (what they share is in `http`'s own helpers), and
/// no handler runs SQL (it calls the domain, which does).
#[cfg(test)]
mod layering {
    fn files(dir: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(format!(
            "{}/src/{dir}",
            env!("CARGO_MANIFEST_DIR")
        ))];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.display().to_string();
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
        out
    }

    #[test]
    fn domain_modules_do_not_import_http() {
        let bad: Vec<String> = files("")
            .into_iter()
            .filter(|(p, _)| !p.contains("/src/http/") && !p.ends_with("/src/cli.rs"))
            .filter(|(p, _)| !p.ends_with("/src/lib.rs"))
            .filter(|(_, t)| t.contains("crate::http"))
            .map(|(p, _)| p)
            .collect();
        assert!(bad.is_empty(), "domain modules using http: {bad:?}");
    }

    #[test]
    fn api_and_pages_do_not_import_each_other() {
        let mut bad: Vec<String> = files("http/api")
            .into_iter()
            .filter(|(_, t)| t.contains("http::web") || t.contains("super::web"))
            .map(|(p, _)| p)
            .collect();
        bad.extend(
            files("http/web")
                .into_iter()
                .filter(|(_, t)| t.contains("http::api") || t.contains("super::api"))
                .map(|(p, _)| p),
        );
        assert!(bad.is_empty(), "api and web importing each other: {bad:?}");
    }

    #[test]
    fn handlers_run_no_sql() {
        let bad: Vec<String> = files("http")
            .into_iter()
            .filter(|(_, t)| {
                [
                    "storage::query",
                    "sqlx::query",
                    "\"SELECT ",
                    "INSERT INTO ",
                    "DELETE FROM ",
                ]
                .iter()
                .any(|q| t.contains(q))
            })
            .map(|(p, _)| p)
            .collect();
        assert!(bad.is_empty(), "SQL in handlers: {bad:?}");
    }
}
