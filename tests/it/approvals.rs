//! Applications through a workflow over HTTP: inboxes by role and unit, a parallel countersign,
//! two people acting at once, transfer, supplement pausing the clock, send back, reject, history.

use reqwest::StatusCode;
use reqwest::multipart::Form;
use serde_json::json;

use crate::support::approval::{Setup, act, history, inbox, setup, start};
use crate::support::{TestApp, json_of};

async fn token(app: &TestApp, user: &str) -> String {
    app.token(user).await
}

#[tokio::test]
async fn countersign_concurrency_transfer_supplement_send_back_and_approve() {
    let Setup { app, code } = setup().await;
    let clerk = app.token("window_clerk").await; // 民治街道
    let inst = start(&app, &code, "LH2026-0001").await;
    let id = inst["id"].as_i64().unwrap();
    // Only the applicant's street's clerks see the acceptance.
    let other_street = app.token("lh_staff").await;
    assert!(inbox(&app, &other_street).await.is_empty());
    // Clerks inside the street (its communities and halls) see it too.
    let inside = app.token("mz_staff").await;
    assert_eq!(inbox(&app, &inside).await.len(), 1);
    let mine = inbox(&app, &clerk).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (
            mine[0]["task"]["step_name"].as_str(),
            mine[0]["timing"].as_str()
        ),
        (Some("受理"), Some("ok"))
    );
    let accept = mine[0]["task"]["id"].as_i64().unwrap();
    // Send back is not allowed at the first step.
    let (s, e) = act(&app, &clerk, accept, json!({"action": "send_back"})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("action_not_allowed"))
    );
    let (s, i) = act(
        &app,
        &clerk,
        accept,
        json!({"action": "pass", "opinion": "材料齐全"}),
    )
    .await;
    assert_eq!((s, i["step"].as_i64()), (StatusCode::OK, Some(1)));

    // The countersign: one task for health, one for market.
    let (ha, hb, ma) = (
        token(&app, "health.a").await,
        token(&app, "health.b").await,
        token(&app, "market.a").await,
    );
    let h_task = inbox(&app, &ha).await[0]["task"]["id"].as_i64().unwrap();
    assert_eq!(
        inbox(&app, &hb).await[0]["task"]["id"].as_i64().unwrap(),
        h_task
    );
    let m_task = inbox(&app, &ma).await[0]["task"]["id"].as_i64().unwrap();
    assert_ne!(h_task, m_task);
    // Two health approvers at once: exactly one succeeds.
    let (a, b) = tokio::join!(
        act(
            &app,
            &ha,
            h_task,
            json!({"action": "pass", "opinion": "同意"})
        ),
        act(
            &app,
            &hb,
            h_task,
            json!({"action": "pass", "opinion": "同意"})
        )
    );
    let mut codes = [a.0.as_u16(), b.0.as_u16()];
    codes.sort();
    assert_eq!(codes, [200, 409]);
    // Still waiting for market.
    let (_, d) = json_of(app.get(&ha, &format!("/api/v1/approvals/{id}")).await).await;
    assert_eq!(d["instance"]["step"], 1);
    let (_, i) = act(
        &app,
        &ma,
        m_task,
        json!({"action": "pass", "opinion": "同意"}),
    )
    .await;
    assert_eq!(i["step"], 2);

    // Decide: named person transfers to a colleague.
    let decide = inbox(&app, &hb).await[0]["task"]["id"].as_i64().unwrap();
    assert!(inbox(&app, &ha).await.is_empty());
    let (s, _) = act(
        &app,
        &hb,
        decide,
        json!({"action": "transfer", "to": "health.a", "opinion": "出差"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(inbox(&app, &hb).await.is_empty());
    assert_eq!(
        inbox(&app, &ha).await[0]["task"]["id"].as_i64().unwrap(),
        decide
    );
    // Claim: a claimed task is the claimer's.
    let (s, _) = json_of(
        app.post(
            &ha,
            &format!("/api/v1/approvals/tasks/{decide}/claim"),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);

    // Supplement pauses the application; nothing can be done until it resumes.
    let (s, e) = act(&app, &ha, decide, json!({"action": "supplement"})).await;
    assert_eq!(
        (s, e["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("opinion"))
    );
    let before_due = d["instance"]["due_at"].as_str().unwrap().to_string();
    let (_, i) = act(
        &app,
        &ha,
        decide,
        json!({"action": "supplement", "opinion": "补充水质检测报告原件"}),
    )
    .await;
    assert_eq!(
        (i["status"].as_str(), i["pause_reason"].as_str()),
        (Some("paused"), Some("补充水质检测报告原件"))
    );
    assert_eq!(inbox(&app, &ha).await[0]["timing"], "paused");
    let (s, e) = act(&app, &ha, decide, json!({"action": "pass"})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("approval_not_running"))
    );
    let (s, i) = json_of(
        app.post(&clerk, &format!("/api/v1/approvals/{id}/resume"), json!({}))
            .await,
    )
    .await;
    assert_eq!((s, i["status"].as_str()), (StatusCode::OK, Some("running")));
    assert!(i["due_at"].as_str().unwrap() >= before_due.as_str());

    // Send back to the countersign, pass again, then decide.
    let (_, i) = act(
        &app,
        &ha,
        decide,
        json!({"action": "send_back", "opinion": "请复核"}),
    )
    .await;
    assert_eq!(i["step"], 1);
    let h2 = inbox(&app, &ha).await[0]["task"]["id"].as_i64().unwrap();
    let m2 = inbox(&app, &ma).await[0]["task"]["id"].as_i64().unwrap();
    act(&app, &ha, h2, json!({"action": "pass"})).await;
    act(&app, &ma, m2, json!({"action": "pass"})).await;
    let decide2 = inbox(&app, &hb).await[0]["task"]["id"].as_i64().unwrap();
    let (_, i) = act(
        &app,
        &hb,
        decide2,
        json!({"action": "pass", "opinion": "准予许可"}),
    )
    .await;
    assert_eq!(i["status"], "approved");
    assert!(i["finished_at"].is_string());

    // The whole history, in order.
    assert_eq!(
        history(&app, &clerk, id).await,
        [
            "approval.start",
            "approval.pass",
            "approval.pass",
            "approval.pass",
            "approval.transfer",
            "approval.supplement",
            "approval.resume",
            "approval.send_back",
            "approval.pass",
            "approval.pass",
            "approval.pass",
        ]
    );
    // Outsiders cannot read it.
    assert_eq!(
        app.get(&other_street, &format!("/api/v1/approvals/{id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn reject_ends_the_application_and_cancels_open_tasks() {
    let Setup { app, code } = setup().await;
    let clerk = app.token("window_clerk").await;
    let inst = start(&app, &code, "LH2026-0002").await;
    let id = inst["id"].as_i64().unwrap();
    let accept = inbox(&app, &clerk).await[0]["task"]["id"].as_i64().unwrap();
    act(&app, &clerk, accept, json!({"action": "pass"})).await;
    let ha = token(&app, "health.a").await;
    let h = inbox(&app, &ha).await[0]["task"]["id"].as_i64().unwrap();
    let (s, _) = act(&app, &ha, h, json!({"action": "reject"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, i) = act(
        &app,
        &ha,
        h,
        json!({"action": "reject", "opinion": "选址不符合卫生要求"}),
    )
    .await;
    assert_eq!(i["status"], "rejected");
    let ma = token(&app, "market.a").await;
    assert!(
        inbox(&app, &ma).await.is_empty(),
        "the market task was cancelled"
    );
    let (_, d) = json_of(app.get(&clerk, &format!("/api/v1/approvals/{id}")).await).await;
    let statuses: Vec<&str> = d["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["done", "done", "cancelled"]);
    // A clerk of another street cannot start applications for 民治.
    let other = app.token("lh_staff").await;
    let s = app
        .post(
            &other,
            "/api/v1/approvals",
            json!({"matter_code": code, "unit_code": "440309004001", "reference": "X"}),
        )
        .await
        .status();
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_inbox_and_case_pages_let_people_act() {
    use crate::support::pages::{browser, hidden, sign_in};
    let Setup { app, code } = setup().await;
    let clerk = app.token("window_clerk").await;
    let inst = start(&app, &code, "LH2026-0099").await;
    let id = inst["id"].as_i64().unwrap();
    let c = browser();
    let csrf = sign_in(&app, &c, "window_clerk").await;
    let r = c.get(app.url("/inbox")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("LH2026-0099") && page.contains("受理") && page.contains("正常"));
    let case = c
        .get(app.url(&format!("/approvals/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(case.contains("workflow.svg?version=1") && case.contains("办理：受理"));
    let task = hidden(&case, "instance");
    assert_eq!(task, id.to_string());
    let task_id = inbox(&app, &clerk).await[0]["task"]["id"].as_i64().unwrap();
    // A reject without an opinion comes back with the reason beside the form.
    // The form is multipart (it may carry files), so its CSRF token travels in the address.
    let r = c
        .post(app.url(&format!("/approvals/tasks/{task_id}/act?csrf={csrf}")))
        .multipart(
            Form::new()
                .text("instance", id.to_string())
                .text("action", "reject")
                .text("opinion", ""),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("必填"));
    let r = c
        .post(app.url(&format!("/approvals/tasks/{task_id}/act?csrf={csrf}")))
        .multipart(
            Form::new()
                .text("instance", id.to_string())
                .text("action", "pass")
                .text("opinion", "材料齐全"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let case = c
        .get(app.url(&format!("/approvals/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(case.contains("材料齐全") && case.contains("审批通过") && !case.contains("办理：受理"));
    let home = c
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("审批待办"));
}

#[tokio::test]
async fn overdue_tasks_are_recorded_once_and_supervisors_see_them() {
    let Setup { app, code } = setup().await;
    start(&app, &code, "LH2026-0500").await;
    // A month goes by: the acceptance (due within days) is overdue.
    app.db.clock().advance(chrono::Duration::days(30));
    let clerk = app.token("window_clerk").await;
    assert_eq!(
        zhengwu::approval::engine::record_overdue(&app.db)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        zhengwu::approval::engine::record_overdue(&app.db)
            .await
            .unwrap(),
        0,
        "recorded once"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'approval.overdue'")
            .await,
        1
    );
    assert_eq!(inbox(&app, &clerk).await[0]["timing"], "overdue");
    // The street's unit admin supervises it; another street's clerk cannot.
    let street_admin = app.token("department_admin").await;
    let (s, list) = json_of(
        app.get(&street_admin, "/api/v1/approvals?status=running")
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let refs: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["instance"]["reference"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["LH2026-0500"]);
    assert_eq!(
        app.get(&app.token("lh_staff").await, "/api/v1/approvals")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // The health department's supervisor (by owning department) sees it too.
    let district = app.token("district_bureau_admin").await;
    let (_, all) = json_of(app.get(&district, "/api/v1/approvals").await).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    let c = crate::support::pages::browser();
    crate::support::pages::sign_in(&app, &c, "department_admin").await;
    let page = c
        .get(app.url("/approvals"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("LH2026-0500") && page.contains("办件督办"));
    assert!(
        page.contains("<td>北站社区</td>"),
        "the unit filed at is named: {page}"
    );
}
