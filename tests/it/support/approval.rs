//! The approval fixture: the health department with its approvers and a district hall clerk
//! (`people`), a matter on a countersign workflow (`setup`), and starting, acting on and reading
//! applications over the API.

use super::{TestApp, json_of};
use reqwest::StatusCode;
use serde_json::{Value, json};
use zhengwu::auth::Principal;
use zhengwu::org::{self, NewUnit};

pub struct Setup {
    pub app: TestApp,
    pub code: String,
}

/// Saves `def` as the matter's workflow draft and publishes it, as the district's bureau admin.
pub async fn publish_flow(app: &TestApp, code: &str, def: Value) {
    let (s, r) = try_publish(app, code, def).await;
    assert_eq!(s, StatusCode::OK, "{r}");
}

/// The matter's workflow draft (its definition), as the district's bureau admin reads it.
pub async fn workflow_draft(app: &TestApp, code: &str) -> Value {
    let admin = app.token("district_bureau_admin").await;
    let (s, d) = json_of(
        app.get(&admin, &format!("/api/v1/matters/{code}/workflow/draft"))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d["definition"].clone()
}

/// Saves `def` as the draft (which must be accepted) as the district's matter admin and asks
/// to publish it as the district's bureau admin (two people: the four-eyes rule); answers the
/// publishing's reply.
pub async fn try_publish(app: &TestApp, code: &str, def: Value) -> (StatusCode, Value) {
    let drafter = app.token("district_matter_admin").await;
    let admin = app.token("district_bureau_admin").await;
    let r = app
        .client
        .put(app.url(&format!("/api/v1/matters/{code}/workflow/draft")))
        .bearer_auth(&drafter)
        .json(&def)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    json_of(
        app.post(
            &admin,
            &format!("/api/v1/matters/{code}/workflow/publish"),
            json!({}),
        )
        .await,
    )
    .await
}

/// Adds 区市场监督管理局 (440309-D07) under the district.
pub async fn add_market_department(app: &TestApp) {
    org::create(
        &app.db,
        &Principal::system(),
        NewUnit {
            code: "440309-D07".into(),
            name: "区市场监督管理局".into(),
            kind: "department".into(),
            parent_id: Some(app.unit_id("district")),
        },
    )
    .await
    .unwrap();
}

/// The fixture, a second department (区市场监督管理局, 440309-D07), approvers `health.a` and
/// `health.b` (区卫生健康局) and `market.a`, and a published health matter without a custom flow.
pub async fn people() -> Setup {
    let app = TestApp::spawn().await;
    add_market_department(&app).await;
    let admin = app.token("district_bureau_admin").await;
    let code = app.publish_sample(3).await;
    let units = org::list(&app.db).await.unwrap();
    let market = units.iter().find(|u| u.code == "440309-D07").unwrap().id;
    for (u, unit) in [
        ("health.a", app.unit_id("health")),
        ("health.b", app.unit_id("health")),
        ("market.a", market),
    ] {
        let body = json!({"username": u, "name": u, "org_unit_id": unit, "password": crate::support::PASSWORD, "roles": [{"role": "approver"}]});
        assert_eq!(
            app.post(&admin, "/api/v1/accounts", body).await.status(),
            StatusCode::CREATED
        );
    }
    Setup { app, code }
}

/// [`people`], and the matter's published flow: 受理 (street clerks) → 联合审查 (a countersign of
/// the two departments) → 决定 (health.b).
pub async fn setup() -> Setup {
    let Setup { app, code } = people().await;
    let def = json!({"steps": [
        {"key": "accept", "name": "受理", "limit_days": 1, "actions": ["pass", "reject", "supplement"],
         "actors": [{"type": "role", "role": "window_clerk", "at": {"kind": "application_street"}}]},
        {"key": "joint", "name": "联合审查", "limit_days": 5, "countersign": true, "actions": ["pass", "reject", "send_back", "supplement", "special"],
         "actors": [{"type": "role", "role": "approver", "at": {"kind": "owning_department"}},
                    {"type": "role", "role": "approver", "at": {"kind": "unit", "code": "440309-D07"}}]},
        {"key": "decide", "name": "决定", "limit_days": 3, "actions": ["pass", "reject", "send_back", "transfer", "supplement"],
         "actors": [{"type": "users", "usernames": ["health.b"]}]}
    ]});
    publish_flow(&app, &code, def).await;
    Setup { app, code }
}

/// The street's window clerk starts an application at 北站社区; answers it with its open tasks.
pub async fn start(app: &TestApp, code: &str, reference: &str) -> Value {
    let clerk = app.token("window_clerk").await;
    let (s, p) = json_of(
        app.post(
            &clerk,
            "/api/v1/approvals",
            json!({"matter_code": code, "unit_code": "440309004001", "reference": reference}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    p
}

/// The actions of an application's history, oldest first, as `who` reads them.
pub async fn history(app: &TestApp, who: &str, id: i64) -> Vec<String> {
    let (_, case) = json_of(app.get(who, &format!("/api/v1/approvals/{id}")).await).await;
    case["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

pub async fn inbox(app: &TestApp, t: &str) -> Vec<Value> {
    json_of(app.get(t, "/api/v1/approvals/inbox").await).await.1["items"]
        .as_array()
        .unwrap()
        .clone()
}

pub async fn act(app: &TestApp, t: &str, task: i64, body: Value) -> (StatusCode, Value) {
    json_of(
        app.post(t, &format!("/api/v1/approvals/tasks/{task}/act"), body)
            .await,
    )
    .await
}
