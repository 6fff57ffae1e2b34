//! The org tree: create, rename, move and retire units without losing history.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, json_of};

#[tokio::test]
async fn create_rename_move_retire_keeps_history() {
    let app = TestApp::spawn().await;
    let t = app.token("district_bureau_admin").await;
    let (s, u) = json_of(
        app.post(&t, "/api/v1/org/units",
            json!({"code": "440309004099", "name": "新区社区", "kind": "community", "parent_id": app.unit_id("minzhi")}))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    let id = u["id"].as_i64().unwrap();
    let minzhi_path = app.units["minzhi"].path.clone();
    assert_eq!(u["path"], format!("{minzhi_path}{id}/"));
    assert_eq!(u["depth"], 2);

    // A hall below it moves with it.
    let (s, hall) = json_of(
        app.post(&t, "/api/v1/org/units",
            json!({"code": "440309004099-H", "name": "新区党群服务中心", "kind": "hall", "parent_id": id})).await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);

    let (s, r) = json_of(
        app.patch(
            &t,
            &format!("/api/v1/org/units/{id}"),
            json!({"name": "新城社区"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["name"], "新城社区");

    let lh = app.unit_id("longhua");
    let (s, m) = json_of(
        app.patch(
            &t,
            &format!("/api/v1/org/units/{id}"),
            json!({"parent_id": lh}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let lh_path = app.units["longhua"].path.clone();
    assert_eq!(m["path"], format!("{lh_path}{id}/"));
    let (_, h) = json_of(
        app.get(&t, &format!("/api/v1/org/units/{}", hall["id"]))
            .await,
    )
    .await;
    assert_eq!(
        h["path"],
        format!("{lh_path}{id}/{}/", hall["id"]),
        "sub-units move along"
    );
    assert_eq!(h["depth"], 3);

    // Retiring needs an empty unit: the hall first.
    let (s, e) = json_of(
        app.post(&t, &format!("/api/v1/org/units/{id}/retire"), json!({}))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "unit_has_children");
    let s = app
        .post(
            &t,
            &format!("/api/v1/org/units/{}/retire", hall["id"]),
            json!({}),
        )
        .await
        .status();
    assert_eq!(s, StatusCode::OK);
    let (s, r) = json_of(
        app.post(&t, &format!("/api/v1/org/units/{id}/retire"), json!({}))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(r["retired_at"].is_string());

    // Still listed, marked retired; nothing added under it.
    let (_, all) = json_of(app.get(&t, "/api/v1/org/units").await).await;
    let me = all
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id)
        .unwrap();
    assert!(me["retired_at"].is_string());
    let s = app
        .post(
            &t,
            "/api/v1/org/units",
            json!({"code": "X-1", "name": "x", "kind": "hall", "parent_id": id}),
        )
        .await
        .status();
    assert_eq!(s, StatusCode::CONFLICT);

    // The whole story is in the audit trail, with before and after.
    let (_, log) = json_of(
        app.get(&t, "/api/v1/audit?entity=org_unit&per_page=100")
            .await,
    )
    .await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity_id"].as_str() == Some(id.to_string().as_str()))
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["unit.retire", "unit.move", "unit.rename", "unit.create"]
    );
    let rename = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "unit.rename")
        .unwrap();
    let before: Value = serde_json::from_str(rename["before_json"].as_str().unwrap()).unwrap();
    let after: Value = serde_json::from_str(rename["after_json"].as_str().unwrap()).unwrap();
    assert_eq!(
        (before["name"].as_str(), after["name"].as_str()),
        (Some("新区社区"), Some("新城社区"))
    );
    assert_eq!(rename["actor"], "district_bureau_admin");
    assert_eq!(rename["ip"], "127.0.0.1");
}

#[tokio::test]
async fn bad_units_are_refused_field_by_field() {
    let app = TestApp::spawn().await;
    let t = app.token("district_bureau_admin").await;
    let before = app.count("SELECT COUNT(*) FROM org_units").await;
    let (s, e) = json_of(
        app.post(&t, "/api/v1/org/units", json!({"code": "坏", "name": "", "kind": "community", "parent_id": app.unit_id("minzhi")}))
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
    assert_eq!(fields, ["code", "name"]);
    // A community directly under the district is not a thing.
    let (s, e) = json_of(
        app.post(&t, "/api/v1/org/units", json!({"code": "C-1", "name": "社区", "kind": "community", "parent_id": app.unit_id("district")}))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["field"], "kind");
    // Duplicate code.
    let (s, e) = json_of(
        app.post(&t, "/api/v1/org/units", json!({"code": "440309004", "name": "重复", "kind": "street", "parent_id": app.unit_id("district")}))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "code_taken");
    // Moving a street under its own community.
    let (s, e) = json_of(
        app.patch(
            &t,
            &format!("/api/v1/org/units/{}", app.unit_id("minzhi")),
            json!({"parent_id": app.unit_id("beizhan")}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "move_into_self");
    assert_eq!(app.count("SELECT COUNT(*) FROM org_units").await, before);
}

/// Moving a unit moves the scope of what is open under it: an approval task waiting for the
/// community's clerks stays in their inbox, and a ticket reported there follows the community
/// to its new street (out of the old street's reach).
#[tokio::test]
async fn a_moved_community_keeps_its_open_tasks_and_takes_its_tickets_along() {
    use crate::support::approval::{inbox, people, publish_flow, start};
    let crate::support::approval::Setup { app, code } = people().await;
    let def = json!({"steps": [
        {"key": "accept", "name": "受理", "limit_days": 1, "actions": ["pass", "reject"],
         "actors": [{"type": "role", "role": "window_clerk", "at": {"kind": "application_community"}}]},
        {"key": "decide", "name": "决定", "limit_days": 3, "actions": ["pass", "reject"],
         "actors": [{"type": "users", "usernames": ["health.b"]}]}
    ]});
    publish_flow(&app, &code, def).await;
    start(&app, &code, "REF-MOVE-1").await;
    assert_eq!(inbox(&app, &app.token("mz_staff").await).await.len(), 1);
    let (s, t) = json_of(
        app.post(
            &app.token("mz_staff").await,
            "/api/v1/ops/tickets",
            json!({"system": "approval", "category": "fault", "title": "待办打不开",
                   "description": "点击后报错", "page_url": "/inbox"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let ticket = format!("/api/v1/ops/tickets/{}", t["id"]);
    let old_street = app.token("om_engineer").await;
    assert_eq!(app.get(&old_street, &ticket).await.status(), StatusCode::OK);

    zhengwu::org::move_to(
        &app.db,
        &zhengwu::auth::Principal::system(),
        app.unit_id("beizhan"),
        app.unit_id("longhua"),
    )
    .await
    .unwrap();
    // A fresh sign-in reads the clerk's grant at the community's new path.
    let clerk = app.token("mz_staff").await;
    assert_eq!(
        inbox(&app, &clerk).await.len(),
        1,
        "the task is still the community's"
    );
    assert_eq!(
        app.get(&old_street, &ticket).await.status(),
        StatusCode::NOT_FOUND,
        "the ticket went with the community"
    );
}
