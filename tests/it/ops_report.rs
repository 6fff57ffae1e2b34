//! The weekly problem-handling report: a page's worth of figures and tickets, an XLSX, and a mail
//! to the bureau's addresses over real SMTP — queued while the mail server is down, delivered
//! when it is back, never lost; the scheduled job builds last week's once.

use reqwest::StatusCode;
use serde_json::json;

use crate::smtp::Sink;
use crate::support::{TestApp, json_of};

#[tokio::test]
async fn the_weekly_report_is_mailed_once_the_server_takes_it() {
    let app = TestApp::spawn().await;
    let admin = app.token("district_bureau_admin").await;
    let body = json!({"username": "district.mgr", "name": "运维经理", "org_unit_id": app.unit_id("district"),
                      "email": "mgr@lh.gov.cn", "password": crate::support::PASSWORD, "roles": [{"role": "om_manager"}]});
    assert_eq!(
        app.post(&admin, "/api/v1/accounts", body).await.status(),
        StatusCode::CREATED
    );
    let mgr = app.token("district.mgr").await;
    let clerk = app.token("mz_staff").await;
    for title in ["办件查询报错", "打印模板缺少印章"] {
        let (s, _) = json_of(
            app.post(
                &clerk,
                "/api/v1/ops/tickets",
                json!({"system": "window", "category": "print_template", "title": title}),
            )
            .await,
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
    }

    // Until a list is set, the report goes to the O&M managers who gave an address.
    assert_eq!(
        zhengwu::ops::report::recipients(&app.db).await.unwrap(),
        ["mgr@lh.gov.cn"]
    );
    // Recipients: checked addresses, set by the O&M manager only, as one text or a list.
    let put_json = |who: &str, list: serde_json::Value| {
        app.client
            .put(app.url("/api/v1/ops/reports/recipients"))
            .bearer_auth(who.to_string())
            .json(&json!({"recipients": list}))
            .send()
    };
    let put = |who: &str, list: &str| put_json(who, json!(list));
    let (s, r) = json_of(
        put_json(&mgr, json!(["a@lh.gov.cn", "b@lh.gov.cn"]))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r, json!(["a@lh.gov.cn", "b@lh.gov.cn"]));
    assert_eq!(
        put(&clerk, "x@lh.gov.cn").await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let (s, e) = json_of(put(&mgr, "zwb@lh.gov.cn, 不是邮箱").await.unwrap()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, _) = json_of(put(&mgr, "zwb@lh.gov.cn；yw@lh.gov.cn").await.unwrap()).await;
    assert_eq!(s, StatusCode::OK);

    // This week's report, as JSON and XLSX.
    let (s, r) = json_of(app.get(&mgr, "/api/v1/ops/reports/weekly").await).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["stats"]["total"], 2);
    assert_eq!(r["tickets"].as_array().unwrap().len(), 2);
    let x = app.get(&mgr, "/api/v1/ops/reports/weekly.xlsx").await;
    assert_eq!(x.status(), StatusCode::OK);
    assert!(x.bytes().await.unwrap().starts_with(b"PK\x03\x04"));

    // Sent on demand while the mail server is down: queued, tried, kept.
    let (s, sent) = json_of(
        app.post(&mgr, "/api/v1/ops/reports/weekly/send", json!({}))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{sent}");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let smtp = zhengwu::mail::Smtp {
        url: format!("smtp://127.0.0.1:{port}"),
        from: "运维台 <ops@lh.gov.cn>".into(),
    };
    assert_eq!(
        zhengwu::mail::deliver_due(&app.db, &smtp).await.unwrap(),
        (0, 1)
    );
    assert_eq!(zhengwu::mail::backlog(&app.db).await.unwrap(), 1);
    // The server is back; the retry comes when its pause is over.
    let sink = Sink::start(port).await;
    assert_eq!(
        zhengwu::mail::deliver_due(&app.db, &smtp).await.unwrap(),
        (0, 0),
        "not yet due"
    );
    zhengwu::storage::query(
        "UPDATE mail_outbox SET next_attempt_at = '2000-01-01T00:00:00.000000Z'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    assert_eq!(
        zhengwu::mail::deliver_due(&app.db, &smtp).await.unwrap(),
        (1, 0)
    );
    assert_eq!(zhengwu::mail::backlog(&app.db).await.unwrap(), 0);
    let got = sink.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, ["<zwb@lh.gov.cn>", "<yw@lh.gov.cn>"]);
    assert_eq!(got[0].from, "<ops@lh.gov.cn>");
    assert!(
        got[0].data.contains("Subject: =?utf-8?"),
        "Chinese subject encoded"
    );
    assert!(got[0].data.contains(".xlsx"), "with the workbook attached");
    // Delivered once only.
    assert_eq!(
        zhengwu::mail::deliver_due(&app.db, &smtp).await.unwrap(),
        (0, 0)
    );

    // The scheduled job builds last week's report once (from Monday 08:00 China time).
    let now = chrono::Utc::now().with_timezone(&zhengwu::clock::cst());
    use chrono::{Datelike, Timelike};
    let early_monday = now.weekday() == chrono::Weekday::Mon && now.hour() < 8;
    assert_eq!(
        zhengwu::ops::report::weekly_job(&app.db).await.unwrap(),
        !early_monday
    );
    assert!(
        !zhengwu::ops::report::weekly_job(&app.db).await.unwrap(),
        "once a week"
    );
    // …and its mail reaches the sink like the one sent on demand.
    if !early_monday {
        assert_eq!(
            zhengwu::mail::deliver_due(&app.db, &smtp).await.unwrap(),
            (1, 0)
        );
        let got = sink.received();
        assert_eq!(got.len(), 2);
        assert!(got[1].data.contains(".xlsx"));
    }
}
