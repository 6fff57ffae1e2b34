//! Approval workflow definitions through HTTP: a draft from the standard flow, checks by field,
//! countersign, immutable published versions, the diagram, who may edit and publish.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, json_of};

async fn app_with_matter() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    let code = app.publish_sample(3).await;
    (app, code)
}

#[tokio::test]
async fn draft_check_publish_and_keep_versions() {
    let (app, code) = app_with_matter().await;
    let admin = app.token("district_matter_admin").await;
    assert_eq!(
        app.client
            .get(app.url(&format!("/api/v1/matters/{code}/workflow")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let (s, d) = json_of(
        app.get(&admin, &format!("/api/v1/matters/{code}/workflow/draft"))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(d["version"], 1);
    let steps: Vec<&str> = d["definition"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["受理", "审查", "决定", "制证", "办结"]);
    // A three-step flow with a countersign by two departments.
    let def = json!({"steps": [
        {"key": "accept", "name": "受理", "limit_days": 1, "actions": ["pass", "reject", "supplement"],
         "actors": [{"type": "role", "role": "window_clerk", "at": {"kind": "application_street"}}]},
        {"key": "joint", "name": "联合审查", "limit_days": 5, "countersign": true, "actions": ["pass", "reject", "send_back"],
         "actors": [{"type": "role", "role": "approver", "at": {"kind": "owning_department"}},
                    {"type": "role", "role": "approver", "at": {"kind": "unit", "code": "440309-D07"}}]},
        {"key": "decide", "name": "决定", "limit_days": 3, "actions": ["pass", "reject", "send_back", "transfer"],
         "actors": [{"type": "users", "usernames": ["approver"]}]}
    ]});
    let put = |body: Value| {
        app.client
            .put(app.url(&format!("/api/v1/matters/{code}/workflow/draft")))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    // Too slow for the promised limit, and a one-party countersign: both named.
    let mut bad = def.clone();
    bad["steps"][2]["limit_days"] = json!(9);
    bad["steps"][1]["actors"].as_array_mut().unwrap().pop();
    let (s, e) = json_of(put(bad).await.unwrap()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["steps[1].countersign", "steps"]);
    let (s, v) = json_of(put(def.clone()).await.unwrap()).await;
    assert_eq!((s, v["version"].as_i64()), (StatusCode::OK, Some(1)));
    let publish_url = format!("/api/v1/matters/{code}/workflow/publish");
    // Whoever drafted does not publish (four eyes): the bureau's admin does — unless the bureau
    // turns the rule off (audited), which only the district's bureau admin may.
    let (s, e) = json_of(app.post(&admin, &publish_url, json!({})).await).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("four_eyes_publish")),
        "{e}"
    );
    let street = app.token("bureau_admin").await;
    let toggle = |who: String, on: bool| {
        app.client
            .put(app.url("/api/v1/settings/four-eyes"))
            .bearer_auth(who)
            .json(&json!({"publish": on}))
            .send()
    };
    assert_eq!(
        toggle(street, false).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let district = app.token("district_bureau_admin").await;
    assert_eq!(
        toggle(district.clone(), false).await.unwrap().status(),
        StatusCode::OK
    );
    let (s, e) = json_of(app.post(&admin, &publish_url, json!({})).await).await;
    assert_ne!(e["error"]["code"], "four_eyes_publish", "off: {s} {e}");
    assert_eq!(
        toggle(district.clone(), true).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'settings.four_eyes'")
            .await,
        2
    );
    let publish = || app.post(&district, &publish_url, json!({}));
    // A draft may name what does not exist yet; publishing it may not: the market department
    // is missing and nobody approves at the health department, each step named.
    let (s, e) = json_of(publish().await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let fields: Vec<(&str, &str)> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap(), f["message"].as_str().unwrap()))
        .collect();
    assert_eq!(fields.len(), 2, "{e}");
    assert!(
        fields[0].0 == "steps[1].actors" && fields[0].1.contains("联合审查 @ 区卫生健康局"),
        "{e}"
    );
    assert!(
        fields[1].0 == "steps[1].actors" && fields[1].1.contains("找不到办理机构"),
        "{e}"
    );
    crate::support::approval::add_market_department(&app).await;
    let units = zhengwu::org::list(&app.db).await.unwrap();
    let market = units.iter().find(|u| u.code == "440309-D07").unwrap().id;
    let bureau = app.token("district_bureau_admin").await;
    for (u, unit) in [("health.a", app.unit_id("health")), ("market.a", market)] {
        let body = json!({"username": u, "name": u, "org_unit_id": unit,
                          "password": crate::support::PASSWORD, "roles": [{"role": "approver"}]});
        assert_eq!(
            app.post(&bureau, "/api/v1/accounts", body).await.status(),
            StatusCode::CREATED
        );
    }
    let (s, v) = json_of(publish().await).await;
    assert_eq!((s, v["version"].as_i64()), (StatusCode::OK, Some(1)), "{v}");
    // Publishing twice: nothing left to publish.
    let (s, e) = json_of(
        app.post(
            &admin,
            &format!("/api/v1/matters/{code}/workflow/publish"),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("wf_no_draft"))
    );
    // Version 2 changes a limit; version 1 stays as published.
    let mut v2 = def.clone();
    v2["steps"][1]["limit_days"] = json!(4);
    let (_, v) = json_of(put(v2).await.unwrap()).await;
    assert_eq!(v["version"], 2);
    let (_, cur) = json_of(
        app.client
            .get(app.url(&format!("/api/v1/matters/{code}/workflow")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (
            cur["version"].as_i64(),
            cur["definition"]["steps"][1]["limit_days"].as_i64()
        ),
        (Some(1), Some(5))
    );
    app.post(
        &district,
        &format!("/api/v1/matters/{code}/workflow/publish"),
        json!({}),
    )
    .await;
    let (_, v1) = json_of(
        app.client
            .get(app.url(&format!("/api/v1/matters/{code}/workflow/versions/1")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(v1["steps"][1]["limit_days"], 5);
    let (_, list) = json_of(
        app.client
            .get(app.url(&format!("/api/v1/matters/{code}/workflow/versions")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    // The diagram.
    let r = app
        .client
        .get(app.url(&format!("/api/v1/matters/{code}/workflow.svg")))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("image/svg+xml")
    );
    let svg = r.text().await.unwrap();
    assert!(svg.contains("联合审查") && svg.contains("会签") && svg.contains("4 个工作日"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'workflow.%'")
            .await,
        4
    );
}

#[tokio::test]
async fn editors_edit_reviewers_publish_others_see_nothing() {
    let (app, code) = app_with_matter().await;
    // A street's matter admin does not cover the district's health department.
    let street = app.token("matter_admin").await;
    assert_eq!(
        app.get(&street, &format!("/api/v1/matters/{code}/workflow/draft"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // The health department's unit admin edits but may not publish.
    let health_admin = {
        let admin = app.token("district_bureau_admin").await;
        let body = json!({"username": "health.admin", "name": "卫健管理员", "org_unit_id": app.unit_id("health"),
                          "password": "Health2026", "roles": [{"role": "department_admin"}]});
        assert_eq!(
            app.post(&admin, "/api/v1/accounts", body).await.status(),
            StatusCode::CREATED
        );
        let r = app.login("health.admin", "Health2026").await;
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (_, d) = json_of(
        app.get(
            &health_admin,
            &format!("/api/v1/matters/{code}/workflow/draft"),
        )
        .await,
    )
    .await;
    let r = app
        .client
        .put(app.url(&format!("/api/v1/matters/{code}/workflow/draft")))
        .bearer_auth(&health_admin)
        .json(&d["definition"])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let s = app
        .post(
            &health_admin,
            &format!("/api/v1/matters/{code}/workflow/publish"),
            json!({}),
        )
        .await
        .status();
    assert_eq!(s, StatusCode::FORBIDDEN);
}

/// Working-day counts are bounded where they are read: a step limit, a promised limit or a
/// calendar question past ten years of working days is refused with the field named, and what
/// was stored stays.
#[tokio::test]
async fn working_day_counts_past_the_bound_are_refused_and_nothing_changes() {
    let (app, code) = app_with_matter().await;
    let admin = app.token("district_matter_admin").await;
    let (_, before) = json_of(
        app.get(&admin, &format!("/api/v1/matters/{code}/workflow/draft"))
            .await,
    )
    .await;
    let mut def = before["definition"].clone();
    def["steps"][0]["limit_days"] = json!(4_294_967_295u64);
    let r = app
        .client
        .put(app.url(&format!("/api/v1/matters/{code}/workflow/draft")))
        .bearer_auth(&admin)
        .json(&def)
        .send()
        .await
        .unwrap();
    let (s, e) = json_of(r).await;
    assert!(s.is_client_error(), "{s} {e}");
    assert_eq!(
        e["error"]["fields"][0]["field"], "steps[0].limit_days",
        "{e}"
    );
    assert_eq!(e["error"]["fields"][0]["message"], "取值无效。", "{e}");
    let (_, after) = json_of(
        app.get(&admin, &format!("/api/v1/matters/{code}/workflow/draft"))
            .await,
    )
    .await;
    assert_eq!(after["definition"], before["definition"]);

    let (_, m) = json_of(
        app.get(&admin, &format!("/api/v1/matters/{code}/draft"))
            .await,
    )
    .await;
    let mut changed = m.clone();
    changed["guide"]["promised_limit_days"] = json!(70000);
    let r = app
        .client
        .put(app.url(&format!("/api/v1/matters/{code}/draft")))
        .bearer_auth(&admin)
        .json(&changed)
        .send()
        .await
        .unwrap();
    let (s, e) = json_of(r).await;
    assert!(s.is_client_error(), "{s} {e}");
    assert_eq!(
        e["error"]["fields"][0]["field"], "guide.promised_limit_days",
        "{e}"
    );
    assert_eq!(e["error"]["fields"][0]["message"], "取值无效。", "{e}");
    let (_, again) = json_of(
        app.get(&admin, &format!("/api/v1/matters/{code}/draft"))
            .await,
    )
    .await;
    assert_eq!(
        again["guide"]["promised_limit_days"],
        m["guide"]["promised_limit_days"]
    );

    let (s, e) = json_of(
        app.client
            .get(app.url("/api/v1/calendar/add-working-days?from=2026-11-30&days=3651"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "days");
}

/// Two editors of one workflow draft: each sends back the `saved_at` it loaded; the second save
/// over the same draft is refused naming the first editor (409), nothing of it kept.
#[tokio::test]
async fn a_workflow_save_over_someone_elses_is_refused_naming_them() {
    let (app, code) = app_with_matter().await;
    let a = app.token("district_matter_admin").await;
    let b = app.token("district_bureau_admin").await;
    let (_, d) = json_of(
        app.get(&a, &format!("/api/v1/matters/{code}/workflow/draft"))
            .await,
    )
    .await;
    let base = d["saved_at"].as_str().unwrap().to_string();
    assert_eq!(base, "new", "not saved yet");
    let put = |who: &str, def: serde_json::Value, base: &str| {
        app.client
            .put(app.url(&format!(
                "/api/v1/matters/{code}/workflow/draft?base={base}"
            )))
            .bearer_auth(who.to_string())
            .json(&def)
            .send()
    };
    let mut mine = d["definition"].clone();
    mine["steps"][0]["name"] = json!("收件受理");
    let (s, r) = json_of(put(&a, mine, &base).await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let mut theirs = d["definition"].clone();
    theirs["steps"][0]["name"] = json!("窗口受理");
    let (s, e) = json_of(put(&b, theirs.clone(), &base).await.unwrap()).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("changed")),
        "{e}"
    );
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("测试district_matter_admin"),
        "{e}"
    );
    let (_, now) = json_of(
        app.get(&b, &format!("/api/v1/matters/{code}/workflow/draft"))
            .await,
    )
    .await;
    assert_eq!(
        now["definition"]["steps"][0]["name"], "收件受理",
        "the first save kept"
    );
    // Reloaded, the second editor saves.
    let fresh = now["saved_at"].as_str().unwrap().to_string();
    let (s, r) = json_of(put(&b, theirs.clone(), &fresh).await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    // Published meanwhile (by someone who did not edit it): a save over the draft that is
    // gone is a conflict, not a crash.
    zhengwu::storage::query(
        "UPDATE workflow_defs SET status = 'published' WHERE matter_code = $1 AND status = 'draft'",
    )
    .bind(&code)
    .execute(&app.db)
    .await
    .unwrap();
    let (s, e) = json_of(put(&b, theirs, &fresh).await.unwrap()).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("draft_gone")),
        "{e}"
    );
}
