//! The operations desk in headless Chromium: a community clerk reports a problem from the page
//! they are on, the community engineer sends it up to the street, the street engineer answers
//! and resolves it, and the O&M manager finds it in the figures and the weekly report.

use crate::browser::Driver;

#[tokio::test]
async fn a_reported_problem_goes_up_to_the_street_is_solved_and_shows_in_the_reports() {
    if std::env::var("ZHENGWU_SKIP_BROWSER").is_ok() {
        return;
    }
    let app = crate::ops::desk().await;
    let d = Driver::start().await;
    let sign_in = |user: &'static str| {
        let d = &d;
        let url = app.url("/login");
        async move {
            d.go(&url).await;
            d.type_into("#username", user).await;
            d.type_into("#password", crate::support::PASSWORD).await;
            d.click_and_load("#login-submit").await;
            assert_eq!(d.current_path().await, "/");
        }
    };
    let sign_out = || async {
        d.click_and_load("#logout").await;
        d.wait_path("/login").await;
    };

    // The clerk at 北站社区 is on the calendar page and reports a problem from there.
    sign_in("mz_staff").await;
    d.go(&app.url("/calendar")).await;
    d.click_and_load("#report-link").await;
    d.wait_path("/ops/new").await;
    let page = d
        .script("return document.querySelector('#f-page_url').value")
        .await;
    assert_eq!(page.as_str(), Some("/calendar"), "the page it came from");
    d.select("#f-category", "fault").await;
    d.type_into("#f-title", "工作日历页面加载失败").await;
    d.type_into("#f-description", "点开日历后一直转圈").await;
    d.click_and_load("#submit-ticket").await;
    d.wait_path("/ops/tickets/").await;
    let head = d.text("h1").await;
    let number = head.split_whitespace().next().unwrap().to_string();
    assert!(number.starts_with("YW"), "{head}");
    assert!(d.text("#ticket-level").await.contains("社区"));
    d.screenshot("ops-reported").await;
    sign_out().await;

    // The community engineer cannot solve it and sends it up to the street.
    sign_in("bz.eng").await;
    d.go(&app.url("/ops")).await;
    assert!(d.text("#tickets").await.contains(&number));
    d.click_and_load("#tickets tbody a").await;
    d.type_into("#f-esc-note", "需要街道协调").await;
    d.click_and_load("#escalate").await;
    assert!(d.text("#ticket-level").await.contains("街道"));
    sign_out().await;

    // The street engineer answers, then resolves it.
    sign_in("om_engineer").await;
    d.go(&app.url("/ops")).await;
    assert!(d.text("#tickets").await.contains(&number));
    d.click_and_load("#tickets tbody a").await;
    d.select("#f-move", "respond").await;
    d.type_into("#f-note", "已收到，正在排查").await;
    d.click_and_load("#ticket-act-submit").await;
    d.select("#f-move", "resolve").await;
    d.type_into("#f-note", "浏览器缓存导致，已指导清理").await;
    d.click_and_load("#ticket-act-submit").await;
    assert!(d.text("#ticket-status").await.contains("已解决"));
    let history = d.text("#ticket-history").await;
    for step in ["报告", "升级", "响应", "已解决"] {
        assert!(history.contains(step), "{history}");
    }
    d.screenshot("ops-ticket").await;
    sign_out().await;

    // The manager sees it counted and listed.
    sign_in("district.mgr").await;
    d.go(&app.url("/ops/stats")).await;
    let kpis = d.text("#kpis").await;
    assert!(
        kpis.contains("1\n工单总数") && kpis.contains("1\n已解决") && kpis.contains("100"),
        "{kpis}"
    );
    assert_eq!(d.count("#chart-level rect.chart-part").await, 4);
    d.screenshot("ops-stats").await;
    d.go(&app.url("/ops/weekly")).await;
    let rows = d.text("#weekly-tickets").await;
    assert!(rows.contains(&number) && rows.contains("已解决"), "{rows}");
    assert!(d.text("#weekly-summary").await.contains("100.0%"));
    d.screenshot("ops-weekly").await;
}
