//! The authorisation matrix: every API operation (taken from the OpenAPI document, itself checked
//! against the routes declared in `src/http/api/mod.rs`) called by every kind of caller — no one,
//! the citizen who owns the records, another citizen, a window clerk of the records' street and
//! one of another street, and each staff role at that street — against real records of 民治街道.
//! What each operation may answer with success is written down once, in [`MATRIX`]: the callers
//! that succeed (2xx). Everyone else must not; no one at all is answered anything but 401 by an
//! operation that needs a session; an operation without a row fails the test, as does a row whose
//! operation is gone. Bodies are empty JSON objects: a write that is refused for its content (422)
//! has not succeeded, so for writes the matrix shows who gets past authorisation with the least
//! possible request — never a citizen into a staff operation.
//!
//! To see what the server answers now (to add a row for a new operation, after reviewing it):
//! `ZHENGWU_AUTHZ_PRINT=1 cargo test --test it authz_matrix -- --nocapture`.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::StatusCode;
use serde_json::json;

use crate::support::approval::{Setup, setup};
use crate::support::filing::{HALL, PDF, form, upload};
use crate::support::{TestApp, json_of};

/// The callers, by column name: the username they sign in as (none for `anon`).
const CALLERS: [(&str, &str); 12] = [
    ("anon", ""),
    ("cit_a", "cit.a"),
    ("cit_b", "cit.b"),
    ("clerk", "window_clerk"),
    ("clerk_lh", "lh_staff"),
    ("approver", "approver"),
    ("dept_admin", "department_admin"),
    ("matter_admin", "matter_admin"),
    ("om_eng", "om_engineer"),
    ("om_mgr", "om_manager"),
    ("bureau", "bureau_admin"),
    ("auditor", "auditor"),
];

/// Operation → the callers it answers with success (space-separated column names; `-` for none).
const MATRIX: &[(&str, &str)] = &[
    ("DELETE /api/v1/accounts/{id}/grants/{gid}", "-"),
    ("DELETE /api/v1/ops/duty/{id}", "-"),
    (
        "GET /api/v1/accounts",
        "dept_admin om_eng om_mgr bureau auditor",
    ),
    (
        "GET /api/v1/accounts/{id}",
        "dept_admin om_eng om_mgr bureau auditor",
    ),
    (
        "GET /api/v1/applications/mine",
        "cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    ("GET /api/v1/applications/queue", "clerk clerk_lh"),
    (
        "GET /api/v1/applications/{id}",
        "cit_a clerk dept_admin bureau auditor",
    ),
    (
        "GET /api/v1/applications/{id}/files/{file}",
        "cit_a clerk dept_admin bureau auditor",
    ),
    ("GET /api/v1/applications/{id}/followups", "cit_a"),
    ("GET /api/v1/applications/{id}/notices/{kind}", "-"),
    ("GET /api/v1/approvals", "dept_admin bureau"),
    (
        "GET /api/v1/approvals/inbox",
        "cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    ("GET /api/v1/approvals/{id}", "-"),
    ("GET /api/v1/approvals/{id}/files/{file}", "-"),
    ("GET /api/v1/audit", "dept_admin bureau auditor"),
    ("GET /api/v1/audit/export", "dept_admin bureau auditor"),
    ("GET /api/v1/calendar/add-working-days", "-"),
    (
        "GET /api/v1/calendar/hours/{unit_id}",
        "anon cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    (
        "GET /api/v1/calendar/{year}",
        "anon cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    (
        "GET /api/v1/catalog/export",
        "dept_admin matter_admin bureau",
    ),
    ("GET /api/v1/files/{id}", "cit_a"),
    ("GET /api/v1/followups", "approver dept_admin bureau"),
    (
        "GET /api/v1/halls/{code}/display",
        "anon cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    (
        "GET /api/v1/halls/{code}/windows",
        "cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    ("GET /api/v1/licences", "-"),
    (
        "GET /api/v1/licences/mine",
        "cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    (
        "GET /api/v1/licences/{number}/status",
        "anon cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    ("GET /api/v1/matters", "dept_admin matter_admin bureau"),
    ("GET /api/v1/stats/assessment", "dept_admin bureau auditor"),
    ("GET /api/v1/stats/targets", "dept_admin bureau auditor"),
    ("PUT /api/v1/stats/targets", "-"),
    ("GET /api/v1/reports", "dept_admin bureau auditor"),
    ("GET /api/v1/reports/{id}", "dept_admin bureau auditor"),
    ("GET /api/v1/reports/{id}/run", "dept_admin bureau auditor"),
    (
        "GET /api/v1/reports/{id}/run.xlsx",
        "dept_admin bureau auditor",
    ),
    ("POST /api/v1/reports", "-"),
    ("PUT /api/v1/reports/{id}", "-"),
    ("DELETE /api/v1/reports/{id}", "-"),
    ("GET /api/v1/stats/ranking", "dept_admin bureau auditor"),
    ("GET /api/v1/stats/warnings", "dept_admin bureau auditor"),
    ("GET /api/v1/performance/projects", "bureau auditor"),
    ("GET /api/v1/performance/projects/{code}", "-"),
    (
        "GET /api/v1/performance/projects/{code}/dashboard.xlsx",
        "-",
    ),
    ("GET /api/v1/performance/projects/{code}/evaluation", "-"),
    (
        "GET /api/v1/performance/projects/{code}/indicators/entries",
        "-",
    ),
    (
        "GET /api/v1/performance/projects/{code}/payment-requests",
        "-",
    ),
    ("GET /api/v1/performance/payment-requests/{number}", "-"),
    (
        "GET /api/v1/performance/payment-requests/{number}/files/{id}",
        "-",
    ),
    ("GET /api/v1/performance/projects/{code}/export.xlsx", "-"),
    ("GET /api/v1/performance/schemes", "bureau auditor"),
    ("GET /api/v1/performance/schemes/{code}/versions", "-"),
    ("GET /api/v1/performance/projects/{code}/files/{id}", "-"),
    (
        "GET /api/v1/performance/projects/{code}/payments/files",
        "-",
    ),
    ("GET /api/v1/performance/projects/{code}/report", "-"),
    ("GET /api/v1/performance/projects/{code}/report.docx", "-"),
    ("GET /api/v1/performance/projects/{code}/report.pdf", "-"),
    (
        "GET /api/v1/performance/projects/{code}/report/sections/{key}/versions",
        "-",
    ),
    (
        "GET /api/v1/performance/projects/{code}/self-evaluation.xlsx",
        "-",
    ),
    (
        "GET /api/v1/matters/search",
        "anon cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    (
        "GET /api/v1/matters/{code}",
        "anon cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    ("GET /api/v1/matters/{code}/admin", "-"),
    ("GET /api/v1/matters/{code}/diff", "-"),
    (
        "GET /api/v1/matters/{code}/versions",
        "anon cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    (
        "GET /api/v1/matters/{code}/versions/{n}",
        "anon cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    (
        "GET /api/v1/matters/{code}/workflow",
        "anon cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    (
        "GET /api/v1/matters/{code}/workflow.svg",
        "anon cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    ("GET /api/v1/matters/{code}/workflow/draft", "-"),
    (
        "GET /api/v1/matters/{code}/workflow/versions",
        "anon cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    (
        "GET /api/v1/matters/{code}/workflow/versions/{n}",
        "anon cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    (
        "GET /api/v1/me",
        "cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    (
        "GET /api/v1/messages",
        "cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    (
        "GET /api/v1/openapi.json",
        "anon cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    ("GET /api/v1/ops/assurance", "om_eng om_mgr"),
    ("GET /api/v1/ops/checks", "om_eng om_mgr"),
    ("GET /api/v1/ops/duty", "om_eng om_mgr"),
    ("GET /api/v1/ops/known-errors", "om_eng om_mgr"),
    (
        "GET /api/v1/ops/reports/weekly",
        "dept_admin om_mgr bureau auditor",
    ),
    (
        "GET /api/v1/ops/reports/weekly.xlsx",
        "dept_admin om_mgr bureau auditor",
    ),
    ("GET /api/v1/ops/sla", "om_eng om_mgr"),
    (
        "GET /api/v1/ops/stats",
        "dept_admin om_eng om_mgr bureau auditor",
    ),
    ("GET /api/v1/ops/tickets", "om_eng om_mgr"),
    (
        "GET /api/v1/ops/tickets/export",
        "dept_admin om_mgr bureau auditor",
    ),
    ("GET /api/v1/ops/tickets/{id}", "cit_a"),
    ("GET /api/v1/ops/tickets/{id}/files/{file}", "-"),
    (
        "GET /api/v1/org/units",
        "clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    (
        "GET /api/v1/org/units/{id}",
        "clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    ("GET /api/v1/print/templates/{kind}", "-"),
    (
        "GET /api/v1/settings/four-eyes",
        "cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    (
        "GET /api/v1/windows/mine",
        "cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    ("GET /api/v1/windows/{id}/state", "clerk dept_admin bureau"),
    ("PATCH /api/v1/accounts/{id}", "dept_admin bureau"),
    ("PATCH /api/v1/org/units/{id}", "dept_admin bureau"),
    ("POST /api/v1/accounts", "-"),
    ("POST /api/v1/accounts/import", "-"),
    ("POST /api/v1/accounts/{id}/grants", "-"),
    ("POST /api/v1/applicants/find", "-"),
    ("POST /api/v1/applicants/verify", "-"),
    ("POST /api/v1/applications", "-"),
    ("POST /api/v1/applications/counter", "-"),
    ("POST /api/v1/applications/{id}/checks", "clerk bureau"),
    ("POST /api/v1/applications/{id}/complaints", "-"),
    ("POST /api/v1/applications/{id}/counter-resubmit", "-"),
    ("POST /api/v1/applications/{id}/decision", "-"),
    ("POST /api/v1/applications/{id}/rating", "-"),
    ("POST /api/v1/approvals", "-"),
    ("POST /api/v1/approvals/tasks/{id}/act", "-"),
    ("POST /api/v1/approvals/tasks/{id}/claim", "-"),
    ("POST /api/v1/approvals/tasks/{id}/release", "-"),
    ("POST /api/v1/approvals/{id}/resume", "-"),
    ("POST /api/v1/auth/login", "-"),
    ("POST /api/v1/calendar/{year}/import", "-"),
    ("POST /api/v1/catalog/import", "-"),
    ("POST /api/v1/files", "-"),
    ("POST /api/v1/followups/{id}/answer", "-"),
    (
        "POST /api/v1/halls/{code}/tickets",
        "anon cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
    ("POST /api/v1/licence-keys/{unit_id}/rotate", "-"),
    ("POST /api/v1/licences", "-"),
    ("POST /api/v1/licences/verify", "-"),
    ("POST /api/v1/licences/{number}/revoke", "-"),
    ("POST /api/v1/matters", "-"),
    ("POST /api/v1/matters/{code}/validate", "-"),
    ("POST /api/v1/matters/{code}/workflow/publish", "-"),
    ("POST /api/v1/matters/{code}/{action}", "-"),
    // The fixture's message 1 is cit_a's (their application's submission).
    ("POST /api/v1/messages/{id}/read", "cit_a"),
    ("POST /api/v1/ops/assurance", "-"),
    ("POST /api/v1/ops/checks", "-"),
    ("POST /api/v1/ops/checks/run", "om_eng om_mgr"),
    ("POST /api/v1/ops/duty", "-"),
    ("POST /api/v1/ops/known-errors", "-"),
    ("POST /api/v1/ops/reports/weekly/send", "om_mgr"),
    ("POST /api/v1/ops/tickets", "-"),
    ("POST /api/v1/ops/tickets/import", "-"),
    ("POST /api/v1/ops/tickets/{id}/act", "-"),
    ("POST /api/v1/ops/tickets/{id}/duplicate", "-"),
    ("POST /api/v1/ops/tickets/{id}/escalate", "-"),
    ("POST /api/v1/ops/tickets/{id}/files", "-"),
    ("POST /api/v1/ops/tickets/{id}/known-error", "-"),
    ("POST /api/v1/ops/tickets/{id}/vendor", "-"),
    ("POST /api/v1/org/units", "-"),
    ("POST /api/v1/org/units/{id}/retire", "-"),
    ("POST /api/v1/performance/projects", "-"),
    ("POST /api/v1/performance/projects/{code}/payments", "-"),
    (
        "POST /api/v1/performance/projects/{code}/indicators/{n}",
        "-",
    ),
    (
        "POST /api/v1/performance/projects/{code}/payment-requests",
        "-",
    ),
    (
        "POST /api/v1/performance/payment-requests/{number}/paid",
        "-",
    ),
    (
        "POST /api/v1/performance/projects/{code}/report/finalise",
        "-",
    ),
    ("POST /api/v1/print/templates/{kind}/preview", "-"),
    ("POST /api/v1/register", "-"),
    ("POST /api/v1/windows", "-"),
    ("POST /api/v1/windows/{id}/call", "clerk dept_admin bureau"),
    ("POST /api/v1/windows/{id}/close", "-"),
    (
        "POST /api/v1/windows/{id}/recall",
        "clerk dept_admin bureau",
    ),
    ("PUT /api/v1/applications/{id}", "-"),
    ("PUT /api/v1/calendar/days/{date}", "-"),
    ("PUT /api/v1/calendar/hours/{unit_id}", "-"),
    ("PUT /api/v1/matters/{code}/draft", "-"),
    ("PUT /api/v1/matters/{code}/units", "-"),
    ("PUT /api/v1/matters/{code}/workflow/draft", "-"),
    ("PUT /api/v1/ops/reports/recipients", "-"),
    ("PUT /api/v1/ops/sla/{priority}", "-"),
    ("PUT /api/v1/performance/schemes/{code}", "-"),
    (
        "PUT /api/v1/performance/projects/{code}/report/sections/{key}",
        "-",
    ),
    ("PUT /api/v1/print/templates/{kind}", "-"),
    ("PUT /api/v1/settings/four-eyes", "-"),
    ("PUT /api/v1/windows/{id}", "-"),
    ("POST /api/v1/me/password", "-"),
    ("POST /api/v1/accounts/{id}/password", "-"),
    (
        "POST /api/v1/auth/logout",
        "cit_a cit_b clerk clerk_lh approver dept_admin matter_admin om_eng om_mgr bureau auditor",
    ),
];

/// Operations anyone may call without signing in (they check what they are sent instead).
const PUBLIC: &[&str] = &[
    "GET /api/v1/openapi.json",
    "POST /api/v1/auth/login",
    "POST /api/v1/register",
    "GET /api/v1/matters/search",
    "GET /api/v1/matters/{code}",
    "POST /api/v1/matters/{code}/validate",
    "GET /api/v1/matters/{code}/versions",
    "GET /api/v1/matters/{code}/versions/{n}",
    "GET /api/v1/matters/{code}/diff",
    "GET /api/v1/matters/{code}/workflow",
    "GET /api/v1/matters/{code}/workflow.svg",
    "GET /api/v1/matters/{code}/workflow/versions",
    "GET /api/v1/matters/{code}/workflow/versions/{n}",
    "GET /api/v1/calendar/add-working-days",
    "GET /api/v1/calendar/{year}",
    "GET /api/v1/calendar/hours/{unit_id}",
    "GET /api/v1/halls/{code}/display",
    "POST /api/v1/halls/{code}/tickets",
    "GET /api/v1/licences/{number}/status",
    "POST /api/v1/licences/verify",
];

/// Operations whose call would end the caller's own session or change its password: checked
/// last, in this order.
const LAST: [&str; 3] = [
    "POST /api/v1/me/password",
    "POST /api/v1/accounts/{id}/password",
    "POST /api/v1/auth/logout",
];

struct Fixture {
    app: TestApp,
    tokens: BTreeMap<&'static str, String>,
    ids: BTreeMap<&'static str, String>,
}

async fn register(app: &TestApp, username: &str, body17: &str) -> String {
    let id = format!("{body17}{}", zhengwu::ids::ResidentId::check_char(body17));
    let r = app
        .client
        .post(app.url("/api/v1/register"))
        .json(
            &json!({"username": username, "name": "市民", "id_number": id,
                      "password": crate::support::PASSWORD, "phone": "13800138000", "consent": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    app.token(username).await
}

async fn fixture() -> Fixture {
    let Setup { app, code } = setup().await;
    let mut tokens = BTreeMap::new();
    let a = register(&app, "cit.a", "44030919900101123").await;
    let b = register(&app, "cit.b", "44030919910202456").await;
    // The owner's records: an application with its upload, a ticket.
    let f = upload(&app, &a, "材料.pdf", PDF).await;
    let (s, appl) = json_of(
        app.post(
            &a,
            "/api/v1/applications",
            json!({"matter_code": code, "unit_code": HALL, "form": form(f), "submit": true,
                   "materials": {"m_licence": [f], "m_form": [f], "m_special": [f]}}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{appl}");
    let (s, ticket) = json_of(
        app.post(
            &a,
            "/api/v1/ops/tickets",
            json!({"system": "approval", "category": "fault", "title": "页面打不开"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{ticket}");
    let admin = app.token("district_bureau_admin").await;
    let (s, w) = json_of(
        app.post(
            &admin,
            "/api/v1/windows",
            json!({"unit_code": HALL, "number": "1", "name": "综合窗口", "comprehensive": true,
                   "clerks": ["window_clerk"]}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{w}");
    let l = zhengwu::licence::issue(
        &app.db,
        &zhengwu::auth::Principal::system(),
        &zhengwu::licence::Issue {
            instance_id: None,
            matter_code: code.clone(),
            holder_name: "深圳市民治二次供水管理站".into(),
            holder_id: "91440300MA5F00001A".into(),
            content: json!({}),
            valid_years: Some(4),
        },
    )
    .await
    .unwrap();
    for (col, user) in CALLERS {
        let t = match col {
            "anon" => String::new(),
            "cit_a" => a.clone(),
            "cit_b" => b.clone(),
            _ => app.token(user).await,
        };
        tokens.insert(col, t);
    }
    let mut ids = BTreeMap::new();
    ids.insert("application", appl["id"].to_string());
    ids.insert("file", f.to_string());
    ids.insert("ticket", ticket["id"].to_string());
    ids.insert("window", w["id"].to_string());
    ids.insert("unit", app.unit_id("minzhi").to_string());
    ids.insert("dept", app.unit_id("health").to_string());
    ids.insert("hall_unit", app.units["minzhi_hall"].id.to_string());
    ids.insert("user", app.users["mz_staff"].to_string());
    ids.insert("matter", code);
    ids.insert("licence", l.number.clone());
    ids.insert("licence_code", l.verify_code.clone());
    Fixture { app, tokens, ids }
}

/// The request path for an operation's template, with the fixture's records in it.
fn concrete(fx: &Fixture, path: &str) -> String {
    let id = |k: &str| fx.ids[k].clone();
    let mut out = Vec::new();
    let segs: Vec<&str> = path.split('/').collect();
    for (i, seg) in segs.iter().enumerate() {
        let prev = if i > 0 { segs[i - 1] } else { "" };
        let v = match *seg {
            "{id}" => match prev {
                "applications" => id("application"),
                "files" => id("file"),
                "tickets" => id("ticket"),
                "windows" => id("window"),
                "units" => id("unit"),
                "accounts" => id("user"),
                _ => "1".into(),
            },
            "{code}" if prev == "halls" => HALL.into(),
            "{code}" => id("matter"),
            "{number}" => id("licence"),
            "{unit_id}" if prev == "hours" => id("hall_unit"),
            "{unit_id}" => id("dept"),
            "{file}" => id("file"),
            "{kind}" => "receipt".into(),
            "{n}" | "{gid}" => "1".into(),
            "{year}" => "2026".into(),
            "{date}" => "2026-12-01".into(),
            "{priority}" => "normal".into(),
            "{action}" => "submit".into(),
            s => s.to_string(),
        };
        out.push(v);
    }
    let mut p = out.join("/");
    if path.ends_with("/status") && path.contains("licences") {
        p.push_str(&format!("?code={}", id("licence_code")));
    }
    p
}

/// Every route the API's area routers declare, as `METHOD /api/v1…`, read from their source:
/// each handler named in a `routes!(…)` with the method and path of its `#[utoipa::path]`, and
/// each plain `.route("…", method(…))`.
fn declared_routes() -> BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http/api");
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let src = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for chunk in src.split("routes!(").skip(1) {
            let list = chunk.split(')').next().unwrap();
            for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                let at = src
                    .find(&format!("pub async fn {name}("))
                    .unwrap_or_else(|| panic!("no handler {name}"));
                let attr = &src[src[..at].rfind("#[utoipa::path(").unwrap()..at];
                let method = attr["#[utoipa::path(".len()..].split(',').next().unwrap();
                let path = attr
                    .split("path = \"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap();
                out.insert(format!("{} /api/v1{path}", method.trim().to_uppercase()));
            }
        }
        for chunk in src.split(".route(").skip(1) {
            let Some(path) = chunk
                .trim_start()
                .strip_prefix('"')
                .and_then(|s| s.split('"').next())
            else {
                continue;
            };
            let body = chunk.split("\n        .").next().unwrap();
            for m in ["get", "post", "put", "patch", "delete"] {
                if body.contains(&format!("{m}(")) {
                    out.insert(format!("{} /api/v1{path}", m.to_uppercase()));
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn every_operation_answers_every_caller_as_written_down() {
    let fx = fixture().await;
    let (_, doc) = json_of(
        fx.app
            .client
            .get(fx.app.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let mut ops: Vec<(String, String, bool)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let public = op.get("security").is_none();
            ops.push((method.to_uppercase(), path.clone(), public));
        }
    }
    ops.push(("GET".into(), "/api/v1/openapi.json".into(), true));
    // The document covers every route the router declares, and nothing else.
    let documented: BTreeSet<String> = ops.iter().map(|(m, p, _)| format!("{m} {p}")).collect();
    let routes = declared_routes();
    let undocumented: Vec<_> = routes.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routes).collect();
    assert!(
        undocumented.is_empty(),
        "routes without documentation: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:?}"
    );
    ops.sort_by_key(|(m, p, _)| {
        let k = format!("{m} {p}");
        (LAST.iter().position(|l| *l == k), k)
    });

    let matrix: BTreeMap<&str, BTreeSet<&str>> = MATRIX
        .iter()
        .map(|(op, who)| (*op, who.split_whitespace().filter(|w| *w != "-").collect()))
        .collect();
    let print = std::env::var("ZHENGWU_AUTHZ_PRINT").is_ok();
    let mut problems = Vec::new();
    let mut observed_rows = Vec::new();
    for (method, path, _) in &ops {
        let key = format!("{method} {path}");
        let url = fx.app.url(&concrete(&fx, path));
        let mut succeeded = BTreeSet::new();
        let mut anon_status = StatusCode::OK;
        for (col, _) in CALLERS {
            let mut req = fx
                .app
                .client
                .request(method.parse().unwrap(), &url)
                .header("accept-language", "zh-CN");
            if matches!(method.as_str(), "POST" | "PUT" | "PATCH") {
                req = req.json(&json!({}));
            }
            let t = &fx.tokens[col];
            if !t.is_empty() {
                req = req.bearer_auth(t);
            }
            let r = req.send().await.unwrap();
            let s = r.status();
            if col == "anon" {
                anon_status = s;
            }
            if s.is_server_error() {
                problems.push(format!("{key}: {col} got {s}"));
            }
            if s.is_success() {
                succeeded.insert(col);
            }
        }
        let row = if succeeded.is_empty() {
            "-".to_string()
        } else {
            CALLERS
                .iter()
                .filter(|(c, _)| succeeded.contains(c))
                .map(|(c, _)| *c)
                .collect::<Vec<_>>()
                .join(" ")
        };
        observed_rows.push(format!(
            "    (\"{key}\", \"{row}\"), // anon {}",
            anon_status.as_u16()
        ));
        match matrix.get(key.as_str()) {
            None => problems.push(format!("{key}: no row in the matrix (observed: {row})")),
            Some(expected) if *expected != succeeded => problems.push(format!(
                "{key}: expected success for [{}], observed [{row}]",
                expected.iter().copied().collect::<Vec<_>>().join(" ")
            )),
            Some(_) => {}
        }
        // Someone not signed in is turned away (401) before anything else is looked at, by
        // every operation but the public ones.
        if !PUBLIC.contains(&key.as_str()) && anon_status != StatusCode::UNAUTHORIZED {
            problems.push(format!("{key}: anonymous got {anon_status}, not 401"));
        }
    }
    let gone: Vec<_> = matrix
        .keys()
        .filter(|k| !ops.iter().any(|(m, p, _)| format!("{m} {p}") == **k))
        .collect();
    if !gone.is_empty() {
        problems.push(format!("rows for operations that are gone: {gone:?}"));
    }
    if print {
        println!("{}", observed_rows.join("\n"));
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
