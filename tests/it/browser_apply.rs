//! An application end to end in headless Chromium: a company registers and applies online with
//! its materials; the street's window clerk checks them, accepts and prints the receipt (the PDF
//! carries the applicant's name); two approvers pass it; the e-licence verifies on the public
//! page; the applicant rates the service 2 and the department answers the follow-up.

use reqwest::StatusCode;
use serde_json::json;

use crate::browser::Driver;
use crate::support::approval::{Setup, people, publish_flow};
use crate::support::pdf::pdf_text;

#[tokio::test]
async fn apply_online_accept_print_approve_verify_rate_and_answer() {
    if std::env::var("ZHENGWU_SKIP_BROWSER").is_ok() {
        return;
    }
    let Setup { app, code } = people().await;
    // The matter's flow: 受理 (the street's clerks) → 审查 (health.a) → 决定 (health.b).
    let def = json!({"steps": [
        {"key": "accept", "name": "受理", "limit_days": 1, "actions": ["pass", "reject", "supplement"],
         "actors": [{"type": "role", "role": "window_clerk", "at": {"kind": "application_street"}}]},
        {"key": "review", "name": "审查", "limit_days": 5, "actions": ["pass", "reject", "send_back"],
         "actors": [{"type": "users", "usernames": ["health.a"]}]},
        {"key": "decide", "name": "决定", "limit_days": 3, "actions": ["pass", "reject", "send_back"],
         "actors": [{"type": "users", "usernames": ["health.b"]}]}
    ]});
    publish_flow(&app, &code, def).await;

    let d = Driver::start().await;
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, body: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    };
    let sign_in = |user: &'static str| {
        let d = &d;
        let url = app.url("/login");
        async move {
            d.go(&url).await;
            d.type_into("#username", user).await;
            let pw = if user == "qingquan" {
                "Qingquan2026!"
            } else {
                crate::support::PASSWORD
            };
            d.type_into("#password", pw).await;
            d.click_and_load("#login-submit").await;
            assert_eq!(d.current_path().await, "/", "{user} signed in");
        }
    };
    let sign_out = || async {
        d.click_and_load("#logout").await;
        d.wait_path("/login").await;
    };

    // A company registers from the guide's "apply online" and lands on the form.
    d.go(&app.url(&format!("/hall/matters/{code}"))).await;
    d.click_and_load("#apply-online").await;
    d.wait_path("/login").await;
    d.click_and_load("#register-link").await;
    d.wait_path("/register").await;
    d.type_into("#f-name", "深圳市龙华区清泉水务有限公司").await;
    d.type_into("#f-id_number", "91440300MA5F000007").await;
    d.type_into("#f-email", "qq@example.cn").await;
    d.type_into("#f-username", "qingquan").await;
    d.type_into("#f-password", "Qingquan2026!").await;
    d.click("#f-consent").await;
    d.click_and_load("#register-submit").await;
    d.wait_path(&format!("/apply/{code}")).await;

    // The form, first without the materials: refused beside each, nothing lost.
    d.type_into("#ff-company_name", "深圳市龙华区清泉水务有限公司")
        .await;
    d.type_into("#ff-credit_code", "91440300MA5F000007").await;
    d.type_into("#ff-legal_rep", "陈清泉").await;
    d.type_into("#ff-contact_phone", "13800138000").await;
    d.click_and_load("#apply-submit").await;
    let problems = d.text(".error-summary").await;
    assert!(problems.contains("水质检测报告"), "{problems}");
    // Said once (not again for the form's file field tied to it), and its link lands on the
    // material's file input.
    assert_eq!(problems.matches("水质检测报告").count(), 1, "{problems}");
    let target = d
        .script(
            "const a = [...document.querySelectorAll('.error-summary a')].find(a => a.textContent.includes('水质检测报告'));\
             const el = a && document.getElementById(a.getAttribute('href').slice(1));\
             return el ? el.tagName + ':' + el.type : null;",
        )
        .await;
    assert_eq!(target, json!("INPUT:file"));
    assert_eq!(
        d.script("return document.querySelector('#ff-legal_rep').value")
            .await
            .as_str(),
        Some("陈清泉"),
        "what was typed is still there"
    );
    d.send_file(
        "input[name='m.m_licence']",
        &file("营业执照.pdf", b"%PDF-1.4\nlicence\n%%EOF\n"),
    )
    .await;
    d.send_file(
        "input[name='m.m_form']",
        &file("申请表.pdf", b"%PDF-1.4\nform\n%%EOF\n"),
    )
    .await;
    d.send_file(
        "input[name='m.m_special']",
        &file("水质检测报告.pdf", b"%PDF-1.4\nwater\n%%EOF\n"),
    )
    .await;
    d.click_and_load("#apply-submit").await;
    d.wait_path("/applications/").await;
    assert!(d.text("#app-status").await.contains("待受理"));
    let number = d
        .text("h1")
        .await
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert!(number.starts_with("LH"), "{number}");
    let materials = d.text("#app-materials").await;
    assert!(materials.contains("水质检测报告.pdf"), "{materials}");
    d.screenshot("apply-submitted").await;
    sign_out().await;

    // The street's clerk checks each material, accepts, and prints the receipt.
    sign_in("window_clerk").await;
    d.go(&app.url("/applications/queue")).await;
    assert!(d.text("#applications").await.contains(&number));
    d.click_and_load("#applications tbody a").await;
    d.screenshot("apply-clerk").await;
    for m in ["m_licence", "m_form", "m_special"] {
        d.click(&format!("input[name='check.{m}'][value=ok]")).await;
    }
    d.click_and_load("#accept").await;
    assert!(d.text("#app-status").await.contains("审批中"));
    d.click_and_load("#print-receipt").await;
    let sheet = d.text("#notice").await;
    assert!(
        sheet.contains("受理回执")
            && sheet.contains("深圳市龙华区清泉水务有限公司")
            && sheet.contains(&number),
        "{sheet}"
    );
    d.screenshot("apply-receipt").await;
    let pdf_href = d.script("return document.querySelector('#pdf').href").await;
    let session = d.cookie("zw_session").await;
    let r = app
        .client
        .get(pdf_href.as_str().unwrap())
        .header("cookie", format!("zw_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text = pdf_text(&r.bytes().await.unwrap());
    assert!(
        text.contains("深圳市龙华区清泉水务有限公司") && text.contains(&number),
        "{text}"
    );
    sign_out().await;

    // Two approvers pass it from their inboxes.
    for user in ["health.a", "health.b"] {
        sign_in(user).await;
        d.go(&app.url("/inbox")).await;
        assert!(d.text("#inbox").await.contains(&number), "{user}");
        d.click_and_load("#inbox tbody a").await;
        d.type_into("form.act-form textarea", &format!("{user} 同意"))
            .await;
        d.click_and_load("form.act-form button.primary").await;
        sign_out().await;
    }

    // The applicant was told at each step; a message leads to the application.
    sign_in("qingquan").await;
    d.go(&app.url("/my/messages")).await;
    let inbox = d.text("#messages").await;
    assert!(
        inbox.contains("已受理") && inbox.contains("电子证照") && inbox.contains(&number),
        "{inbox}"
    );
    d.click_and_load("#messages li.unread button").await;
    d.wait_path("/applications/").await;
    // The applicant sees it approved with its licence, which verifies publicly.
    d.go(&app.url("/my/applications")).await;
    d.click_and_load("#applications tbody a").await;
    assert!(d.text("#app-status").await.contains("已批准"));
    let steps = d.text("#app-steps").await;
    assert!(
        steps.contains("health.a 同意") && steps.contains("决定"),
        "{steps}"
    );
    d.click_and_load("#app-licence").await;
    d.wait_path("/verify/").await;
    let check = d.text("main").await;
    assert!(
        check.contains("有效") && check.contains("深圳市龙华区清泉水务有限公司"),
        "{check}"
    );
    d.screenshot("apply-licence").await;

    // Rated 2: the department must answer.
    d.go(&app.url("/my/applications")).await;
    d.click_and_load("#applications tbody a").await;
    d.click("#rate-form input[name=score][value='2']").await;
    d.type_into("#f-comment", "审批时间太长，窗口告知不清")
        .await;
    d.click_and_load("#rate-submit").await;
    let fu = d.text("#app-followups").await;
    assert!(fu.contains("审批时间太长") && fu.contains("前答复"), "{fu}");
    sign_out().await;

    sign_in("health.a").await;
    d.go(&app.url("/followups")).await;
    assert!(d.text("#followups").await.contains("审批时间太长"));
    d.type_into(
        "#followups textarea",
        "已优化审查流程，并对窗口人员进行告知培训",
    )
    .await;
    d.click_and_load("#followups button.primary").await;
    assert!(d.text("#followups").await.contains("没有待整改"));
    sign_out().await;

    sign_in("qingquan").await;
    d.go(&app.url("/my/applications")).await;
    d.click_and_load("#applications tbody a").await;
    let fu = d.text("#app-followups").await;
    assert!(fu.contains("已优化审查流程"), "{fu}");
    d.screenshot("apply-answered").await;
}

/// The hall display follows the calls by itself: a ticket called at a window appears on the open
/// page within its polling interval, with the window, and the waiting count drops.
#[tokio::test]
async fn the_hall_display_shows_a_new_call_without_reloading() {
    if std::env::var("ZHENGWU_SKIP_BROWSER").is_ok() {
        return;
    }
    let Setup { app, code } = people().await;
    let hall = "440309004-H";
    let admin = app.token("bureau_admin").await;
    let (s, w) = crate::support::json_of(
        app.post(
            &admin,
            "/api/v1/windows",
            json!({"unit_code": hall, "number": "7", "name": "综合受理窗口", "comprehensive": true, "clerks": ["window_clerk"]}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{w}");
    let kiosk = reqwest::Client::new();
    for _ in 0..2 {
        let r = kiosk
            .post(app.url(&format!("/api/v1/halls/{hall}/tickets")))
            .json(&json!({"matter_code": code}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let d = Driver::start().await;
    d.go(&app.url(&format!("/halls/{hall}/display"))).await;
    assert_eq!(d.text("#display-waiting").await, "2");
    let clerk = app.token("window_clerk").await;
    let r = app
        .post(
            &clerk,
            &format!("/api/v1/windows/{}/call", w["id"]),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // The page polls every three seconds; give it a few.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let now = d.text("#display-now").await;
        if now.contains("A001") && now.contains("到 7 号窗口") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the display never showed the call: {now}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    assert_eq!(d.text("#display-waiting").await, "1");
    assert!(d.text("#display-recent").await.contains("A001"));
    assert!(
        !d.text("#display-now").await.contains("请取号等候"),
        "the empty-hall line gave way"
    );
}
