//! For each role granted at 民治街道: what it may and may not do inside its street and in
//! another street (龙华街道). Denials inside the scope answer 403; objects outside it are not
//! even visible (404).

use reqwest::StatusCode;
use serde_json::json;
use zhengwu::auth::Role;

use crate::support::{TestApp, json_of};

fn views_accounts(r: Role) -> bool {
    matches!(
        r,
        Role::DepartmentAdmin
            | Role::BureauAdmin
            | Role::Auditor
            | Role::OmEngineer
            | Role::OmManager
    )
}
fn manages(r: Role) -> bool {
    matches!(r, Role::DepartmentAdmin | Role::BureauAdmin)
}
fn audits(r: Role) -> bool {
    matches!(r, Role::Auditor | Role::BureauAdmin | Role::DepartmentAdmin)
}

#[tokio::test]
async fn every_role_inside_and_outside_its_unit() {
    let app = TestApp::spawn().await;
    let (mz_staff, lh_staff) = (app.users["mz_staff"], app.users["lh_staff"]);
    for (i, role) in Role::ALL.into_iter().enumerate() {
        let t = app.token(role.as_str()).await;
        let who = role.as_str();

        // List accounts: only viewers, and only their street's.
        let (s, page) = json_of(app.get(&t, "/api/v1/accounts?per_page=500").await).await;
        if views_accounts(role) {
            assert_eq!(s, StatusCode::OK, "{who} lists");
            let names: Vec<&str> = page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["username"].as_str().unwrap())
                .collect();
            assert!(names.contains(&"mz_staff"), "{who} sees own street");
            assert!(!names.contains(&"lh_staff"), "{who} must not see 龙华街道");
            assert!(
                !names.contains(&"district_auditor"),
                "{who} must not see the district"
            );
        } else {
            assert_eq!(s, StatusCode::FORBIDDEN, "{who} lists");
        }

        // Read one account.
        let s = app
            .get(&t, &format!("/api/v1/accounts/{mz_staff}"))
            .await
            .status();
        let want = if views_accounts(role) {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(s, want, "{who} reads inside");
        let s = app
            .get(&t, &format!("/api/v1/accounts/{lh_staff}"))
            .await
            .status();
        assert_eq!(s, StatusCode::NOT_FOUND, "{who} reads outside");

        // Change one account.
        let s = app
            .patch(
                &t,
                &format!("/api/v1/accounts/{mz_staff}"),
                json!({"phone": "13800138000"}),
            )
            .await
            .status();
        let want = if manages(role) {
            StatusCode::OK
        } else if views_accounts(role) {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(s, want, "{who} changes inside");
        let s = app
            .patch(
                &t,
                &format!("/api/v1/accounts/{lh_staff}"),
                json!({"phone": "13800138000"}),
            )
            .await
            .status();
        assert_eq!(s, StatusCode::NOT_FOUND, "{who} changes outside");

        // Create an account inside and outside.
        let new = |unit: i64, n: &str| {
            json!({"username": format!("{n}{i}"), "name": "新人", "org_unit_id": unit,
                   "password": "Welcome2026", "roles": [{"role": "window_clerk"}]})
        };
        let s = app
            .post(&t, "/api/v1/accounts", new(app.unit_id("beizhan"), "in"))
            .await
            .status();
        let want = if manages(role) {
            StatusCode::CREATED
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(s, want, "{who} creates inside");
        let s = app
            .post(&t, "/api/v1/accounts", new(app.unit_id("qinghu"), "out"))
            .await
            .status();
        assert_eq!(s, StatusCode::FORBIDDEN, "{who} creates outside");

        // Create a unit inside and outside.
        let unit = |parent: i64, n: &str| json!({"code": format!("{n}-{i}"), "name": format!("{n}社区{i}"), "kind": "community", "parent_id": parent});
        let s = app
            .post(&t, "/api/v1/org/units", unit(app.unit_id("minzhi"), "IN"))
            .await
            .status();
        let want = if manages(role) {
            StatusCode::CREATED
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(s, want, "{who} adds a unit inside");
        let s = app
            .post(&t, "/api/v1/org/units", unit(app.unit_id("longhua"), "OUT"))
            .await
            .status();
        assert_eq!(s, StatusCode::FORBIDDEN, "{who} adds a unit outside");

        // Read the audit trail.
        let s = app.get(&t, "/api/v1/audit").await.status();
        let want = if audits(role) {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(s, want, "{who} reads the audit trail");
    }
    // Nothing outside 民治街道 was created by anyone.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE username LIKE 'out%'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM org_units WHERE code LIKE 'OUT-%'")
            .await,
        0
    );
}

#[tokio::test]
async fn unit_admins_cannot_escalate_and_district_grants_cover_all_streets() {
    let app = TestApp::spawn().await;
    let street_admin = app.token("department_admin").await;
    let mz = app.users["mz_staff"];
    let (s, _) = json_of(
        app.post(
            &street_admin,
            &format!("/api/v1/accounts/{mz}/grants"),
            json!({"role": "bureau_admin"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = json_of(
        app.post(
            &street_admin,
            &format!("/api/v1/accounts/{mz}/grants"),
            json!({"role": "auditor"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Granting at a unit outside the street is refused too.
    let (s, _) = json_of(
        app.post(
            &street_admin,
            &format!("/api/v1/accounts/{mz}/grants"),
            json!({"role": "approver", "org_unit_id": app.unit_id("longhua")}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, d) = json_of(
        app.post(
            &street_admin,
            &format!("/api/v1/accounts/{mz}/grants"),
            json!({"role": "approver"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        d["grants"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["role"] == "approver")
    );
    // The same grant twice is a conflict, not a duplicate.
    let (s, e) = json_of(
        app.post(
            &street_admin,
            &format!("/api/v1/accounts/{mz}/grants"),
            json!({"role": "approver"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "grant_exists");

    let district = app.token("district_bureau_admin").await;
    let lh = app.users["lh_staff"];
    assert_eq!(
        app.get(&district, &format!("/api/v1/accounts/{lh}"))
            .await
            .status(),
        StatusCode::OK
    );
    let (s, page) = json_of(app.get(&district, "/api/v1/accounts?per_page=500").await).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(page["total"].as_i64().unwrap(), app.users.len() as i64);
}
