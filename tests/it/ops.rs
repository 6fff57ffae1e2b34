//! The operations desk over HTTP: a community clerk reports a problem, it queues at the
//! community, goes up to the street, is answered, waits on the reporter, is resolved and closed;
//! escalation to the developers; the sweep's automatic escalation and breach records; figures.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, json_of};

/// Engineers at 北站社区 (community), at the district, and an O&M manager at the district, besides
/// the fixture's `om_engineer` at 民治街道 (street).
pub async fn desk() -> TestApp {
    let app = TestApp::spawn().await;
    let admin = app.token("district_bureau_admin").await;
    for (u, unit, role) in [
        ("bz.eng", "beizhan", "om_engineer"),
        ("district.eng", "district", "om_engineer"),
        ("district.mgr", "district", "om_manager"),
    ] {
        let body = json!({"username": u, "name": u, "org_unit_id": app.unit_id(unit),
                          "password": crate::support::PASSWORD, "roles": [{"role": role}]});
        assert_eq!(
            app.post(&admin, "/api/v1/accounts", body).await.status(),
            StatusCode::CREATED
        );
    }
    app
}

async fn queue(app: &TestApp, token: &str) -> Vec<String> {
    let (s, p) = json_of(app.get(token, "/api/v1/ops/tickets?status=open").await).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    p["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["number"].as_str().unwrap().to_string())
        .collect()
}

async fn act(app: &TestApp, token: &str, id: i64, mv: &str, note: &str) -> (StatusCode, Value) {
    json_of(
        app.post(
            token,
            &format!("/api/v1/ops/tickets/{id}/act"),
            json!({"move": mv, "note": note}),
        )
        .await,
    )
    .await
}

async fn escalate(app: &TestApp, token: &str, id: i64) -> (StatusCode, Value) {
    json_of(
        app.post(
            token,
            &format!("/api/v1/ops/tickets/{id}/escalate"),
            json!({"note": "本级无法解决"}),
        )
        .await,
    )
    .await
}

async fn report(app: &TestApp, token: &str, title: &str) -> Value {
    let (s, t) = json_of(
        app.post(
            token,
            "/api/v1/ops/tickets",
            json!({"system": "approval", "category": "fault", "title": title,
                   "description": "点击提交后页面报错", "page_url": "/inbox"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    t
}

#[tokio::test]
async fn a_problem_goes_from_the_community_to_the_street_and_is_solved() {
    let app = desk().await;
    let clerk = app.token("mz_staff").await; // 北站社区
    let t = report(&app, &clerk, "审批待办打不开").await;
    let id = t["id"].as_i64().unwrap();
    let number = t["number"].as_str().unwrap().to_string();
    assert!(number.starts_with("YW20") && number.len() == 13, "{number}");
    assert_eq!(
        (t["status"].as_str(), t["level"].as_str()),
        (Some("new"), Some("community"))
    );

    // Queued at the community: its engineer sees it, the street's and district's do not yet.
    let (bz, street, district) = (
        app.token("bz.eng").await,
        app.token("om_engineer").await,
        app.token("district.eng").await,
    );
    assert_eq!(queue(&app, &bz).await, vec![number.clone()]);
    assert!(queue(&app, &street).await.is_empty());
    assert!(queue(&app, &district).await.is_empty());
    // Another street's clerk cannot even see it; the street engineer may not act on it yet.
    let other = app.token("lh_staff").await;
    let path = format!("/api/v1/ops/tickets/{id}");
    assert_eq!(app.get(&other, &path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        act(&app, &clerk, id, "respond", "").await.0,
        StatusCode::FORBIDDEN,
        "the reporter does not answer their own ticket"
    );

    // Up to the street.
    let (s, up) = escalate(&app, &bz, id).await;
    assert_eq!(
        (s, up["level"].as_str(), up["escalated_to"].as_str()),
        (StatusCode::OK, Some("street"), Some("street"))
    );
    assert!(queue(&app, &bz).await.is_empty());
    assert_eq!(queue(&app, &street).await, vec![number.clone()]);

    // Answered, then waiting on the reporter (a note is required), who answers.
    let (s, r) = act(&app, &street, id, "respond", "已收到，正在排查").await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert!(r["first_response_at"].is_string());
    assert_eq!(r["response_met"], 1, "answered within the hour");
    assert_eq!(r["assignee"], "om_engineer");
    let (s, e) = act(&app, &street, id, "wait", "").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        e["error"]["message"].as_str().unwrap().contains("必填"),
        "{e}"
    );
    let (s, w) = act(&app, &street, id, "wait", "请提供报错截图").await;
    assert_eq!((s, w["status"].as_str()), (StatusCode::OK, Some("waiting")));
    let due_before = w["resolution_due_at"].as_str().unwrap().to_string();
    // Two hours of waiting, as if they had passed in working time.
    zhengwu::storage::query(
        "UPDATE ops_tickets SET waiting_since = '2026-09-29T02:00:00.000000Z' WHERE id = $1",
    )
    .bind(id)
    .execute(&app.db)
    .await
    .unwrap();
    let (s, back) = act(&app, &clerk, id, "start", "截图已上传").await;
    assert_eq!(
        (s, back["status"].as_str()),
        (StatusCode::OK, Some("in_progress"))
    );
    assert!(back["waiting_since"].is_null());
    assert!(
        back["resolution_due_at"].as_str().unwrap() > due_before.as_str(),
        "waiting moved the deadline"
    );

    // A move the status does not allow is refused in the user's language.
    let (s, e) = act(&app, &street, id, "close", "").await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        e["error"]["message"].as_str().unwrap().contains("不允许"),
        "{e}"
    );

    // Two engineers resolve at once: exactly one succeeds.
    let mgr = app.token("district.mgr").await;
    let (a, b) = tokio::join!(
        act(&app, &street, id, "resolve", "清理缓存后恢复"),
        act(&app, &mgr, id, "resolve", "已处理")
    );
    let mut codes = [a.0.as_u16(), b.0.as_u16()];
    codes.sort();
    assert_eq!(codes, [200, 409], "{a:?} {b:?}");
    let (s, c) = act(&app, &clerk, id, "close", "确认已解决").await;
    assert_eq!((s, c["status"].as_str()), (StatusCode::OK, Some("closed")));

    // The history tells it all, and the audit trail has each change.
    let (_, view) = json_of(app.get(&clerk, &path).await).await;
    let kinds: Vec<&str> = view["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "opened", "escalate", "respond", "wait", "start", "resolve", "close"
        ]
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'ticket'")
            .await,
        7
    );
    // Reopened by the reporter: back in progress, resolution cleared.
    let (s, r) = act(&app, &clerk, id, "reopen", "又出现了").await;
    assert_eq!(
        (s, r["status"].as_str(), r["resolved_at"].is_null()),
        (StatusCode::OK, Some("in_progress"), true)
    );
}

#[tokio::test]
async fn bad_reports_are_refused_by_field_and_nothing_is_stored() {
    let app = desk().await;
    let clerk = app.token("mz_staff").await;
    let (s, e) = json_of(
        app.post(
            &clerk,
            "/api/v1/ops/tickets",
            json!({"system": "mainframe", "category": "故障", "priority": "critical", "title": " "}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["system", "priority", "title"], "{e}");
    assert_eq!(app.count("SELECT COUNT(*) FROM ops_tickets").await, 0);
    // A clerk cannot log a call on someone else's behalf; an engineer can, by phone.
    let body = json!({"system": "hall", "category": "account", "title": "忘记密码", "reporter": "citizen.zhang",
                      "channel": "phone", "unit_id": app.unit_id("beizhan")});
    assert_eq!(
        app.post(&clerk, "/api/v1/ops/tickets", body.clone())
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let bz = app.token("bz.eng").await;
    let (s, t) = json_of(app.post(&bz, "/api/v1/ops/tickets", body).await).await;
    assert_eq!(
        (s, t["channel"].as_str(), t["reporter"].as_str()),
        (StatusCode::CREATED, Some("phone"), Some("citizen.zhang"))
    );
}

#[tokio::test]
async fn hard_problems_reach_the_developers_and_the_figures_count_them() {
    let app = desk().await;
    let clerk = app.token("mz_staff").await;
    let (bz, street, district, mgr) = (
        app.token("bz.eng").await,
        app.token("om_engineer").await,
        app.token("district.eng").await,
        app.token("district.mgr").await,
    );
    let hard = report(&app, &clerk, "电子证照签章失败").await["id"]
        .as_i64()
        .unwrap();
    let easy = report(&app, &clerk, "打印回执错位").await["id"]
        .as_i64()
        .unwrap();
    for who in [&bz, &street, &district] {
        let (s, t) = escalate(&app, who, hard).await;
        assert_eq!(s, StatusCode::OK, "{t}");
    }
    let (_, t) = json_of(app.get(&mgr, &format!("/api/v1/ops/tickets/{hard}")).await).await;
    assert_eq!(
        (
            t["ticket"]["level"].as_str(),
            t["ticket"]["escalated_to"].as_str(),
            t["ticket"]["vendor_status"].as_str()
        ),
        (Some("developers"), Some("developers"), Some("open"))
    );
    // The district engineers keep the developers' queue; there is no level above.
    assert!(
        queue(&app, &district)
            .await
            .iter()
            .any(|n| n == t["ticket"]["number"].as_str().unwrap())
    );
    assert_eq!(
        escalate(&app, &district, hard).await.0,
        StatusCode::CONFLICT
    );
    act(&app, &bz, easy, "respond", "处理中").await;
    let (s, _) = act(&app, &bz, easy, "resolve", "已调整模板边距").await;
    assert_eq!(s, StatusCode::OK);

    let today = chrono::Utc::now()
        .with_timezone(&zhengwu::clock::cst())
        .date_naive();
    let (s, st) = json_of(
        app.get(&mgr, &format!("/api/v1/ops/stats?from={today}&to={today}"))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{st}");
    assert_eq!(
        (st["total"].as_i64(), st["resolved"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(st["resolution_rate"], 0.5);
    assert_eq!(st["escalated_to_developers"], 1);
    assert_eq!(st["response_sla_met_rate"], 1.0);
    assert!(st["median_first_response_seconds"].as_f64().unwrap() >= 0.0);
    assert_eq!(st["by_system"]["approval"]["total"], 2);
    assert_eq!(st["by_category"]["fault"]["resolved"], 1);
    assert_eq!(st["by_level"]["developers"]["total"], 1);
    assert_eq!(st["by_level"]["community"]["resolved"], 1);
    // A reporter sees no figures; a bad period is a field error.
    assert_eq!(
        app.get(&clerk, "/api/v1/ops/stats").await.status(),
        StatusCode::FORBIDDEN
    );
    let (s, e) = json_of(app.get(&mgr, "/api/v1/ops/stats?from=2026-13-01").await).await;
    assert_eq!(
        (s, e["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("from"))
    );
}

#[tokio::test]
async fn the_sweep_escalates_a_ticket_about_to_break_once_and_records_breaches_once() {
    let app = desk().await;
    let clerk = app.token("mz_staff").await;
    let id = report(&app, &clerk, "网办大厅无法登录").await["id"]
        .as_i64()
        .unwrap();
    zhengwu::storage::query(
        "UPDATE ops_tickets SET resolution_warn_at = '2026-01-05T01:00:00.000000Z', \
         response_due_at = '2026-01-05T02:00:00.000000Z' WHERE id = $1",
    )
    .bind(id)
    .execute(&app.db)
    .await
    .unwrap();
    assert_eq!(zhengwu::ops::sweep(&app.db).await.unwrap(), (1, 1));
    assert_eq!(
        zhengwu::ops::sweep(&app.db).await.unwrap(),
        (0, 0),
        "once only"
    );
    let street = app.token("om_engineer").await;
    let (_, v) = json_of(app.get(&street, &format!("/api/v1/ops/tickets/{id}")).await).await;
    assert_eq!(v["ticket"]["level"], "street");
    assert!(v["ticket"]["response_breached_at"].is_string());
    assert_eq!(v["timing"], "breached");
    let kinds: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["opened", "auto_escalate", "breach_response"]);
    // Answered late: the response counts as missed.
    let (_, r) = act(&app, &street, id, "respond", "已联系").await;
    assert_eq!(r["response_met"], 0);
}
