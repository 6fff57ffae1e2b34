//! The applicant's pages on a phone (390 × 844, headless Chromium): none scrolls sideways, the
//! header keeps its words whole, and an application's progress comes before its form data.

use reqwest::StatusCode;
use serde_json::json;

use crate::browser::Driver;
use crate::support::approval::{Setup, setup};
use crate::support::filing::{HALL, PDF, form, register_company, upload};
use crate::support::{PASSWORD, json_of};

#[tokio::test]
async fn the_applicants_pages_fit_a_phone() {
    if std::env::var("ZHENGWU_SKIP_BROWSER").is_ok() {
        return;
    }
    let Setup { app, code } = setup().await;
    // A company with an application in approval (so its page has progress to show).
    let me = register_company(&app, json!({"phone": "13800138000"})).await;
    let f = upload(&app, &me, "营业执照.pdf", PDF).await;
    let (s, a) = json_of(
        app.post(
            &me,
            "/api/v1/applications",
            json!({"matter_code": code, "unit_code": HALL, "form": form(f), "submit": true,
                   "materials": {"m_licence": [f], "m_form": [f], "m_special": [f]}}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let id = a["id"].as_i64().unwrap();
    let clerk = app.token("window_clerk").await;
    let (s, r) = json_of(
        app.post(
            &clerk,
            &format!("/api/v1/applications/{id}/decision"),
            json!({"decision": "accept"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let inst = r["instance_id"].as_i64().expect("accepted: in approval");

    let d = Driver::start().await;
    d.window(390, 844).await;
    d.go(&app.url("/login")).await;
    d.type_into("#username", "qingquan").await;
    d.type_into("#password", PASSWORD).await;
    d.click_and_load("#login-submit").await;
    let mut problems = Vec::new();
    for (name, path) in [
        ("phone-hall", "/hall".to_string()),
        ("phone-guide", format!("/hall/matters/{code}")),
        ("phone-apply", format!("/apply/{code}")),
        ("phone-mine", "/my/applications".to_string()),
        ("phone-application", format!("/applications/{id}")),
        ("phone-messages", "/my/messages".to_string()),
        ("phone-home", "/".to_string()),
    ] {
        d.go(&app.url(&path)).await;
        d.screenshot(name).await;
        let out = d.overflowing().await;
        if !out.is_empty() {
            problems.push(format!("{path}: {}", out.join(", ")));
        }
        // The header's links and buttons keep their words on one line.
        let broken = d
            .script(
                "return [...document.querySelectorAll('header.top .tools button, header.top .langs a, header.top .report-link, .main-nav a')]\
                 .filter(e => { const r = document.createRange(); r.selectNodeContents(e);\
                   const lines = new Set([...r.getClientRects()].map(x => Math.round(x.top)));\
                   return lines.size > 1; }).map(e => e.textContent.trim());",
            )
            .await;
        if broken.as_array().is_some_and(|v| !v.is_empty()) {
            problems.push(format!("{path}: header words broken {broken}"));
        }
    }
    // The application's progress before its form data.
    d.go(&app.url(&format!("/applications/{id}"))).await;
    let order = d
        .script(
            "const p = document.querySelector('#app-progress'); const f = document.querySelector('#app-form');\
             return p && f ? p.getBoundingClientRect().top < f.getBoundingClientRect().top : null;",
        )
        .await;
    if order != json!(true) {
        problems.push(format!(
            "/applications/{id}: progress is not before the form data ({order})"
        ));
    }
    // The approver's inbox and the approval, on a phone too.
    d.go(&app.url("/hall")).await;
    d.clear_cookies().await;
    d.sign_in(&app, "health.a").await;
    for (name, path) in [
        ("phone-inbox", "/inbox".to_string()),
        ("phone-approval", format!("/approvals/{inst}")),
    ] {
        d.go(&app.url(&path)).await;
        d.screenshot(name).await;
        let out = d.overflowing().await;
        if !out.is_empty() {
            problems.push(format!("{path}: {}", out.join(", ")));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
