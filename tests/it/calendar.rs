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
    // Friday 2027-01-01 is not yet known as a holiday.
    assert_eq!(add(&app, "2026-12-31", 1).await.1["date"], "2027-01-01");
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
