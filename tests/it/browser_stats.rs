//! Statistics in headless Chromium: the district's bureau admin reads the assessment dashboard
//! (the overdue approval warned about, linked to the approval), builds a report of departments
//! by month with the submitted count and the on-time rate, sees its table and chart, and the
//! workbook it offers reads back with the same figures; the pages fit a phone.

use crate::browser::Driver;
use crate::stats::march;

#[tokio::test]
async fn a_bureau_admin_reads_the_warnings_and_builds_a_report_with_a_chart_and_a_workbook() {
    if std::env::var("ZHENGWU_SKIP_BROWSER").is_ok() {
        return;
    }
    use calamine::Reader;
    let app = march().await;
    let b = Driver::start().await;
    b.sign_in(&app, "district_bureau_admin").await;
    b.go(&app.url("/stats?from=2026-03-01&to=2026-03-31")).await;
    let warned = b.text("#warnings").await;
    assert!(
        warned.contains("T0002") && warned.contains("已超期"),
        "{warned}"
    );
    assert!(b.text("#ind-on_time_rate").await.contains("66.67%"));
    b.screenshot("stats-dashboard").await;
    // The warning leads to the approval to act on.
    b.click_and_load("#warnings .warn-overdue a").await;
    assert!(b.current_path().await.starts_with("/approvals/"));

    b.go(&app.url("/reports")).await;
    b.type_into("#f-name", "部门月报").await;
    b.select("#f-row1", "department").await;
    b.select("#f-row2", "month").await;
    b.click("input[name=measures][value=submitted]").await;
    b.click("input[name=measures][value=on_time_rate]").await;
    // A rolling period hides the days; a fixed one shows them.
    assert!(!b.displayed("#f-from").await);
    b.select("#f-rolling", "fixed").await;
    assert!(b.displayed("#f-from").await);
    b.script("document.querySelector('#f-from').value = '2026-03-01'; document.querySelector('#f-to').value = '2026-03-31';")
        .await;
    b.click_and_load("#report-save").await;
    b.wait_path("/reports/").await;
    let table = b.text("#report-table").await;
    assert!(
        table.contains("区卫生健康局") && table.contains("66.67%"),
        "{table}"
    );
    assert!(b.displayed("#report-chart").await);
    b.screenshot("report").await;
    // The workbook the page offers, fetched with the page's own session.
    let href = b
        .script("return document.querySelector('#report-xlsx').getAttribute('href')")
        .await;
    let cookie = b.cookie("zw_session").await;
    let bytes = app
        .client
        .get(app.url(href.as_str().unwrap()))
        .header("cookie", format!("zw_session={cookie}"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<String> = sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    assert!(
        rows.iter()
            .any(|r| r.starts_with("区卫生健康局|2026-03|4|")),
        "{rows:?}"
    );
    // On a phone the pages scroll only inside their tables.
    b.window(390, 900).await;
    for path in ["/stats?from=2026-03-01&to=2026-03-31", "/reports"] {
        b.go(&app.url(path)).await;
        let out = b.overflowing().await;
        assert!(out.is_empty(), "{path}: {out:?}");
    }
}
