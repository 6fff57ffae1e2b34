//! The working-day calendar through HTTP: arithmetic over real holiday seasons, bad input, the
//! bureau entering a coming year's schedule (audited, effective at once), hall hours, the page.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{TestApp, json_of};

async fn add(app: &TestApp, from: &str, days: i64) -> (StatusCode, serde_json::Value) {
    let url = app.url(&format!(
        "/api/v1/calendar/add-working-days?from={from}&days={days}"
    ));
    json_of(app.client.get(url).send().await.unwrap()).await
}

#[tokio::test]
async fn working_days_over_real_seasons_and_bad_input() {
    let app = TestApp::spawn().await;
    for (from, days, want) in [
        ("2024-02-09", 1, "2024-02-18"), // Spring Festival 2024, Sunday make-up day
        ("2025-09-30", 1, "2025-10-09"), // National Day + Mid-Autumn 2025
        ("2026-02-13", 1, "2026-02-14"), // Saturday make-up day before Spring Festival 2026
        ("2026-02-14", 1, "2026-02-24"),
        ("2026-11-27", 1, "2026-11-30"),  // an ordinary weekend
        ("2018-12-28", 20, "2019-01-28"), // across New Year 2019 (Sat Dec 29 worked)
    ] {
        let (s, b) = add(&app, from, days).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(b["date"], want, "{from} + {days}");
    }
    let (s, e) = add(&app, "2026-02-30", 1).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["field"], "from");
    let (s, _) = add(&app, "2026-01-01", -1).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // At the end of the representable calendar: a clear refusal, not a server error.
    let (s, e) = add(&app, "262142-12-31", 10).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (_, y) = json_of(
        app.client
            .get(app.url("/api/v1/calendar/2026"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let days = y["days"].as_array().unwrap();
    assert!(
        days.iter()
            .any(|d| d["day"] == "2026-10-01" && d["kind"] == "holiday" && d["name"] == "国庆节")
    );
    assert!(
        days.iter()
            .any(|d| d["day"] == "2026-02-28" && d["kind"] == "workday")
    );
}

#[tokio::test]
async fn the_bureau_enters_next_years_schedule() {
    let app = TestApp::spawn().await;
    // Friday 2027-01-01 is not yet known as a holiday — and the answer says so.
    let (_, a) = add(&app, "2026-12-31", 1).await;
    assert_eq!(a["date"], "2027-01-01");
    assert_eq!(a["unpublished_years"], json!([2027]));
    assert!(
        a["warning"]
            .as_str()
            .unwrap()
            .contains("2027 年的节假日安排尚未录入"),
        "{a}"
    );
    let (_, a) = add(&app, "2026-05-06", 3).await;
    assert_eq!(
        a["unpublished_years"],
        json!([]),
        "a known year: no warning"
    );
    let clerk = app.token("window_clerk").await;
    let r = app
        .client
        .put(app.url("/api/v1/calendar/days/2027-01-01"))
        .bearer_auth(&clerk)
        .json(&json!({"kind": "holiday", "name": "元旦"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let admin = app.token("district_bureau_admin").await;
    let r = app
        .client
        .put(app.url("/api/v1/calendar/days/2027-01-01"))
        .bearer_auth(&admin)
        .json(&json!({"kind": "holiday", "name": "元旦"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(add(&app, "2026-12-31", 1).await.1["date"], "2027-01-04");
    // A Saturday worked.
    app.client
        .put(app.url("/api/v1/calendar/days/2027-01-02"))
        .bearer_auth(&admin)
        .json(&json!({"kind": "workday", "name": "元旦调休"}))
        .send()
        .await
        .unwrap();
    assert_eq!(add(&app, "2026-12-31", 1).await.1["date"], "2027-01-02");
    // Undo: back to an ordinary Saturday.
    app.client
        .put(app.url("/api/v1/calendar/days/2027-01-02"))
        .bearer_auth(&admin)
        .json(&json!({"kind": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(add(&app, "2026-12-31", 1).await.1["date"], "2027-01-04");
    let (_, log) = json_of(app.get(&admin, "/api/v1/audit?action=calendar.").await).await;
    assert_eq!(log["total"], 3);
    assert!(
        log["items"][0]["before_json"]
            .as_str()
            .unwrap()
            .contains("元旦调休")
    );
}

#[tokio::test]
async fn hall_hours_and_the_calendar_page() {
    let app = TestApp::spawn().await;
    let admin = app.token("department_admin").await; // manages 民治街道, its hall included
    let hall = app.unit_id("minzhi_hall");
    let (_, h) = json_of(
        app.get(&admin, &format!("/api/v1/calendar/hours/{hall}"))
            .await,
    )
    .await;
    assert_eq!(h["periods"], "09:00-12:00,14:00-18:00");
    let put = |body: serde_json::Value, unit: i64| {
        app.client
            .put(app.url(&format!("/api/v1/calendar/hours/{unit}")))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    let (s, h) = json_of(
        put(json!({"periods": "8:30-12:00, 13:30-17:30"}), hall)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["periods"], "08:30-12:00,13:30-17:30");
    let (s, e) = json_of(
        put(json!({"periods": "14:00-18:00,09:00-12:00"}), hall)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["field"], "periods");
    assert_eq!(
        put(json!({"periods": "09:00-17:00"}), app.unit_id("minzhi"))
            .await
            .unwrap()
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let c = crate::support::pages::browser();
    crate::support::pages::sign_in(&app, &c, "district_bureau_admin").await;
    let page = c
        .get(app.url("/calendar?year=2026"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("10 月") && page.contains("国庆节") && page.contains("全年共 248 个工作日"),
        "{}",
        &page[..500]
    );
}

/// The year's notice in one import: the bureau pastes it, the year's holidays replace the old
/// entries at once, and every open approval whose deadline crosses into that year is
/// recomputed (keeping the working time it had left) and audited. Bad lines are named; only
/// the bureau imports. From 1 November the bureau is reminded once to enter next year's.
#[tokio::test]
async fn a_years_notice_is_one_import_and_open_deadlines_follow_it() {
    let crate::support::approval::Setup { app, code } = crate::support::approval::setup().await;
    use chrono::TimeZone;
    let at = |y, m, d, h| {
        zhengwu::clock::cst()
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    // 1 November 2026: nobody has entered 2027; the bureau is reminded, once.
    app.db.clock().set(at(2026, 11, 2, 9));
    assert!(
        zhengwu::approval::calendar_notice::remind_next_year(&app.db)
            .await
            .unwrap()
    );
    assert!(
        !zhengwu::approval::calendar_notice::remind_next_year(&app.db)
            .await
            .unwrap()
    );
    let admin = app.token("district_bureau_admin").await;
    let (_, msgs) = json_of(app.get(&admin, "/api/v1/messages").await).await;
    assert!(
        msgs.as_array()
            .unwrap()
            .iter()
            .any(|m| m["subject"].as_str().unwrap().contains("2027 年节假日")),
        "{msgs}"
    );
    // 24 December: an approval starts whose deadline runs into January 2027.
    app.db.clock().set(at(2026, 12, 24, 10));
    let p = crate::support::approval::start(&app, &code, "LH2026-1224").await;
    let id = p["id"].as_i64().unwrap();
    let before = p["due_at"].as_str().unwrap().to_string();
    assert!(before.starts_with("2027-01"), "{before}");
    // Its page warns that the deadline runs into a year not yet entered.
    let c = crate::support::pages::browser();
    crate::support::pages::sign_in(&app, &c, "window_clerk").await;
    let page = c
        .get(app.url(&format!("/approvals/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"due-warning\"") && page.contains("2027 年的节假日安排尚未录入"));

    let import = |who: String, year: i32, notice: &str| {
        app.client
            .post(app.url(&format!("/api/v1/calendar/{year}/import")))
            .bearer_auth(who)
            .json(&json!({"notice": notice}))
            .send()
    };
    let notice = "# 国办发明电〔2026〕X号\n2027-01-01..2027-01-03,放假,元旦\n2027-02-06..2027-02-13,放假,春节\n2027-02-14,上班,春节调休\n";
    let clerk = app.token("window_clerk").await;
    assert_eq!(
        import(clerk, 2027, notice).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let admin = app.token("district_bureau_admin").await;
    // A notice for 2027 touches no other year: a range reaching into 2026 is refused.
    let (s, _) = json_of(
        import(admin.clone(), 2027, "2026-12-31..2027-01-02,放假,元旦\n")
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, e) = json_of(
        import(
            admin.clone(),
            2027,
            "2027-01-01,放假,元旦\n2027-13-01,放假,x\n",
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        e["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("第 2 行"),
        "{e}"
    );
    let (_, y) = json_of(
        app.client
            .get(app.url("/api/v1/calendar/2027"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(y["days"], json!([]), "nothing half-imported");

    let (s, r) = json_of(import(admin.clone(), 2027, notice).await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["days"], 3 + 8 + 1);
    assert_eq!(r["recomputed"], 1);
    let (_, y) = json_of(
        app.client
            .get(app.url("/api/v1/calendar/2027"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(y["days"].as_array().unwrap().len(), 12);
    assert_eq!(add(&app, "2026-12-31", 1).await.1["date"], "2027-01-04");
    // The open approval keeps its working time: 1 January is a holiday now, so one working
    // day later.
    let (_, case) = json_of(app.get(&admin, &format!("/api/v1/approvals/{id}")).await).await;
    let after = case["instance"]["due_at"].as_str().unwrap().to_string();
    let cal = zhengwu::approval::calendar_repo::calendar(&app.db)
        .await
        .unwrap();
    let day = |s: &str| {
        zhengwu::clock::from_db(s)
            .unwrap()
            .with_timezone(&zhengwu::clock::cst())
            .date_naive()
    };
    assert_eq!(
        cal.working_days_between(day(&before), day(&after)),
        1,
        "{before} → {after}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'approval.deadline_recomputed'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'calendar.import'")
            .await,
        1
    );
    // Entered: no more reminders for 2027, even on a later November day.
    app.db.clock().set(at(2026, 11, 20, 9));
    assert!(
        !zhengwu::approval::calendar_notice::remind_next_year(&app.db)
            .await
            .unwrap()
    );
}

/// The desk's clocks follow a year's notice too: a ticket opened on the last afternoon of 2026
/// whose working day ran into 1 January (a weekday while 2027 was unknown) is due on the first
/// working day after the New Year holiday once the notice is imported, with an event saying so.
#[tokio::test]
async fn a_years_notice_moves_the_desks_clocks() {
    let app = TestApp::spawn().await;
    use chrono::TimeZone;
    let at = zhengwu::clock::cst()
        .with_ymd_and_hms(2026, 12, 31, 16, 0, 0)
        .unwrap();
    app.db.clock().set(at.with_timezone(&chrono::Utc));
    let clerk = app.token("window_clerk").await;
    let (s, t) = json_of(
        app.post(
            &clerk,
            "/api/v1/ops/tickets",
            json!({"system": "approval", "category": "fault", "title": "受理页面打不开",
                   "description": "点击受理后页面报错"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let id = t["id"].as_i64().unwrap();
    let due = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            let s: String = zhengwu::storage::query_scalar(
                "SELECT resolution_due_at FROM ops_tickets WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap();
            zhengwu::clock::display(&s)
        }
    };
    // A working day (420 minutes): 2 hours on 31 December, the other 5 on 1 January.
    assert!(
        due(&app).await.starts_with("2027-01-01 16:00"),
        "{}",
        due(&app).await
    );
    let admin = app.token("district_bureau_admin").await;
    let (s, r) = json_of(
        app.post(
            &admin,
            "/api/v1/calendar/2027/import",
            json!({"notice": "2027-01-01..2027-01-03,放假,元旦\n"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["recomputed"], 1, "{r}");
    assert!(
        due(&app).await.starts_with("2027-01-04 16:00"),
        "{}",
        due(&app).await
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM ops_ticket_events WHERE ticket_id = {id} AND kind = 'calendar'"
        ))
        .await,
        1
    );
}
