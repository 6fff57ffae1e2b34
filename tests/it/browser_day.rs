//! A day at the halls of the demo district in headless Chromium, each person through their own
//! pages and nothing done behind their backs: the demo citizen files online at the **district**
//! hall (护士执业注册) and at a **community** centre (法律援助申请); each is accepted by a clerk of
//! that hall; the department's approver reads the application (applicant, form, materials) and
//! asks for a supplement — answered once online by the applicant and once at the community's
//! window by its clerk; the first is then refused, and the applicant reads the reason, the
//! remedies and the printable refusal notice; the second is approved to its end.

use crate::browser::Driver;
use crate::crawl::demo_app;
use crate::support::TestApp;
use zhengwu::storage::query_scalar;

const NURSE: &str = "440309002010000";
const LEGAL_AID: &str = "440309009043000";
const DISTRICT_HALL: &str = "440309-H";
const COMMUNITY_HALL: &str = "440309002001-H";

/// Active holders of `role` granted exactly at the unit `code`, by username.
async fn holders(app: &TestApp, role: &str, code: &str) -> Vec<String> {
    query_scalar(
        "SELECT u.username FROM users u JOIN role_grants g ON g.user_id = u.id \
         JOIN org_units o ON o.id = g.org_unit_id WHERE g.role = $1 AND o.code = $2 \
         AND u.active = 1 ORDER BY u.username",
    )
    .bind(role)
    .bind(code)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

async fn department_of(app: &TestApp, matter: &str) -> String {
    zhengwu::catalog::repo::public(&app.db, matter)
        .await
        .unwrap()
        .1
        .department
}

async fn as_user(d: &Driver, app: &TestApp, user: &str) {
    d.go(&app.url("/hall")).await;
    d.clear_cookies().await;
    d.sign_in(app, user).await;
}

/// The citizen files `matter` online at `hall` with every material; answers the application's
/// path (`/applications/N`) and its number.
async fn file_online(
    d: &Driver,
    app: &TestApp,
    matter: &str,
    hall: &str,
    pdf: &str,
) -> (String, String) {
    d.go(&app.url(&format!("/apply/{matter}"))).await;
    d.select("#f-unit_code", hall).await;
    d.type_into("#ff-phone", "13800138000").await;
    d.select("select[name='address.unit']", "440309002001")
        .await;
    d.type_into("input[name='address.detail']", "民治大道 100 号")
        .await;
    for m in ["m_id", "m_form", "m_special"] {
        d.send_file(&format!("input[name='m.{m}']"), pdf).await;
    }
    d.click_and_load("#apply-submit").await;
    d.wait_path("/applications/").await;
    let status = d.text("#app-status").await;
    assert!(status.contains("待受理"), "{matter} @ {hall}: {status}");
    let path = d.current_path().await;
    let number = d.text("h1").await;
    let number = number
        .split_whitespace()
        .find(|w| w.chars().filter(char::is_ascii_digit).count() >= 6)
        .unwrap_or_else(|| panic!("no number in {number}"))
        .to_string();
    (path, number)
}

/// `user` opens the application's approval from their inbox (found by its number) and acts.
async fn act(d: &Driver, app: &TestApp, user: &str, number: &str, action: &str, opinion: &str) {
    as_user(d, app, user).await;
    d.go(&app.url(&format!("/inbox?q={number}"))).await;
    assert!(
        d.text("#inbox").await.contains(number),
        "{user} has {number} in the inbox"
    );
    d.click_and_load("#inbox tbody a").await;
    d.select("form[id^='act-'] select[name=action]", action)
        .await;
    d.type_into("form[id^='act-'] textarea[name=opinion]", opinion)
        .await;
    d.click_and_load("form[id^='act-'] button.primary").await;
}

/// The clerk `user` accepts the application at `path` after checking each material.
async fn accept(d: &Driver, app: &TestApp, user: &str, path: &str) {
    as_user(d, app, user).await;
    d.go(&app.url(path)).await;
    for m in ["m_id", "m_form", "m_special"] {
        d.click(&format!("input[name='check.{m}'][value=ok]")).await;
    }
    d.click_and_load("#accept").await;
    let status = d.text("#app-status").await;
    assert!(
        status.contains("审批中"),
        "{user} accepted {path}: {status}"
    );
}

#[tokio::test]
async fn a_day_at_the_district_hall_and_a_community_centre() {
    if std::env::var("ZHENGWU_SKIP_BROWSER").is_ok() {
        return;
    }
    let app = demo_app().await;
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("材料.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\nmaterial\n%%EOF\n").unwrap();
    let pdf = pdf.to_str().unwrap().to_string();
    let d = Driver::start().await;

    // The citizen files at the district hall and at the community centre.
    as_user(&d, &app, "citizen").await;
    let (nurse, nurse_no) = file_online(&d, &app, NURSE, DISTRICT_HALL, &pdf).await;
    let (aid, aid_no) = file_online(&d, &app, LEGAL_AID, COMMUNITY_HALL, &pdf).await;
    d.screenshot("day-filed").await;

    // Each hall's own clerk accepts.
    let district_clerk = holders(&app, "window_clerk", DISTRICT_HALL).await;
    let community_clerk = holders(&app, "window_clerk", COMMUNITY_HALL).await;
    accept(&d, &app, &district_clerk[0], &nurse).await;
    accept(&d, &app, &community_clerk[0], &aid).await;

    // The health department's approver decides from the application itself, and asks for more.
    let health = holders(&app, "approver", &department_of(&app, NURSE).await).await;
    as_user(&d, &app, &health[0]).await;
    d.go(&app.url(&format!("/inbox?q={nurse_no}"))).await;
    d.click_and_load("#inbox tbody a").await;
    let page = d.text("main").await;
    for shown in ["刘群", "13800138000", "民治大道 100 号", "材料.pdf"] {
        assert!(page.contains(shown), "the approver sees {shown}: {page}");
    }
    d.screenshot("day-approver-reads").await;
    let asked = "请补充护士执业资格考试成绩合格证明";
    act(&d, &app, &health[0], &nurse_no, "supplement", asked).await;

    // The applicant is told, sees what is asked and by whom, and adds it online.
    as_user(&d, &app, "citizen").await;
    d.go(&app.url("/my/messages")).await;
    let messages = d.text("#messages").await;
    assert!(
        messages.contains(&nurse_no) && messages.contains("补正"),
        "{messages}"
    );
    d.go(&app.url(&nurse)).await;
    assert!(d.text("#app-status").await.contains("补正"));
    assert!(d.text("main").await.contains(asked));
    d.click_and_load("#app-edit").await;
    d.send_file("input[name='m.m_special']", &pdf).await;
    d.click_and_load("#apply-submit").await;
    d.wait_path(&nurse).await;
    let status = d.text("#app-status").await;
    assert!(status.contains("审批中"), "resubmitted online: {status}");

    // Review passes; the decision refuses, with its reason.
    act(&d, &app, &health[0], &nurse_no, "pass", "材料齐全").await;
    let why = "申请人未通过护士执业资格考试，不符合《护士条例》第七条规定的条件。";
    act(&d, &app, &health[1], &nurse_no, "reject", why).await;

    // The applicant reads the refusal: message, reason with remedies, the printable notice.
    as_user(&d, &app, "citizen").await;
    d.go(&app.url("/my/messages")).await;
    let messages = d.text("#messages").await;
    assert!(
        messages.contains(&nurse_no) && messages.contains("不予"),
        "{messages}"
    );
    d.go(&app.url(&nurse)).await;
    let page = d.text("main").await;
    assert!(
        page.contains("不予批准") && page.contains(why) && page.contains("行政复议"),
        "{page}"
    );
    d.click_and_load("#print-refusal").await;
    let notice = d.text("#notice").await;
    assert!(
        notice.contains("不予") && notice.contains(why) && notice.contains(&nurse_no),
        "{notice}"
    );
    d.screenshot("day-refusal-notice").await;

    // At the community centre: the supplement is brought to the window.
    let aid_dept = holders(&app, "approver", &department_of(&app, LEGAL_AID).await).await;
    act(
        &d,
        &app,
        &aid_dept[0],
        &aid_no,
        "supplement",
        "请补充经济困难证明",
    )
    .await;
    as_user(&d, &app, &community_clerk[1]).await;
    d.go(&app.url(&aid)).await;
    d.send_file("#counter-resubmit input[name='m.m_special']", &pdf)
        .await;
    d.click("#counter-resubmit input[name='check.m_special'][value=ok]")
        .await;
    d.click_and_load("#counter-resubmit-button").await;
    let status = d.text("#app-status").await;
    assert!(
        status.contains("审批中"),
        "resubmitted at the window: {status}"
    );

    // And it is approved to its end: review, decision, certificate, the community's conclusion.
    act(&d, &app, &aid_dept[0], &aid_no, "pass", "同意").await;
    act(&d, &app, &aid_dept[1], &aid_no, "pass", "同意").await;
    act(&d, &app, &aid_dept[2], &aid_no, "pass", "同意").await;
    act(&d, &app, &community_clerk[2], &aid_no, "pass", "办结").await;
    as_user(&d, &app, "citizen").await;
    d.go(&app.url(&aid)).await;
    let status = d.text("#app-status").await;
    assert!(status.contains("已批准"), "{status}");
    d.screenshot("day-approved").await;
}
