//! Sign-in, bearer tokens, cookies, CSRF, lockout, sign-out and password change.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{PASSWORD, TestApp, json_of};

#[tokio::test]
async fn login_answers_a_token_usable_as_bearer_and_sets_a_secure_cookie() {
    let app = TestApp::spawn().await;
    let r = app.login("department_admin", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("zw_session="));
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let body: serde_json::Value = r.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    assert_eq!(token.len(), 64);
    let (s, me) = json_of(app.get(token, "/api/v1/me").await).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["username"], "department_admin");
    assert_eq!(me["grants"][0]["role"], "department_admin");
    // The store keeps only a hash of the token.
    let raw = app
        .count(&format!(
            "SELECT COUNT(*) FROM sessions WHERE token_hash = '{token}'"
        ))
        .await;
    assert_eq!(raw, 0);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_look_the_same_in_the_users_language() {
    let app = TestApp::spawn().await;
    let (s, zh) = json_of(app.login("department_admin", "nope12345").await).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(zh["error"]["code"], "invalid_credentials");
    assert_eq!(zh["error"]["message"], "用户名或密码错误。");
    let r = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("accept-language", "en-GB,en;q=0.9")
        .json(&json!({"username": "nobody", "password": "x"}))
        .send()
        .await
        .unwrap();
    let (s, en) = json_of(r).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(en["error"]["code"], "invalid_credentials");
    assert_eq!(en["error"]["message"], "Wrong username or password.");
}

#[tokio::test]
async fn repeated_failures_lock_the_account_with_back_off() {
    let app = TestApp::spawn().await;
    for _ in 0..4 {
        assert_eq!(
            app.login("approver", "bad-guess-1").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let r = app.login("approver", "bad-guess-1").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "30");
    // Even the right password is refused while locked.
    let (s, body) = json_of(app.login("approver", PASSWORD).await).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"]["code"], "locked");
    // The failures are in the audit trail.
    let failed = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login_failed'")
        .await;
    assert_eq!(failed, 5);
    // Another account is unaffected.
    assert_eq!(
        app.login("auditor", PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn logout_ends_the_token() {
    let app = TestApp::spawn().await;
    let t = app.token("auditor").await;
    assert_eq!(app.get(&t, "/api/v1/me").await.status(), StatusCode::OK);
    let r = app.post(&t, "/api/v1/auth/logout", json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (s, body) = json_of(app.get(&t, "/api/v1/me").await).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthenticated");
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_token_for_changes() {
    let app = TestApp::spawn().await;
    let r = app.login("department_admin", PASSWORD).await;
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = r.json::<serde_json::Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({"code": "MZ-NEW", "name": "新社区", "kind": "community",
                      "parent_id": app.unit_id("minzhi")});
    // Reading with the cookie alone works.
    let r = app
        .client
        .get(app.url("/api/v1/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Changing without the token is refused, and nothing is written.
    let r = app
        .client
        .post(app.url("/api/v1/org/units"))
        .header("cookie", &cookie)
        .json(&body)
        .send()
        .await
        .unwrap();
    let (s, err) = json_of(r).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(err["error"]["code"], "csrf");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM org_units WHERE code = 'MZ-NEW'")
            .await,
        0
    );
    // With it, the change goes through.
    let r = app
        .client
        .post(app.url("/api/v1/org/units"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn changing_the_password_checks_the_old_one_and_ends_other_sessions() {
    let app = TestApp::spawn().await;
    let a = app.token("matter_admin").await;
    let b = app.token("matter_admin").await;
    let (s, body) = json_of(
        app.post(
            &a,
            "/api/v1/me/password",
            json!({"current_password": "wrong-1", "new_password": "NewPass2026"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["field"], "current_password");
    let (s, body) = json_of(
        app.post(
            &a,
            "/api/v1/me/password",
            json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["field"], "new_password");
    let r = app
        .post(
            &a,
            "/api/v1/me/password",
            json!({"current_password": PASSWORD, "new_password": "NewPass2026"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(&a, "/api/v1/me").await.status(), StatusCode::OK);
    assert_eq!(
        app.get(&b, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("matter_admin", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("matter_admin", "NewPass2026").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn health_metrics_and_openapi_are_served() {
    let app = TestApp::spawn().await;
    let (s, h) = json_of(app.client.get(app.url("/healthz")).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["database"], true);
    let _ = app.login("auditor", PASSWORD).await;
    let m = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(m.contains("zhengwu_http_requests_total"), "{m}");
    assert!(m.contains("path=\"/api/v1/auth/login\""));
    let (s, doc) = json_of(
        app.client
            .get(app.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for p in [
        "/api/v1/auth/login",
        "/api/v1/accounts",
        "/api/v1/org/units",
        "/api/v1/audit",
        "/api/v1/accounts/import",
    ] {
        assert!(doc["paths"].get(p).is_some(), "openapi lacks {p}");
    }
}
