//! The audit trail: who, when, from where, what, before/after; filters, scope, export.

use std::io::Cursor;

use calamine::{Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{TestApp, json_of};

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

/// An export that would carry more than 100,000 entries is refused with a way out (narrow the
/// period), before anything is read into memory; the same period narrowed exports.
#[tokio::test]
async fn an_export_too_large_is_refused_until_the_period_is_narrowed() {
    let app = TestApp::spawn().await;
    let auditor = app.token("district_auditor").await;
    zhengwu::storage::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100001) \
         INSERT INTO audit_log (at, actor, action, entity, scope_path, summary) \
         SELECT '2020-01-01T00:00:00.000000Z', 'old', 'user.update', 'user', '/', 'old' FROM n",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let r = app.get(&auditor, "/api/v1/audit/export?format=csv").await;
    let (status, e) = json_of(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let msg = e["error"]["fields"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("100000") && msg.contains("缩小时间范围"),
        "{msg}"
    );
    let r = app
        .get(&auditor, "/api/v1/audit/export?format=csv&from=2025-01-01")
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let csv = r.text().await.unwrap();
    assert!(
        !csv.contains(",old,"),
        "the old entries are outside the period"
    );
}
