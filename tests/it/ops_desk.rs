//! The desk's routine: the duty rota and its off-hours alerts (mail over SMTP), holiday assurance
//! plans and drills with findings, and inspections whose failures open one ticket at a time.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::json_of;
use crate::smtp::Sink;

#[tokio::test]
async fn off_hours_tickets_go_to_the_engineer_on_duty_with_a_mail() {
    let app = crate::ops::desk().await;
    let (mgr, clerk) = (app.token("district.mgr").await, app.token("mz_staff").await);
    let today = chrono::Utc::now()
        .with_timezone(&zhengwu::clock::cst())
        .date_naive()
        .to_string();
    zhengwu::storage::query(
        "UPDATE users SET email = 'duty@lh.gov.cn' WHERE username = 'om_engineer'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    // The rota: managers only, engineers only, once a day each.
    let duty = json!({"day": today, "engineer": "om_engineer", "note": "周末值班"});
    assert_eq!(
        app.post(&clerk, "/api/v1/ops/duty", duty.clone())
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let (s, e) = json_of(
        app.post(
            &mgr,
            "/api/v1/ops/duty",
            json!({"day": today, "engineer": "window_clerk"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, e["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("engineer"))
    );
    assert_eq!(
        app.post(&mgr, "/api/v1/ops/duty", duty.clone())
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_eq!(
        app.post(&mgr, "/api/v1/ops/duty", duty).await.status(),
        StatusCode::CONFLICT
    );
    let (_, rota) = json_of(app.get(&mgr, "/api/v1/ops/duty").await).await;
    assert_eq!(rota[0]["engineer"], "om_engineer");

    // Today becomes a holiday on the calendar, so now is outside working time.
    let admin = app.token("district_bureau_admin").await;
    let r = app
        .client
        .put(app.url(&format!("/api/v1/calendar/days/{today}")))
        .bearer_auth(&admin)
        .json(&json!({"kind": "holiday", "name": "测试假日"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (s, t) = json_of(
        app.post(
            &clerk,
            "/api/v1/ops/tickets",
            json!({"system": "hall", "category": "fault", "title": "假日里网办大厅打不开"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(
        (t["off_hours"].as_i64(), t["assignee"].as_str()),
        (Some(1), Some("om_engineer"))
    );
    // The duty engineer's target is wall-clock: an hour from now, not the next working day.
    let opened = chrono::DateTime::parse_from_rfc3339(t["opened_at"].as_str().unwrap()).unwrap();
    let due = chrono::DateTime::parse_from_rfc3339(t["response_due_at"].as_str().unwrap()).unwrap();
    assert_eq!((due - opened).num_minutes(), 60);

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sink = Sink::start(port).await;
    let smtp = zhengwu::mail::Smtp {
        url: format!("smtp://127.0.0.1:{port}"),
        from: "运维台 <ops@lh.gov.cn>".into(),
    };
    assert_eq!(
        zhengwu::mail::deliver_due(&app.db, &smtp).await.unwrap(),
        (1, 0)
    );
    let got = sink.received();
    assert_eq!(got[0].to, ["<duty@lh.gov.cn>"]);
    let (_, v) = json_of(
        app.get(&mgr, &format!("/api/v1/ops/tickets/{}", t["id"]))
            .await,
    )
    .await;
    let kinds: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["opened", "duty_alert"]);
}

#[tokio::test]
async fn assurance_plans_and_drills_are_recorded_with_their_findings() {
    let app = crate::ops::desk().await;
    let mgr = app.token("district.mgr").await;
    let plan = json!({"kind": "holiday", "title": "2026年国庆节安全保障", "starts_on": "2026-10-01", "ends_on": "2026-10-07",
                      "plan": "每日两人值班，9:00、15:00 各巡检一次"});
    let (s, a) = json_of(app.post(&mgr, "/api/v1/ops/assurance", plan).await).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let mut done = a.clone();
    done["findings"] = json!("10月3日证照库连接数偏高，已扩容；无服务中断");
    let (s, b) = json_of(app.post(&mgr, "/api/v1/ops/assurance", done).await).await;
    assert_eq!((s, b["id"].clone()), (StatusCode::OK, a["id"].clone()));
    let bad = json!({"kind": "drill", "title": "数据恢复演练", "starts_on": "2026-11-20", "ends_on": "2026-11-19"});
    let (s, e) = json_of(app.post(&mgr, "/api/v1/ops/assurance", bad).await).await;
    assert_eq!(
        (s, e["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("ends_on"))
    );
    let (_, all) = json_of(app.get(&mgr, "/api/v1/ops/assurance").await).await;
    assert_eq!(all.as_array().unwrap().len(), 1);
    assert!(all[0]["findings"].as_str().unwrap().contains("已扩容"));
    let clerk = app.token("mz_staff").await;
    assert_eq!(
        app.get(&clerk, "/api/v1/ops/assurance").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_failed_inspection_opens_one_ticket_until_it_is_solved() {
    let app = crate::ops::desk().await;
    let mgr = app.token("district.mgr").await;
    // A URL nobody answers.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (s, c) = json_of(
        app.post(&mgr, "/api/v1/ops/checks", json!({"name": "电子证照接口", "target": format!("http://127.0.0.1:{dead}/health"), "threshold": 500}))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let (s, _) = json_of(
        app.post(
            &mgr,
            "/api/v1/ops/checks",
            json!({"name": "坏地址", "target": "ftp://x"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    let run = || async {
        let r = app
            .client
            .post(app.url("/api/v1/ops/checks/run"))
            .bearer_auth(&mgr)
            .header("host", app.addr.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.json::<serde_json::Value>().await.unwrap()
    };
    let runs = run().await;
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 6, "five built-in checks and the URL: {runs:?}");
    let by_check = |id: i64| runs.iter().find(|r| r["check_id"] == id).unwrap().clone();
    assert_eq!(
        by_check(1)["ok"],
        1,
        "the platform's own HTTP: {:?}",
        by_check(1)
    );
    assert_eq!(by_check(2)["ok"], 1, "database");
    let failed = by_check(c["id"].as_i64().unwrap());
    assert_eq!(failed["ok"], 0);
    let ticket = failed["ticket_id"].as_i64().unwrap();
    let (_, t) = json_of(
        app.get(&mgr, &format!("/api/v1/ops/tickets/{ticket}"))
            .await,
    )
    .await;
    assert_eq!(t["ticket"]["title"], "巡检未通过：电子证照接口");
    assert_eq!(
        (
            t["ticket"]["system"].as_str(),
            t["ticket"]["priority"].as_str()
        ),
        (Some("platform"), Some("high"))
    );
    // Failing again: recorded against the same open ticket.
    let again = run().await;
    let again = again
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["check_id"] == c["id"])
        .unwrap()
        .clone();
    assert_eq!(again["ticket_id"].as_i64(), Some(ticket));
    assert_eq!(app.count("SELECT COUNT(*) FROM ops_tickets").await, 1);
    let (_, all) = json_of(app.get(&mgr, "/api/v1/ops/checks").await).await;
    assert_eq!(all["runs"].as_array().unwrap().len(), 12);
}
