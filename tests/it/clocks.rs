//! Application clocks over HTTP: special procedures (特别程序) pause them until the department
//! ends them; a pause across the National Day holiday costs only the working time it took; the
//! server's scheduled sweep records overdue tasks by itself.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use zhengwu::approval::calendar::Hours;
use zhengwu::approval::calendar_repo;

use crate::support::approval::{Setup, act, history, setup, start};
use crate::support::json_of;

fn task_ids(p: &Value) -> Vec<i64> {
    p["open_tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_special_procedure_pauses_the_clock_until_the_department_ends_it() {
    let Setup { app, code } = setup().await;
    let clerk = app.token("window_clerk").await;
    let p = start(&app, &code, "LH2026-0800").await;
    let id = p["id"].as_i64().unwrap();
    let accept = task_ids(&p)[0];
    // 受理 does not allow special procedures.
    let (s, e) = act(
        &app,
        &clerk,
        accept,
        json!({"action": "special", "opinion": "听证", "procedure": "hearing"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (_, p) = act(&app, &clerk, accept, json!({"action": "pass"})).await;
    let joint = task_ids(&p);
    assert_eq!(joint.len(), 2, "two departments countersign: {p}");

    let health = app.token("health.a").await;
    let health_task = {
        let inbox = crate::support::approval::inbox(&app, &health).await;
        inbox[0]["task"]["id"].as_i64().unwrap()
    };
    // Which procedure, and why: both are required, answered by field.
    let (s, e) = act(
        &app,
        &health,
        health_task,
        json!({"action": "special", "opinion": "需组织专家评审"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["field"], "procedure", "{e}");
    let (s, e) = act(
        &app,
        &health,
        health_task,
        json!({"action": "special", "procedure": "expert_review"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["field"], "opinion", "{e}");
    let (s, p) = act(
        &app,
        &health,
        health_task,
        json!({"action": "special", "procedure": "expert_review", "opinion": "需组织专家评审"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["status"], "paused");
    assert_eq!(p["pause_kind"], "special:expert_review");
    assert_eq!(task_ids(&p).len(), 2, "both countersign tasks stay open");

    // While it runs nobody acts, and the street's clerk cannot end the department's procedure.
    let market = app.token("market.a").await;
    let market_task = *task_ids(&p).iter().find(|t| **t != health_task).unwrap();
    let (s, _) = act(&app, &market, market_task, json!({"action": "pass"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let resume = format!("/api/v1/approvals/{id}/resume");
    assert_eq!(
        app.post(&clerk, &resume, json!({})).await.status(),
        StatusCode::FORBIDDEN
    );

    // The case page says what is under way and offers the department the way out.
    let c = crate::support::pages::browser();
    crate::support::pages::sign_in(&app, &c, "health.a").await;
    let page = c
        .get(app.url(&format!("/approvals/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("专家评审进行中，计时暂停。") && page.contains("需组织专家评审"),
        "{page}"
    );
    assert!(page.contains("特别程序已结束，恢复审批") && page.contains("特别程序中（暂停计时）"));

    let (s, p) = json_of(app.post(&health, &resume, json!({})).await).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["status"], "running");
    assert!(p["pause_kind"].is_null());
    assert_eq!(
        history(&app, &health, id).await,
        [
            "approval.start",
            "approval.pass",
            "approval.special",
            "approval.resume"
        ]
    );
    let (_, case) = json_of(app.get(&health, &format!("/api/v1/approvals/{id}")).await).await;
    let special: Value =
        serde_json::from_str(case["history"][2]["after_json"].as_str().unwrap()).unwrap();
    assert_eq!(special["procedure"], "expert_review");
    // Work goes on: both departments pass and the decision opens.
    act(&app, &health, health_task, json!({"action": "pass"})).await;
    let (_, p) = act(&app, &market, market_task, json!({"action": "pass"})).await;
    assert_eq!(p["open_tasks"][0]["step_name"], "决定", "{p}");
}

fn cst(y: i32, m: u32, d: u32, h: u32) -> DateTime<FixedOffset> {
    zhengwu::clock::cst()
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .unwrap()
}

fn stored(t: DateTime<FixedOffset>) -> String {
    zhengwu::clock::to_db(t.with_timezone(&Utc))
}

#[tokio::test]
async fn a_supplement_across_the_national_day_holiday_costs_only_working_time() {
    let Setup { app, code } = setup().await;
    let clerk = app.token("window_clerk").await;
    let p = start(&app, &code, "LH2026-0900").await;
    let id = p["id"].as_i64().unwrap();
    let accept = task_ids(&p)[0];
    let (s, p) = act(
        &app,
        &clerk,
        accept,
        json!({"action": "supplement", "opinion": "缺少身份证复印件"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["pause_kind"], "supplement");
    // The request went out on Tuesday 29 September 2026 at 10:00, before 中秋 and 国庆 ended;
    // the task was due on the 30th at 10:00 and the application on 13 October.
    let paused = cst(2026, 9, 29, 10);
    let (task_due, app_due) = (cst(2026, 9, 30, 10), cst(2026, 10, 13, 10));
    zhengwu::storage::query(
        "UPDATE approval_instances SET paused_at = $1, due_at = $2 WHERE id = $3",
    )
    .bind(stored(paused))
    .bind(stored(app_due))
    .bind(id)
    .execute(&app.db)
    .await
    .unwrap();
    zhengwu::storage::query("UPDATE approval_tasks SET due_at = $1 WHERE id = $2")
        .bind(stored(task_due))
        .bind(accept)
        .execute(&app.db)
        .await
        .unwrap();

    let before = Utc::now();
    let (s, p) = json_of(
        app.post(&clerk, &format!("/api/v1/approvals/{id}/resume"), json!({}))
            .await,
    )
    .await;
    let after = Utc::now();
    assert_eq!(s, StatusCode::OK, "{p}");

    let cal = calendar_repo::calendar(&app.db).await.unwrap();
    let hours = Hours::default();
    let tz = zhengwu::clock::cst();
    let (_, case) = json_of(app.get(&clerk, &format!("/api/v1/approvals/{id}")).await).await;
    let resumed: Value = serde_json::from_str(
        case["history"].as_array().unwrap().last().unwrap()["after_json"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let waited = resumed["waited_working_minutes"].as_i64().unwrap();
    // 29 Sep from 10:00 (360 working minutes) and 30 Sep (420) count; 1–7 October, the National
    // Day holiday, counts nothing; from 8 October on, every working day counts again.
    let holiday_end = cst(2026, 10, 8, 0);
    let tail = |now: DateTime<Utc>| {
        cal.working_minutes_between(holiday_end, now.with_timezone(&tz).fixed_offset(), &hours)
    };
    assert!(
        (780 + tail(before)..=780 + tail(after)).contains(&waited),
        "waited {waited} working minutes"
    );
    // Both deadlines moved on by exactly that working time.
    let moved = |t: DateTime<FixedOffset>| stored(cal.add_working_minutes(t, waited, &hours));
    assert_eq!(p["due_at"], moved(app_due));
    assert_eq!(p["open_tasks"][0]["due_at"], moved(task_due));
    assert_eq!(case["tasks"][0]["due_at"], moved(task_due));
    assert_eq!(p["status"], "running");
}

#[tokio::test]
async fn the_scheduled_sweep_records_overdue_tasks_by_itself() {
    let Setup { app, code } = setup().await;
    let p = start(&app, &code, "LH2026-1000").await;
    let id = p["id"].as_i64().unwrap();
    zhengwu::storage::query(
        "UPDATE approval_tasks SET due_at = '2026-01-05T01:00:00.000000Z' WHERE instance_id = $1",
    )
    .bind(id)
    .execute(&app.db)
    .await
    .unwrap();
    let jobs = zhengwu::http::spawn_jobs(app.db.clone(), std::time::Duration::from_millis(50));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let sql = "SELECT COUNT(*) FROM audit_log WHERE action = 'approval.overdue'";
    while app.count(sql).await == 0 {
        assert!(std::time::Instant::now() < deadline, "the sweep never ran");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Later sweeps find nothing new.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    jobs.abort();
    assert_eq!(app.count(sql).await, 1);
    let clerk = app.token("window_clerk").await;
    let (_, case) = json_of(app.get(&clerk, &format!("/api/v1/approvals/{id}")).await).await;
    assert!(
        case["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "approval.overdue")
    );
}

/// Deadlines count the hall's own working hours (not the default ones), and a pause that takes
/// no working time — a night — moves no deadline, the same rule as the desk's: an approval due
/// at the hall's closing time stays due then, not at its opening the next day.
#[tokio::test]
async fn deadlines_follow_the_halls_hours_and_an_overnight_pause_moves_nothing() {
    let Setup { app, code } = setup().await;
    let at = |d: u32, h: u32, m: u32| {
        zhengwu::clock::cst()
            .with_ymd_and_hms(2026, 12, d, h, m, 0)
            .unwrap()
    };
    // Tuesday 1 December 2026, as the hall opens at 08:30.
    app.db.clock().set(at(1, 8, 30).with_timezone(&Utc));
    let hall: i64 = zhengwu::storage::query_scalar("SELECT id FROM org_units WHERE code = $1")
        .bind(crate::support::filing::HALL)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let hours = calendar_repo::set_hours(
        &app.db,
        &zhengwu::auth::Principal::system(),
        hall,
        "08:30-12:00,13:30-17:00",
    )
    .await
    .unwrap();
    let clerk = app.token("window_clerk").await;
    let (s, p) = json_of(
        app.post(
            &clerk,
            "/api/v1/approvals",
            json!({"matter_code": code, "unit_code": crate::support::filing::HALL, "reference": "LH2026-1201"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let id = p["id"].as_i64().unwrap();
    let days = i64::from(
        zhengwu::demo::catalog::matter(3)
            .guide
            .promised_limit_days
            .get(),
    );
    let cal = calendar_repo::calendar(&app.db).await.unwrap();
    let due = cal.add_working_minutes(at(1, 8, 30), days * hours.minutes_per_day(), &hours);
    assert_eq!(p["due_at"], stored(due), "the hall's hours");
    assert_eq!(
        due.time(),
        chrono::NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
        "due as the hall closes"
    );
    let default = Hours::default();
    let by_default =
        cal.add_working_minutes(at(1, 8, 30), days * default.minutes_per_day(), &default);
    assert_ne!(stored(due), stored(by_default));

    // Accepted; at 17:30, after closing, the department starts a special procedure and ends it
    // at 08:00 the next morning, before opening: no working time passed, nothing moves.
    let (_, p) = act(&app, &clerk, task_ids(&p)[0], json!({"action": "pass"})).await;
    let health = app.token("health.a").await;
    let health_task = {
        let inbox = crate::support::approval::inbox(&app, &health).await;
        inbox[0]["task"]["id"].as_i64().unwrap()
    };
    let tasks_due: Vec<Value> = p["open_tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["due_at"].clone())
        .collect();
    app.db.clock().set(at(1, 17, 30).with_timezone(&Utc));
    let (s, r) = act(
        &app,
        &health,
        health_task,
        json!({"action": "special", "procedure": "hearing", "opinion": "需举行听证"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    app.db.clock().set(at(2, 8, 0).with_timezone(&Utc));
    let health = app.token("health.a").await;
    let (s, p) = json_of(
        app.post(
            &health,
            &format!("/api/v1/approvals/{id}/resume"),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["due_at"], stored(due), "an overnight pause moves nothing");
    let after: Vec<Value> = p["open_tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["due_at"].clone())
        .collect();
    assert_eq!(after, tasks_due);
}
