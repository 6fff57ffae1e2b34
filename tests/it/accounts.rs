//! Accounts: create with checks, search/sort/page, change, disable, reset password.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{PASSWORD, TestApp, json_of};

#[tokio::test]
async fn creating_an_account_checks_every_field_in_both_languages() {
    let app = TestApp::spawn().await;
    let t = app.token("department_admin").await;
    let before = app.count("SELECT COUNT(*) FROM users").await;
    let bad = json!({"username": "李", "name": "", "org_unit_id": app.unit_id("beizhan"),
                     "email": "not-mail", "phone": "123", "password": "short",
                     "roles": [{"role": "emperor"}]});
    let (s, e) = json_of(app.post(&t, "/api/v1/accounts", bad.clone()).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["username", "name", "email", "phone", "password", "roles"]
    );
    assert!(
        e["error"]["fields"][5]["message"]
            .as_str()
            .unwrap()
            .contains("未知角色")
    );
    let r = app
        .client
        .post(app.url("/api/v1/accounts"))
        .bearer_auth(&t)
        .header("accept-language", "en")
        .json(&bad)
        .send()
        .await
        .unwrap();
    let (_, e) = json_of(r).await;
    assert_eq!(e["error"]["fields"][5]["message"], "Unknown role: emperor.");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, before);

    let good = json!({"username": "zhang.wei", "name": "张伟", "org_unit_id": app.unit_id("beizhan"),
                      "email": "zhang.wei@longhua.example.cn", "phone": "0755-23336000",
                      "password": "Welcome2026", "roles": [{"role": "window_clerk"}, {"role": "approver"}]});
    let (s, u) = json_of(app.post(&t, "/api/v1/accounts", good.clone()).await).await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    assert_eq!(u["unit_name"], "北站社区");
    assert_eq!(u["grants"].as_array().unwrap().len(), 2);
    assert!(u.get("password_hash").is_none());
    let (s, e) = json_of(app.post(&t, "/api/v1/accounts", good).await).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "username_taken");
    assert_eq!(
        app.login("zhang.wei", "Welcome2026").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn list_searches_sorts_and_pages() {
    let app = TestApp::spawn().await;
    let t = app.token("district_bureau_admin").await;
    let total = app.users.len() as i64;
    let (_, p1) = json_of(
        app.get(&t, "/api/v1/accounts?per_page=5&sort=username")
            .await,
    )
    .await;
    assert_eq!(p1["total"], total);
    let names: Vec<String> = p1["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(names.len(), 5);
    let (_, p2) = json_of(
        app.get(&t, "/api/v1/accounts?per_page=5&page=2&sort=username")
            .await,
    )
    .await;
    assert_ne!(p2["items"][0]["username"], p1["items"][0]["username"]);
    let (_, desc) = json_of(
        app.get(&t, "/api/v1/accounts?per_page=1&sort=-username")
            .await,
    )
    .await;
    assert_eq!(desc["items"][0]["username"], "window_clerk");
    let (_, q) = json_of(app.get(&t, "/api/v1/accounts?q=staff").await).await;
    assert_eq!(q["total"], 2);
    let (_, by_unit) = json_of(
        app.get(
            &t,
            &format!("/api/v1/accounts?unit_id={}", app.unit_id("longhua")),
        )
        .await,
    )
    .await;
    assert_eq!(by_unit["total"], 1);
    assert_eq!(by_unit["items"][0]["username"], "lh_staff");
    let (_, by_role) = json_of(app.get(&t, "/api/v1/accounts?role=auditor").await).await;
    assert_eq!(by_role["total"], 2);
}

/// A search means the same on both stores: any case finds the account, and `%` or `_` typed
/// into the box are characters, not wildcards that match everyone.
#[tokio::test]
async fn search_ignores_case_and_takes_wildcards_literally() {
    let app = TestApp::spawn().await;
    let t = app.token("district_bureau_admin").await;
    let total = |path: &'static str| {
        let (app, t) = (&app, &t);
        async move { json_of(app.get(t, path).await).await.1["total"].clone() }
    };
    assert_eq!(total("/api/v1/accounts?q=STAFF").await, 2);
    assert_eq!(total("/api/v1/accounts?q=Staff").await, 2);
    assert_eq!(total("/api/v1/accounts?q=%25").await, 0);
    assert_eq!(total("/api/v1/accounts?q=lh%5Fstaff").await, 1);
    assert_eq!(total("/api/v1/accounts?q=lh%25staff").await, 0);
    // `_` matches itself, not any one character.
    assert_eq!(total("/api/v1/accounts?q=lh%5Fsta%5Ff").await, 0);
}

#[tokio::test]
async fn disabling_ends_sessions_and_reset_unlocks() {
    let app = TestApp::spawn().await;
    let admin = app.token("department_admin").await;
    let id = app.users["mz_staff"];
    let staff = app.token("mz_staff").await;
    let (s, u) = json_of(
        app.patch(
            &admin,
            &format!("/api/v1/accounts/{id}"),
            json!({"active": false}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(u["active"], false);
    assert_eq!(
        app.get(&staff, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("mz_staff", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    app.patch(
        &admin,
        &format!("/api/v1/accounts/{id}"),
        json!({"active": true}),
    )
    .await;
    for _ in 0..5 {
        app.login("mz_staff", "wrong-pass-1").await;
    }
    assert_eq!(
        app.login("mz_staff", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let s = app
        .post(
            &admin,
            &format!("/api/v1/accounts/{id}/password"),
            json!({"password": "Reset2026ok"}),
        )
        .await
        .status();
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        app.login("mz_staff", "Reset2026ok").await.status(),
        StatusCode::OK
    );
    let (_, log) = json_of(
        app.get(
            &app.token("district_auditor").await,
            "/api/v1/audit?action=user.",
        )
        .await,
    )
    .await;
    let acts: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        acts.starts_with(&["user.reset_password", "user.activate", "user.deactivate"]),
        "{acts:?}"
    );
}

/// The account list's export, like every export, refuses a selection past 100,000 rows before
/// reading it, and says how to narrow it; the narrowed list exports.
#[tokio::test]
async fn an_account_export_too_large_is_refused_until_the_list_is_narrowed() {
    let app = TestApp::spawn().await;
    zhengwu::storage::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100001) \
         INSERT INTO users (username, name, org_unit_id, password_hash, created_at, updated_at) \
         SELECT 'bulk' || CAST(i AS TEXT), '批量', \
         (SELECT id FROM org_units WHERE parent_id IS NULL), 'x', '2026-01-01', '2026-01-01' FROM n",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let c = crate::support::pages::browser();
    crate::support::pages::sign_in(&app, &c, "district_bureau_admin").await;
    let r = c.get(app.url("/accounts/export")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("100000") && page.contains("缩小"), "{page}");
    let r = c
        .get(app.url("/accounts/export?q=district_bureau"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().await.unwrap().starts_with(b"PK"), "an XLSX file");
}
