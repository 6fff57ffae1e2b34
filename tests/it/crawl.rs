//! Every page of the demo district, as each demo role (and a stranger) reaches it by following
//! links from the home page: each answers, and none shows people raw data — an i18n key, JSON,
//! `true`/`false`, an unmasked resident ID number, English words in the Chinese UI — or an
//! inline style the site's own CSP would refuse.

use std::collections::{BTreeSet, VecDeque};

use regex::Regex;
use reqwest::{Client, StatusCode};

use crate::support::TestApp;
use crate::support::pages::{browser, sign_in};

/// Links not to follow: leaving the session or the page language, files, the API.
fn followable(href: &str) -> bool {
    href.starts_with('/')
        && !href.starts_with("//")
        && ![
            "/logout", "/lang/", "/static/", "/api/", "/metrics", "/healthz",
        ]
        .iter()
        .any(|p| href.starts_with(p))
        && ![
            ".xlsx",
            ".pdf",
            ".csv",
            ".svg",
            ".png",
            "/export",
            "format=csv",
        ]
        .iter()
        .any(|s| href.split('#').next().unwrap_or("").contains(s))
}

/// One page per shape: `/accounts/17` and `/accounts/18` are the same page to check.
fn shape(href: &str) -> String {
    let path = href.split(['?', '#']).next().unwrap_or("");
    let digits = Regex::new(r"\d{2,}").unwrap();
    let query = href
        .split_once('?')
        .map(|(_, q)| {
            // Which parameters, not their values: a filter, a page, a year.
            let mut keys: Vec<&str> = q
                .split('&')
                .map(|kv| kv.split('=').next().unwrap_or(""))
                .collect();
            keys.sort();
            keys.join("&")
        })
        .unwrap_or_default();
    format!("{}?{query}", digits.replace_all(path, "N"))
}

/// The text a person reads on the page: no scripts, styles, tags or attributes — and not what a
/// page marks as code (`<code>`: a file's column names, a form field's machine key, an audit
/// record as stored), which is shown as the identifier it is.
fn visible(html: &str) -> String {
    let blocks =
        Regex::new(r"(?s)<(script|style|template|code)\b.*?</(script|style|template|code)>")
            .unwrap();
    let tags = Regex::new(r"(?s)<[^>]*>").unwrap();
    let text = blocks.replace_all(html, " ");
    let text = tags.replace_all(&text, " ");
    text.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&#x2f;", "/")
}

struct Checks {
    key: Regex,
    json: Regex,
    boolean: Regex,
    id: Regex,
    english: Regex,
    email: Regex,
    file: Regex,
    allowed: BTreeSet<String>,
}

impl Checks {
    fn new(usernames: &[String]) -> Checks {
        let mut allowed: BTreeSet<String> = usernames.iter().cloned().collect();
        // Words that are Chinese UI's own: brands, units, formats, the language switch.
        for w in [
            "English",
            "PDF",
            "Excel",
            "XLSX",
            "CSV",
            "SVG",
            "QR",
            "ID",
            "Argon2",
            "SMTP",
            "API",
            "HTTP",
            "HTTPS",
            "SLA",
            "IP",
            "URL",
            "CPU",
            "MB",
            "GB",
            "KB",
            "OpenAPI",
            "Chromium",
            "zhengwu",
            "WAL",
            "SQLite",
            "PostgreSQL",
            "A",
            "B",
            "C",
            "D",
            "SM2",
            "SM3",
            "SM4",
            "Ed25519",
            "SHA256",
            "v1",
            "v2",
            "Word",
            "Office",
            "OFD",
            "WPS",
            "UTF",
            "JSON",
            "Ctrl",
            "Enter",
            "Tab",
            "ZIP",
            "JPG",
            "PNG",
            "GIF",
            "WebP",
            "TIFF",
            "docx",
            "xlsx",
        ] {
            allowed.insert(w.to_string());
        }
        Checks {
            key: Regex::new(
                r"\b(?:nav|ui|col|app|ap|cat|hall|counter|ops|fu|rate|lic|audit|role|kind|field|err|cal|win|kiosk|reg|print|mtype|card|home|login|wf|org|acc|imp|st|sla|desk|mail|msg)\.[a-z_]+(?:\.[a-z_]+)*\b",
            )
            .unwrap(),
            json: Regex::new(r#"[\{\[]\s*"[a-z_]+"\s*:"#).unwrap(),
            boolean: Regex::new(r"\b(?:true|false|null|None|Some)\b").unwrap(),
            id: Regex::new(r"\b\d{17}[\dXx]\b").unwrap(),
            english: Regex::new(r"\b[A-Za-z][A-Za-z_.]{2,}\b").unwrap(),
            email: Regex::new(r"\S+@\S+|https?://\S+").unwrap(),
            file: Regex::new(r"\S+\.(?:pdf|png|jpe?g|docx|xlsx|zip|gif|webp|tiff?)\b").unwrap(),
            allowed,
        }
    }

    fn problems(&self, html: &str) -> Vec<String> {
        let mut out = Vec::new();
        if html.contains(" style=\"") {
            out.push("an inline style (refused by the CSP)".into());
        }
        let text = visible(html);
        let text = self.email.replace_all(&text, " ");
        let text = self.file.replace_all(&text, " ");
        for m in self.key.find_iter(&text) {
            out.push(format!("raw key {}", m.as_str()));
        }
        for m in self.json.find_iter(&text) {
            out.push(format!("JSON {}", m.as_str()));
        }
        for m in self.boolean.find_iter(&text) {
            out.push(format!("raw value {}", m.as_str()));
        }
        for m in self.id.find_iter(&text) {
            if zhengwu::ids::ResidentId::parse(m.as_str()).is_ok() {
                out.push(format!("unmasked ID {}", m.as_str()));
            }
        }
        for m in self.english.find_iter(&text) {
            let w = m.as_str().trim_end_matches('.');
            if !self.allowed.contains(w) && !self.allowed.contains(&w.to_ascii_lowercase()) {
                out.push(format!("English {w:?}"));
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Follows links from `start` as `c` (at most `limit` distinct page shapes); answers the problems.
async fn crawl(
    app: &TestApp,
    c: &Client,
    who: &str,
    start: &[&str],
    checks: &Checks,
    limit: usize,
) -> Vec<String> {
    let href = Regex::new(r#"href="([^"]+)""#).unwrap();
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<String> = start.iter().map(|s| s.to_string()).collect();
    let mut problems = Vec::new();
    let mut pages = 0;
    while let Some(path) = queue.pop_front() {
        if seen.len() >= limit || !seen.insert(shape(&path)) {
            continue;
        }
        let r = c.get(app.url(&path)).send().await.unwrap();
        let status = r.status();
        if status.is_redirection() {
            continue;
        }
        let is_html = r
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html"));
        let body = r.text().await.unwrap();
        if status != StatusCode::OK {
            problems.push(format!("{who} {path}: {status}"));
            continue;
        }
        if !is_html {
            continue;
        }
        pages += 1;
        for p in checks.problems(&body) {
            problems.push(format!("{who} {path}: {p}"));
        }
        for cap in href.captures_iter(&body) {
            // minijinja escapes `/` in attributes.
            let h = cap[1].replace("&#x2f;", "/").replace("&amp;", "&");
            if followable(&h) {
                queue.push_back(h);
            }
        }
    }
    // A crawl that stopped early would pass for the wrong reason.
    assert!(pages >= 10, "{who} reached only {pages} pages: {seen:?}");
    problems
}

#[tokio::test]
async fn no_page_of_the_demo_shows_raw_data_to_anyone() {
    let app = TestApp::empty().await;
    zhengwu::demo::ensure(&app.db, Some(crate::support::PASSWORD))
        .await
        .unwrap();
    let usernames: Vec<String> = zhengwu::storage::query_scalar("SELECT username FROM users")
        .fetch_all(&app.db)
        .await
        .unwrap();
    let checks = Checks::new(&usernames);
    let mut problems = Vec::new();
    let stranger = browser();
    problems.extend(
        crawl(
            &app,
            &stranger,
            "stranger",
            &["/hall", "/login", "/register", "/verify"],
            &checks,
            40,
        )
        .await,
    );
    for who in [
        "admin",
        "minzhi.admin",
        "auditor",
        "clerk",
        "approver",
        "matter.admin",
        "om.engineer",
        "om.manager",
        "citizen",
    ] {
        let c = browser();
        sign_in(&app, &c, who).await;
        problems.extend(crawl(&app, &c, who, &["/"], &checks, 80).await);
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
