//! Every page of the demo district, as each demo role (and a stranger) reaches it by following
//! links from the home page: each answers, and none shows people raw data — an i18n key, JSON,
//! `true`/`false`, an unmasked resident ID number, English words in the Chinese UI — or an
//! inline style the site's own CSP would refuse.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

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

/// One page per shape: `/accounts/7` and `/accounts/18` are the same page to check.
pub fn shape(href: &str) -> String {
    let path = href.split(['?', '#']).next().unwrap_or("");
    let digits = Regex::new(r"\d+").unwrap();
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
/// record as stored; a `<textarea class="code">`: a print template's source being edited), which
/// is shown as the identifier it is.
fn visible(html: &str) -> String {
    let blocks = Regex::new(
        r#"(?s)<(script|style|template|code)\b.*?</(script|style|template|code)>|<textarea[^>]*class="code"[^>]*>.*?</textarea>"#,
    )
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

    /// What is wrong with a page; `zh`: the Chinese UI, where English words are wrong too.
    fn problems(&self, html: &str, zh: bool) -> Vec<String> {
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
        for m in self.english.find_iter(&text).filter(|_| zh) {
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

/// Follows links (and redirects) from `start` as `c`, up to `limit` distinct page shapes and three
/// pages of each (an application in three states links to different pages); answers every HTML
/// page reached, as its path and body, and the problems of pages that did not answer 200.
pub async fn pages(
    app: &TestApp,
    c: &Client,
    who: &str,
    start: &[String],
    limit: usize,
) -> (Vec<(String, String)>, Vec<String>) {
    let href = Regex::new(r#"href="([^"]+)""#).unwrap();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut fetched = BTreeSet::new();
    let mut queue: VecDeque<String> = start.iter().cloned().collect();
    let mut problems = Vec::new();
    let mut out = Vec::new();
    while let Some(path) = queue.pop_front() {
        let key = shape(&path);
        let n = seen.get(&key).copied().unwrap_or(0);
        if n >= 3 || (n == 0 && seen.len() >= limit) || !fetched.insert(path.clone()) {
            continue;
        }
        seen.insert(key, n + 1);
        let r = c.get(app.url(&path)).send().await.unwrap();
        let status = r.status();
        if status.is_redirection() {
            if let Some(to) = r.headers().get("location").and_then(|v| v.to_str().ok())
                && followable(to)
            {
                queue.push_back(to.to_string());
            }
            // Reached, with nothing of its own to read.
            out.push((path, String::new()));
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
        for cap in href.captures_iter(&body) {
            // minijinja escapes `/` in attributes.
            let h = cap[1].replace("&#x2f;", "/").replace("&amp;", "&");
            if followable(&h) {
                queue.push_back(h);
            }
        }
        out.push((path, body));
    }
    // A crawl that stopped early would pass for the wrong reason.
    assert!(
        out.len() >= 10,
        "{who} reached only {} pages: {seen:?}",
        out.len()
    );
    (out, problems)
}

/// The demo district with every demo role's password set to the tests' one, and a matter's
/// draft under way (so its differences from the published version are on its page).
pub async fn demo_app() -> TestApp {
    let app = TestApp::empty().await;
    zhengwu::demo::ensure(&app.db, Some(crate::support::PASSWORD))
        .await
        .unwrap();
    let who = zhengwu::auth::principal_of(&app.db, "matter.admin")
        .await
        .unwrap();
    let (_, mut m) = zhengwu::catalog::repo::public(&app.db, "440309002002000")
        .await
        .unwrap();
    m.guide.materials[0].required = !m.guide.materials[0].required;
    m.guide.faq.push(zhengwu::catalog::matter::Faq {
        q: "可以网上办理吗？".into(),
        a: "可以。".into(),
    });
    zhengwu::catalog::repo::save_draft(&app.db, &who, &m.code.clone(), m, None)
        .await
        .unwrap();
    app
}

/// The demo's signed-in roles.
pub const ROLES: [&str; 10] = [
    "admin",
    "minzhi.admin",
    "auditor",
    "clerk",
    "approver",
    "matter.admin",
    "om.engineer",
    "om.manager",
    "citizen",
    "finance",
];

/// Where a stranger starts: the site's front doors, and a rating link as a receipt's QR code
/// carries it (an applicant at the counter has no account).
pub async fn public(app: &TestApp) -> Vec<String> {
    let token: String = zhengwu::storage::query_scalar(
        "SELECT rating_token FROM applications WHERE rating_token IS NOT NULL ORDER BY id LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .expect("the demo has a decided application");
    ["/hall", "/login", "/register", "/verify"]
        .into_iter()
        .map(String::from)
        .chain([format!("/rate/{token}")])
        .collect()
}

/// The web router's pages: every `GET` route in `src/http/web/`, as a pattern over paths.
fn web_routes() -> Vec<(String, Regex)> {
    let route = Regex::new(r#"\.route\(\s*"([^"]+)",\s*(?:routing::)?get\("#).unwrap();
    let param = Regex::new(r"\{[a-z_]+\}").unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/http/web");
    let mut out = Vec::new();
    for f in std::fs::read_dir(dir).unwrap() {
        let src = std::fs::read_to_string(f.unwrap().path()).unwrap();
        for cap in route.captures_iter(&src) {
            let pattern = format!(
                "^{}$",
                param.replace_all(
                    &regex::escape(&cap[1])
                        .replace(r"\{", "{")
                        .replace(r"\}", "}"),
                    "[^/]+"
                )
            );
            out.push((cap[1].to_string(), Regex::new(&pattern).unwrap()));
        }
    }
    assert!(out.len() >= 40, "only {} routes found in {dir}", out.len());
    out
}

/// Routes that are not pages to look at: a switch, or files (checked by their own tests).
const NOT_PAGES: [&str; 6] = [
    "/lang/{code}",
    "/accounts/export",
    "/applications/queue.xlsx",
    "/verify/{number}/licence.pdf",
    "/verify/{number}/qr.svg",
    "/rate/{token}/qr.svg",
];

async fn crawl(
    app: &TestApp,
    c: &Client,
    who: &str,
    start: &[String],
    checks: &Checks,
    limit: usize,
    reached: &mut BTreeSet<String>,
) -> Vec<String> {
    let (seen, mut problems) = pages(app, c, who, start, limit).await;
    let zh = !who.ends_with("(en)");
    for (path, body) in seen {
        if !body.is_empty() && zh != body.contains("<html lang=\"zh-CN\"") {
            problems.push(format!("{who} {path}: in the wrong language"));
        }
        for p in checks.problems(&body, zh) {
            problems.push(format!("{who} {path}: {p}"));
        }
        reached.insert(path.split(['?', '#']).next().unwrap_or("").to_string());
    }
    problems
}

#[tokio::test]
async fn no_page_of_the_demo_shows_raw_data_to_anyone() {
    let app = demo_app().await;
    // Usernames, licences' verification codes and projects' codes (and their parts) are shown
    // as they are, on purpose.
    let codes: Vec<String> = zhengwu::storage::query_scalar(
        "SELECT username FROM users UNION SELECT verify_code FROM licences \
         UNION SELECT code FROM perf_projects",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let usernames: Vec<String> = codes
        .iter()
        .flat_map(|c| c.split('-').map(String::from).chain([c.clone()]))
        .collect();
    let checks = Checks::new(&usernames);
    let mut problems = Vec::new();
    let mut reached = BTreeSet::new();
    let stranger = browser();
    problems.extend(
        crawl(
            &app,
            &stranger,
            "stranger",
            &public(&app).await,
            &checks,
            40,
            &mut reached,
        )
        .await,
    );
    for who in ROLES {
        let c = browser();
        sign_in(&app, &c, who).await;
        problems.extend(crawl(&app, &c, who, &["/".into()], &checks, 120, &mut reached).await);
    }
    // The English UI: no raw keys, JSON or raw values either.
    for who in ["stranger", "admin", "clerk", "approver", "citizen"] {
        let c = browser();
        if who != "stranger" {
            sign_in(&app, &c, who).await;
        }
        c.get(app.url("/lang/en")).send().await.unwrap();
        let start = if who == "stranger" {
            public(&app).await
        } else {
            vec!["/".into()]
        };
        let name = format!("{who} (en)");
        problems.extend(crawl(&app, &c, &name, &start, &checks, 120, &mut reached).await);
    }
    // Every page the web router serves was reached by someone (so was checked).
    for (route, pattern) in web_routes() {
        if !NOT_PAGES.contains(&route.as_str()) && !reached.iter().any(|p| pattern.is_match(p)) {
            problems.push(format!("no role reached {route}"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
