//! Performance management in headless Chromium: the demo's finance officer records a payment
//! with its invoice on the project page (a voucher already used is refused, the form kept), and
//! the dashboard and the evaluation report follow it.

use serde_json::json;

use crate::browser::Driver;
use crate::crawl::demo_app;
use crate::support::json_of;

#[tokio::test]
async fn finance_records_a_payment_and_the_dashboard_and_report_follow() {
    if std::env::var("ZHENGWU_SKIP_BROWSER").is_ok() {
        return;
    }
    let app = demo_app().await;
    let fin = app.token("finance").await;
    let mut d = serde_json::to_value(zhengwu::performance::demo::project_2018()).unwrap();
    d["code"] = json!("LH-2018-WEB");
    d["contract"]["number"] = json!("WEB-TEST");
    d["payments"] = json!([d["payments"][0].clone()]);
    let (s, r) = json_of(app.post(&fin, "/api/v1/performance/projects", d).await).await;
    assert!(s.is_success(), "{r}");
    let dir = tempfile::tempdir().unwrap();
    let invoice = dir.path().join("发票-2018-10.pdf");
    std::fs::write(&invoice, crate::support::filing::PDF).unwrap();

    let b = Driver::start().await;
    b.sign_in(&app, "finance").await;
    b.go(&app.url("/performance/LH-2018-WEB/dashboard")).await;
    assert!(b.text("#dash-figures").await.contains("111.84"));
    assert!(!b.text("#dash-figures").await.contains("99.86%"));
    b.go(&app.url("/performance/LH-2018-WEB")).await;
    let fill = |voucher: &'static str| {
        let b = &b;
        let invoice = invoice.to_str().unwrap().to_string();
        async move {
            if !b.displayed("#f-amount").await {
                b.click("#pay-details summary").await;
            }
            b.script("document.querySelector('#f-date').value = '2018-10-24'")
                .await;
            b.script("document.querySelector('#f-amount').value = ''")
                .await;
            b.type_into("#f-amount", "1118400.00").await;
            b.script("document.querySelector('#f-voucher').value = ''")
                .await;
            b.type_into("#f-voucher", voucher).await;
            b.select("#f-installment", "2").await;
            b.send_file("#pay-form input[name=file1]", &invoice).await;
            b.click_and_load("#pay-submit").await;
        }
    };
    // The first payment's voucher again: refused, said beside the field, the amount kept.
    fill("0100014480").await;
    assert!(
        b.text("#payments .error-summary")
            .await
            .contains("0100014480")
    );
    let kept = b
        .script("return document.querySelector('#f-amount').value")
        .await;
    assert_eq!(kept.as_str(), Some("1118400.00"));
    fill("0100024174").await;
    b.wait_path("/performance/LH-2018-WEB").await;
    assert!(b.displayed("#recorded").await);
    let list = b.text("#payment-list").await;
    assert!(
        list.contains("0100024174") && list.contains("发票"),
        "{list}"
    );
    b.screenshot("performance-payment").await;
    // The dashboard's October and the report's money follow.
    b.go(&app.url("/performance/LH-2018-WEB/dashboard")).await;
    let figures = b.text("#dash-figures").await;
    assert!(
        figures.contains("223.68") && figures.contains("99.86%"),
        "{figures}"
    );
    b.screenshot("performance-dashboard").await;
    b.go(&app.url("/performance/LH-2018-WEB/report")).await;
    let report = b.text("#report").await;
    assert!(report.contains("0100024174"), "{report}");
    assert!(report.contains("合计 223.68 万元"), "{report}");
}
