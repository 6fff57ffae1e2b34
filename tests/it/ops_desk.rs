//! The desk's routine: the duty rota and its off-hours alerts (mail over SMTP), holiday assurance
//! plans and drills with findings, and inspections whose failures open one ticket at a time.

use reqwest::StatusCode;
use serde_json::json;

use crate::smtp::Sink;
use crate::support::json_of;

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
        true,
        "the platform's own HTTP: {:?}",
        by_check(1)
    );
    assert_eq!(by_check(2)["ok"], true, "database");
    let failed = by_check(c["id"].as_i64().unwrap());
    assert_eq!(failed["ok"], false);
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

#[tokio::test]
async fn duplicates_known_errors_files_vendor_status_and_service_levels() {
    let app = crate::ops::desk().await;
    let (mgr, bz, clerk) = (
        app.token("district.mgr").await,
        app.token("bz.eng").await,
        app.token("mz_staff").await,
    );
    let open = |title: &'static str| {
        let (app, clerk) = (&app, clerk.clone());
        async move {
            let (_, t) = json_of(
                app.post(
                    &clerk,
                    "/api/v1/ops/tickets",
                    json!({"system": "approval", "category": "e_licence", "title": title}),
                )
                .await,
            )
            .await;
            t
        }
    };
    let first = open("证照二维码扫不出").await;
    let second = open("证照二维码无法识别").await;
    // The second repeats the first: resolved as its duplicate.
    let (s, e) = json_of(
        app.post(
            &bz,
            &format!("/api/v1/ops/tickets/{}/duplicate", second["id"]),
            json!({"of": "YW0000-000000"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, e["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("of"))
    );
    let (s, d) = json_of(
        app.post(
            &bz,
            &format!("/api/v1/ops/tickets/{}/duplicate", second["id"]),
            json!({"of": first["number"]}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, d["status"].as_str(), d["duplicate_of"].clone()),
        (StatusCode::OK, Some("resolved"), first["id"].clone())
    );

    // A known error with its fix, linked so the next one is solved faster.
    let (s, k) = json_of(
        app.post(&bz, "/api/v1/ops/known-errors", json!({"title": "证照二维码过密", "symptom": "扫码失败", "fix": "模板二维码改为 4 厘米"})).await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{k}");
    assert_eq!(
        app.post(
            &clerk,
            "/api/v1/ops/known-errors",
            json!({"title": "x", "fix": "y"})
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    let (_, found) = json_of(app.get(&bz, "/api/v1/ops/known-errors?q=扫码").await).await;
    assert_eq!(found[0]["id"], k["id"]);
    let (s, _) = json_of(
        app.post(
            &bz,
            &format!("/api/v1/ops/tickets/{}/known-error", first["id"]),
            json!({"known_error_id": k["id"]}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);

    // The reporter attaches a screenshot; a script named .png is refused by its content.
    let form = |name: &str, bytes: &[u8]| {
        reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        )
    };
    let png = [
        0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13,
    ];
    let post = |f: reqwest::multipart::Form| {
        app.client
            .post(app.url(&format!("/api/v1/ops/tickets/{}/files", first["id"])))
            .bearer_auth(&clerk)
            .multipart(f)
            .send()
    };
    assert_eq!(
        post(form("截图.png", b"#!/bin/sh\n"))
            .await
            .unwrap()
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (s, files) = json_of(post(form("截图.png", &png)).await.unwrap()).await;
    assert_eq!(s, StatusCode::CREATED, "{files}");
    let (_, v) = json_of(
        app.get(&mgr, &format!("/api/v1/ops/tickets/{}", first["id"]))
            .await,
    )
    .await;
    assert_eq!(v["known_error"]["fix"], "模板二维码改为 4 厘米");
    assert_eq!(v["files"][0]["name"], "截图.png");
    let r = app
        .get(
            &bz,
            &format!(
                "/api/v1/ops/tickets/{}/files/{}",
                first["id"], files[0]["id"]
            ),
        )
        .await;
    assert_eq!(
        (r.status(), r.headers()["content-type"].to_str().unwrap()),
        (StatusCode::OK, "image/png")
    );
    let other = app.token("lh_staff").await;
    let r = app
        .get(
            &other,
            &format!(
                "/api/v1/ops/tickets/{}/files/{}",
                first["id"], files[0]["id"]
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (_, v) = json_of(
        app.get(&mgr, &format!("/api/v1/ops/tickets/{}", second["id"]))
            .await,
    )
    .await;
    assert_eq!(v["duplicate_of_number"], first["number"]);

    // Developers' status only once it is with them.
    let vendor_path = format!("/api/v1/ops/tickets/{}/vendor", first["id"]);
    let vendor = || app.post(&mgr, &vendor_path, json!({"status": "修复中"}));
    assert_eq!(vendor().await.status(), StatusCode::CONFLICT);
    for _ in 0..3 {
        app.post(
            &mgr,
            &format!("/api/v1/ops/tickets/{}/escalate", first["id"]),
            json!({}),
        )
        .await;
    }
    let (s, t) = json_of(vendor().await).await;
    assert_eq!(
        (s, t["vendor_status"].as_str()),
        (StatusCode::OK, Some("修复中"))
    );

    // Service levels: managers change them; new tickets get them.
    let body =
        json!({"response_minutes": 30, "resolution_minutes": 10, "offhours_response_minutes": 30});
    let r = app
        .client
        .put(app.url("/api/v1/ops/sla/normal"))
        .bearer_auth(&mgr)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body =
        json!({"response_minutes": 30, "resolution_minutes": 240, "offhours_response_minutes": 20});
    let r = app
        .client
        .put(app.url("/api/v1/ops/sla/normal"))
        .bearer_auth(&bz)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .client
        .put(app.url("/api/v1/ops/sla/normal"))
        .bearer_auth(&mgr)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (_, all) = json_of(app.get(&mgr, "/api/v1/ops/sla").await).await;
    let normal = all
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["priority"] == "normal")
        .unwrap()
        .clone();
    assert_eq!(normal["resolution_minutes"], 240);
    let t = open("新时限下的工单").await;
    let opened = chrono::DateTime::parse_from_rfc3339(t["opened_at"].as_str().unwrap()).unwrap();
    let due = chrono::DateTime::parse_from_rfc3339(t["response_due_at"].as_str().unwrap()).unwrap();
    // Deadlines count whole minutes from the minute the ticket was opened in.
    use chrono::Timelike;
    let opened = opened
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap();
    let minutes = (due - opened).num_minutes();
    assert!(
        minutes == 20 || minutes >= 30,
        "off hours 20 min of the clock, else 30 working minutes: {minutes}"
    );
}

/// A known error's title in any script is found by what it says: full-width Latin, accented and
/// Greek letters as typed, ASCII in either case, and `_` only as itself — on both stores.
#[tokio::test]
async fn known_errors_are_found_by_any_script_and_wildcards_are_literal() {
    let app = crate::ops::desk().await;
    let bz = app.token("om_engineer").await;
    let (s, k) = json_of(
        app.post(
            &bz,
            "/api/v1/ops/known-errors",
            json!({"title": "ＶＰＮ连不上 Über ΑΒΓ MixedCase", "symptom": "隧道断开", "fix": "重启客户端"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{k}");
    for q in ["ＶＰＮ", "Über", "ΑΒΓ", "mixedcase", "MIXEDCASE", "连不上"] {
        let path = format!("/api/v1/ops/known-errors?q={}", urlencode(q));
        let (_, found) = json_of(app.get(&bz, &path).await).await;
        assert_eq!(found.as_array().unwrap().len(), 1, "{q}: {found}");
    }
    for q in ["%", "_", "Mixed_ase"] {
        let path = format!("/api/v1/ops/known-errors?q={}", urlencode(q));
        let (_, found) = json_of(app.get(&bz, &path).await).await;
        assert_eq!(found.as_array().unwrap().len(), 0, "{q}: {found}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
