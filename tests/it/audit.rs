//! The audit trail: who, when, from where, what, before/after; filters, scope, export.

use std::io::Cursor;

use calamine::{Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{TestApp, json_of};

#[tokio::test]
async fn changes_are_recorded_filtered_scoped_and_exported() {
    let app = TestApp::spawn().await;
    let admin = app.token("department_admin").await;
    let mz = app.users["mz_staff"];
    app.patch(
        &admin,
        &format!("/api/v1/accounts/{mz}"),
        json!({"name": "王小明"}),
    )
    .await;
    let district_admin = app.token("district_bureau_admin").await;
    let lh = app.users["lh_staff"];
    app.patch(
        &district_admin,
        &format!("/api/v1/accounts/{lh}"),
        json!({"name": "李清湖"}),
    )
    .await;

    let auditor = app.token("district_auditor").await;
    let (s, log) = json_of(app.get(&auditor, "/api/v1/audit?action=user.update").await).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(log["total"], 2);
    let e = &log["items"][1];
    assert_eq!(e["actor"], "department_admin");
    assert_eq!(e["ip"], "127.0.0.1");
    assert!(e["before_json"].as_str().unwrap().contains("测试mz_staff"));
    assert!(e["after_json"].as_str().unwrap().contains("王小明"));

    let (_, by_actor) = json_of(
        app.get(
            &auditor,
            "/api/v1/audit?action=user.update&actor=district_bureau",
        )
        .await,
    )
    .await;
    assert_eq!(by_actor["total"], 1);
    let today = chrono::Utc::now()
        .with_timezone(&zhengwu::clock::cst())
        .format("%Y-%m-%d")
        .to_string();
    let (_, dated) = json_of(
        app.get(
            &auditor,
            &format!("/api/v1/audit?action=user.update&from={today}&to={today}"),
        )
        .await,
    )
    .await;
    assert_eq!(dated["total"], 2);
    let (_, old) = json_of(
        app.get(&auditor, "/api/v1/audit?action=user.update&to=2020-01-01")
            .await,
    )
    .await;
    assert_eq!(old["total"], 0);

    // A street auditor sees only the street's entries.
    let street_auditor = app.token("auditor").await;
    let (_, mine) = json_of(
        app.get(&street_auditor, "/api/v1/audit?action=user.update")
            .await,
    )
    .await;
    assert_eq!(mine["total"], 1);
    assert!(
        mine["items"][0]["summary"]
            .as_str()
            .unwrap()
            .contains("mz_staff")
    );

    // Export: CSV with BOM and a Chinese header, XLSX readable by a spreadsheet reader.
    let r = app
        .get(
            &auditor,
            "/api/v1/audit/export?format=csv&action=user.update",
        )
        .await;
    let csv = r.bytes().await.unwrap();
    assert!(csv.starts_with("\u{feff}时间,操作人".as_bytes()));
    assert_eq!(String::from_utf8_lossy(&csv).lines().count(), 3);
    let r = app
        .get(
            &auditor,
            "/api/v1/audit/export?format=xlsx&action=user.update",
        )
        .await;
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut wb = Xlsx::new(Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(range.height(), 3);
    assert_eq!(range.get((1, 3)).unwrap().to_string(), "修改账号");
}
